#!/usr/bin/python3
"""Writes the WavLM parity fixtures (tests/fixtures/encoder/e_wavlm_base, f_wavlm_large).

Run with Debian's interpreter (torch 1.13, torchaudio 0.13.1), after scripts/make_encoder_fixtures.py, whose
inputs.safetensors it reads:

    /usr/bin/python3 scripts/make_wavlm_fixtures.py

torchaudio 0.13 has no WavLM and Debian has no `transformers`, so the reference is written here from Hugging Face's
modeling_wavlm.py (WavLMAttention, WavLMEncoderLayer[StableLayerNorm], WavLMEncoder[StableLayerNorm]): the
convolutional feature encoder, the feature projection and the positional convolution are torchaudio's wav2vec 2.0
modules (the same computation under the same HF names, as scripts/make_encoder_fixtures.py checks); the transformer
layers are replaced by WavLM layers with the gated relative position bias, computed with
F.multi_head_attention_forward as HF does (the bias enters as the float attn_mask).

Fixtures (hidden states in the HF convention, reference.safetensors as for the other fixtures):
  e_wavlm_base/   WavLM base layout: post-norm, group-norm extractor, keys prefixed "wavlm." (a WavLMForCTC-style
                  save with an lm_head to ignore), pos conv as weight_g/weight_v, 320 buckets, max distance 800 (the
                  released models' values: utterances this short only use the exact-distance buckets)
  f_wavlm_large/  WavLM large layout: stable layer norm, layer-norm extractor with conv bias, no prefix, pos conv as
                  parametrizations, do_normalize=true, 16 buckets and max distance 40 (so that the logarithmic
                  buckets and the clamp at the last bucket are exercised), saved as two shards with
                  model.safetensors.index.json (as large checkpoints are)
"""
import json
import math
import os
import sys
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_encoder_fixtures as base  # noqa: E402


class WavLMAttention(nn.Module):
    """HF WavLMAttention: multi-head self-attention plus a relative position bias, gated per head and query."""

    def __init__(self, torchaudio_attention: nn.Module, heads: int, num_buckets: int, max_distance: int,
                 has_relative_position_bias: bool):
        super().__init__()
        self.q_proj = torchaudio_attention.q_proj
        self.k_proj = torchaudio_attention.k_proj
        self.v_proj = torchaudio_attention.v_proj
        self.out_proj = torchaudio_attention.out_proj
        self.embed_dim = self.q_proj.in_features
        self.num_heads = heads
        self.num_buckets = num_buckets
        self.max_distance = max_distance
        self.gru_rel_pos_const = nn.Parameter(torch.ones(1, heads, 1, 1))
        self.gru_rel_pos_linear = nn.Linear(self.embed_dim // heads, 8)
        if has_relative_position_bias:
            self.rel_attn_embed = nn.Embedding(num_buckets, heads)

    def buckets(self, relative: Tensor) -> Tensor:
        half = self.num_buckets // 2
        out = (relative > 0).to(torch.long) * half
        distance = torch.abs(relative)
        max_exact = half // 2
        is_small = distance < max_exact
        large = torch.log(distance.float() / max_exact) / math.log(self.max_distance / max_exact)
        large = (max_exact + large * (half - max_exact)).to(torch.long)
        large = torch.min(large, torch.full_like(large, half - 1))
        return out + torch.where(is_small, distance, large)

    def compute_bias(self, t: int) -> Tensor:
        position = torch.arange(t, dtype=torch.long)
        relative = position[None, :] - position[:, None]  # memory - context
        return self.rel_attn_embed(self.buckets(relative)).permute([2, 0, 1])  # [H, T, T]

    def forward(self, x: Tensor, position_bias: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        b, t, _ = x.shape
        h = self.num_heads
        if position_bias is None:
            position_bias = self.compute_bias(t).unsqueeze(0).repeat(b, 1, 1, 1).view(b * h, t, t)
        gated = x.view(b, t, h, -1).permute(0, 2, 1, 3)
        proj = self.gru_rel_pos_linear(gated).view(b, h, t, 2, 4).sum(-1)
        gate_a, gate_b = torch.sigmoid(proj).chunk(2, dim=-1)
        gate = gate_a * (gate_b * self.gru_rel_pos_const - 1.0) + 2.0
        gated_bias = (gate.view(b * h, -1, 1) * position_bias).view(-1, t, t)
        q = x.transpose(0, 1)
        out, _ = F.multi_head_attention_forward(
            q, q, q, self.embed_dim, h, torch.empty([0]),
            torch.cat((self.q_proj.bias, self.k_proj.bias, self.v_proj.bias)), None, None, False, 0.0,
            self.out_proj.weight, self.out_proj.bias, False, None, False, gated_bias,
            use_separate_proj_weight=True, q_proj_weight=self.q_proj.weight, k_proj_weight=self.k_proj.weight,
            v_proj_weight=self.v_proj.weight)
        return out.transpose(0, 1), position_bias


class WavLMLayer(nn.Module):
    """HF WavLMEncoderLayer (post-norm) or WavLMEncoderLayerStableLayerNorm (pre-norm), reusing the norms and the
    feed-forward block of a torchaudio encoder layer (same HF names)."""

    def __init__(self, torchaudio_layer: nn.Module, spec: dict, first: bool):
        super().__init__()
        self.attention = WavLMAttention(torchaudio_layer.attention, spec["heads"], spec["buckets"],
                                        spec["max_distance"], first)
        self.layer_norm = torchaudio_layer.layer_norm
        self.feed_forward = torchaudio_layer.feed_forward
        self.final_layer_norm = torchaudio_layer.final_layer_norm
        self.stable = spec["stable"]
        self.torchaudio_layer = [torchaudio_layer]  # for self_check (a list: not registered as a submodule)

    def forward(self, x: Tensor, position_bias: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        if self.stable:
            a, position_bias = self.attention(self.layer_norm(x), position_bias)
            x = x + a
            return x + self.feed_forward(self.final_layer_norm(x)), position_bias
        a, position_bias = self.attention(x, position_bias)
        x = self.layer_norm(x + a)
        return self.final_layer_norm(x + self.feed_forward(x)), position_bias


def build_wavlm(spec: dict) -> nn.Module:
    model = base.build_model(spec)  # randomised; the WavLM layers below are randomised again, gates included
    t = model.encoder.transformer
    t.layers = nn.ModuleList(WavLMLayer(layer, spec, i == 0) for i, layer in enumerate(t.layers))
    base.randomise(model)
    with torch.no_grad():
        for layer in t.layers:
            layer.attention.gru_rel_pos_const.copy_(1.0 + 0.3 * torch.randn(1, spec["heads"], 1, 1))
        # A bias large enough to change which frames attend to which.
        t.layers[0].attention.rel_attn_embed.weight.mul_(3.0)
    return model.eval()


def wavlm_states(model: nn.Module, wave: Tensor) -> List[Tensor]:
    """L+1 hidden states of one utterance (no padding), HF convention."""
    feats, _ = model.feature_extractor(wave, None)
    x, _ = model.encoder._preprocess(feats, None)
    t = model.encoder.transformer
    x = t._preprocess(x)  # + pos conv, then encoder.layer_norm for post-norm models
    states = [x]
    position_bias = None
    for layer in t.layers:
        x, position_bias = layer(x, position_bias)
        states.append(x)
    if not t.layer_norm_first:  # torchaudio's flag is inverted: False here means stable layer norm
        states[-1] = t.layer_norm(x)
    return states


def self_check(model: nn.Module, wave: Tensor) -> None:
    """With the position bias zeroed, the WavLM layers are torchaudio's wav2vec 2.0 layers (guards the attention
    call and the layer order); the buckets of a few distances are those of HF's formula worked by hand."""
    t = model.encoder.transformer
    embed = t.layers[0].attention.rel_attn_embed.weight
    saved = embed.clone()
    embed.zero_()
    ours = wavlm_states(model, wave)
    embed.copy_(saved)
    feats, _ = model.feature_extractor(wave, None)
    x, _ = model.encoder._preprocess(feats, None)
    x = t._preprocess(x)
    for i, layer in enumerate(t.layers):
        x = layer.torchaudio_layer[0](x, None)
        if i + 1 < len(t.layers):
            assert torch.allclose(ours[i + 1], x, atol=1e-5), f"layer {i}"
    attention = WavLMAttention(t.layers[0].attention, 4, 320, 800, False)
    got = attention.buckets(torch.tensor([0, 3, -5, 100, -100, 10000]))
    assert got.tolist() == [0, 163, 5, 247, 87, 319], got.tolist()


def config(spec: dict) -> dict:
    cfg = base.hf_config(dict(spec, model_type="wav2vec2"))
    cfg.update({"architectures": ["WavLMModel"], "model_type": "wavlm", "num_buckets": spec["buckets"],
                "max_bucket_distance": spec["max_distance"], "replace_prob": 0.5, "num_ctc_classes": 80})
    return cfg


def write_shards(d: str, tensors: dict) -> None:
    """Two shards and the index Hugging Face's save_pretrained writes for large models."""
    names = list(tensors)
    half = len(names) // 2
    weight_map = {}
    for i, part in enumerate([names[:half], names[half:]]):
        file = f"model-{i + 1:05d}-of-00002.safetensors"
        base.write_safetensors(os.path.join(d, file), {n: tensors[n] for n in part}, {"format": "pt"})
        weight_map.update({n: file for n in part})
    size = sum(t.numel() * t.element_size() for t in tensors.values())
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": size}, "weight_map": weight_map}, f, indent=2)


FIXTURES = [
    dict(name="e_wavlm_base", stable=False, conv_bias=False, conv_dim=32, hidden=32, heads=4, layers=2, ff=64,
         pos_kernel=16, pos_groups=4, feat_proj_layer_norm=True, prefix="wavlm.", key_style="weight_g",
         do_normalize=False, buckets=320, max_distance=800, seed=31, sharded=False),
    dict(name="f_wavlm_large", stable=True, conv_bias=True, conv_dim=48, hidden=48, heads=4, layers=3, ff=96,
         pos_kernel=16, pos_groups=4, feat_proj_layer_norm=True, prefix="", key_style="parametrizations",
         do_normalize=True, buckets=16, max_distance=40, seed=32, sharded=True),
]


def write_fixture(out: str, spec: dict, waves: List[Tensor]) -> None:
    torch.manual_seed(spec["seed"])
    model = build_wavlm(spec)
    d = os.path.join(out, spec["name"])
    os.makedirs(d, exist_ok=True)
    with torch.no_grad():
        self_check(model, waves[0][None])
        tensors = base.to_hf_keys(model.state_dict(), spec["prefix"], spec["key_style"] == "parametrizations")
        if spec["prefix"]:
            hidden = spec["hidden"]
            tensors.update({spec["prefix"] + "masked_spec_embed": torch.rand(hidden),
                            "lm_head.weight": torch.randn(5, hidden), "lm_head.bias": torch.randn(5)})
        if spec["sharded"]:
            write_shards(d, tensors)
        else:
            base.write_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
        refs = {}
        for i, w in enumerate(waves):
            x = base.hf_normalize(w) if spec["do_normalize"] else w
            for l, s in enumerate(wavlm_states(model, x[None])):
                refs[f"state{l}_wave{i}"] = s[0]
        base.write_safetensors(os.path.join(d, "reference.safetensors"), refs)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config(spec), f, indent=2)
    with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
        json.dump(base.preprocessor_config(spec["do_normalize"]), f, indent=2)


def main() -> None:
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "encoder")
    torch.set_num_threads(1)
    inputs = base.read_safetensors(os.path.join(out, "inputs.safetensors"))
    waves = [inputs[f"wave{i}"] for i in range(3)]
    for spec in FIXTURES:
        write_fixture(out, spec, waves)
    print(f"wrote WavLM fixtures to {os.path.abspath(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
