#!/usr/bin/python3
"""Writes the encoder parity fixtures (tests/fixtures/encoder/) and, on request, the benchmark model.

Run with Debian's interpreter, which has torch 1.13 and torchaudio 0.13.1 (not a pyenv python3):

    /usr/bin/python3 scripts/make_encoder_fixtures.py                 # parity fixtures (committed)
    /usr/bin/python3 scripts/make_encoder_fixtures.py --bench DIR     # HuBERT-base-shaped model + 10 s audio

Every model is a torchaudio.models.wav2vec2_model with small random weights (all norm weights and biases
randomised too, so that a loader that skips a norm or swaps weight and bias fails the parity test). Its state
dict is renamed to Hugging Face keys here (with and without a model prefix) and written as an HF
directory (config.json + model.safetensors, the safetensors written by hand with struct + json because the
`safetensors` package is not installed). Reference hidden states follow the HF / s3prl convention:
L+1 states, state 0 = the input of the first transformer layer (after the positional convolution is added and,
for post-norm models, after encoder.layer_norm), state l = output of layer l, state L = final output (after the
final encoder.layer_norm for stable-layer-norm models). torchaudio's extract_features differs: it returns the L
layer outputs only, and for stable-layer-norm models its last entry lacks the final layer norm.

Fixtures (all 16 kHz; frame rate 320 samples, receptive field 400):
  a_hubert_group/   HuBERT, group-norm extractor, post-norm, feat_proj_layer_norm=false, keys prefixed
                    "hubert.", pos conv as weight_g/weight_v (kernel 16: even, drops a frame), pretraining keys
  b_w2v2_stable/    wav2vec2 large-style: layer-norm extractor with conv bias, stable layer norm, keys prefixed
                    "wav2vec2.", pos conv as parametrizations.weight.original0/1, do_normalize=true, CTC and
                    quantizer keys that the loader must ignore
  c_hubert_fpln/    HuBERT, group-norm extractor, feat_proj_layer_norm=true, HF keys without prefix (a clean
                    HubertModel save: nothing to ignore), pos conv as weight_g/weight_v, odd pos-conv kernel 15
                    (tests/encoder rewrites it into torchaudio's key naming to test that too)
  a_wrapper_list.pt     TorchScript wrapper of (a): forward(waveforms, lengths) -> (List[Tensor] of L+1, lengths)
  b_wrapper_stacked.pt  TorchScript wrapper of (b): forward(waveforms, lengths) -> (Tensor [L+1,B,T',D], lengths)
  b_extract_only.pt     TorchScript module of (b) with only extract_features recognisable: states 1..L as
                        torchaudio gives them (state L without the final layer norm)
  c_torchaudio.pt       torch.jit.script of the torchaudio model (c) itself (weight norm fused by scripting)
  d_w2v2_ctc/       a CTC recogniser: torchaudio wav2vec2_model(aux_num_out=30) written as an HF Wav2Vec2ForCTC
                    directory (encoder under "wav2vec2.", aux.* as lm_head.*, speechleak's 30-token vocab.json,
                    tokenizer files); reference.safetensors holds logits_wave{i} [T'_i, 30] from torchaudio's
                    forward, reference.json the greedy transcripts. The generator refuses a seed for which any
                    frame's top-2 logits are within 0.01 (a near-tie would make greedy decoding fragile).
  inputs.safetensors    wave0..wave2 (raw, un-normalised float32 waveforms of 0.6, 1.0 and 1.37 s)
  <fixture>/reference.safetensors   state{l}_wave{i} [T'_i, D] for every state l and wave i, computed one
                    utterance at a time (no padding), on the normalised waveform where do_normalize is true
"""
import argparse
import json
import math
import os
import struct
import sys
from typing import List, Optional, Tuple

import torch
import torchaudio
from torch import Tensor, nn

CONV_SHAPES = [(10, 5), (3, 2), (3, 2), (3, 2), (3, 2), (2, 2), (2, 2)]  # (kernel, stride): 320x, 400 RF
SAMPLE_RATE = 16000

# ------------------------------------------------------------------------------------------------ safetensors

_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
           torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
           torch.bool: "BOOL"}


def write_safetensors(path: str, tensors: dict, metadata: dict = None) -> None:
    """The safetensors layout: u64 LE header length, JSON header, then the packed little-endian buffer."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the format pads the header with spaces to 8-byte alignment
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path: str) -> dict:
    import numpy as np
    np_types = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        buf = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(buf[b:e], dtype=np_types[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out

# ------------------------------------------------------------------------------------------------ models


def build_model(spec: dict) -> nn.Module:
    """A torchaudio wav2vec2_model from a fixture spec, in eval mode, with every parameter randomised."""
    conv = [(spec["conv_dim"], k, s) for k, s in CONV_SHAPES]
    model = torchaudio.models.wav2vec2_model(
        extractor_mode="layer_norm" if spec["stable"] else "group_norm",
        extractor_conv_layer_config=conv,
        extractor_conv_bias=spec["conv_bias"],
        encoder_embed_dim=spec["hidden"],
        encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=spec["pos_kernel"],
        encoder_pos_conv_groups=spec["pos_groups"],
        encoder_num_layers=spec["layers"],
        encoder_num_heads=spec["heads"],
        encoder_attention_dropout=0.0,
        encoder_ff_interm_features=spec["ff"],
        encoder_ff_interm_dropout=0.0,
        encoder_dropout=0.0,
        encoder_layer_norm_first=spec["stable"],
        encoder_layer_drop=0.0,
        aux_num_out=spec.get("aux"),
    )
    if not spec["feat_proj_layer_norm"]:
        # HF HuBERT with feat_proj_layer_norm=false has no layer norm before the projection.
        model.encoder.feature_projection.layer_norm = nn.Identity()
    randomise(model)
    return model.eval()


def randomise(model: nn.Module) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight_g"):
                p.mul_(1.0 + 0.2 * torch.randn_like(p))
            elif "norm" in name.split(".")[-2] and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif name.endswith("weight") and p.dim() == 2:
                # Larger than BERT init (0.02) so that every layer changes its input visibly.
                p.copy_(torch.randn_like(p) / math.sqrt(p.shape[1]))


def hf_states(model: nn.Module, waves: Tensor, lengths) -> Tuple[List[Tensor], Tensor]:
    """L+1 hidden states in the HF convention, composed from torchaudio's own submodules."""
    feats, out_lengths = model.feature_extractor(waves, lengths)
    x, mask = model.encoder._preprocess(feats, out_lengths)
    t = model.encoder.transformer
    x = t._preprocess(x)  # + pos conv, then encoder.layer_norm for post-norm models
    states = [x]
    for layer in t.layers:
        x = layer(x, mask)
        states.append(x)
    if not t.layer_norm_first:  # stable layer norm: the final norm belongs to state L
        states[-1] = t.layer_norm(x)
    return states, out_lengths


def self_check(model: nn.Module, wave: Tensor) -> None:
    """Our composition agrees with torchaudio's own entry points (guards against a torchaudio change)."""
    states, _ = hf_states(model, wave, None)
    layers, _ = model.extract_features(wave)
    for i, y in enumerate(layers[:-1]):
        assert torch.equal(states[i + 1], y), f"layer {i}"
    feats, _ = model.feature_extractor(wave, None)
    final = model.encoder(feats)
    assert torch.allclose(states[-1], final, atol=1e-6), "final state"

# ------------------------------------------------------------------------------------------------ HF naming


def to_hf_keys(sd: dict, prefix: str, parametrizations: bool) -> dict:
    out = {}
    for k, v in sd.items():
        if k.startswith("aux."):
            continue
        k = k.replace("encoder.feature_projection.", "feature_projection.")
        k = k.replace("encoder.transformer.", "encoder.")
        if parametrizations:
            k = k.replace("pos_conv_embed.conv.weight_g", "pos_conv_embed.conv.parametrizations.weight.original0")
            k = k.replace("pos_conv_embed.conv.weight_v", "pos_conv_embed.conv.parametrizations.weight.original1")
        out[prefix + k] = v
    return out


def hf_config(spec: dict) -> dict:
    layer_mode = spec["stable"]
    cfg = {
        "architectures": ["HubertModel" if spec["model_type"] == "hubert" else "Wav2Vec2Model"],
        "model_type": spec["model_type"],
        "hidden_size": spec["hidden"],
        "num_hidden_layers": spec["layers"],
        "num_attention_heads": spec["heads"],
        "intermediate_size": spec["ff"],
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
        "feat_extract_norm": "layer" if layer_mode else "group",
        "feat_extract_activation": "gelu",
        "conv_dim": [spec["conv_dim"]] * len(CONV_SHAPES),
        "conv_kernel": [k for k, _ in CONV_SHAPES],
        "conv_stride": [s for _, s in CONV_SHAPES],
        "conv_bias": spec["conv_bias"],
        "num_conv_pos_embeddings": spec["pos_kernel"],
        "num_conv_pos_embedding_groups": spec["pos_groups"],
        "do_stable_layer_norm": spec["stable"],
        "hidden_dropout": 0.1,
        "attention_dropout": 0.1,
        "activation_dropout": 0.0,
        "feat_proj_dropout": 0.0,
        "layerdrop": 0.1,
        "torch_dtype": "float32",
    }
    if spec["model_type"] == "hubert":
        cfg["feat_proj_layer_norm"] = spec["feat_proj_layer_norm"]
    return cfg


def preprocessor_config(do_normalize: bool) -> dict:
    return {"do_normalize": do_normalize, "feature_extractor_type": "Wav2Vec2FeatureExtractor",
            "feature_size": 1, "padding_side": "right", "padding_value": 0.0,
            "return_attention_mask": do_normalize, "sampling_rate": SAMPLE_RATE}


def write_hf_dir(path: str, spec: dict, model: nn.Module, key_style: str, extra: dict) -> None:
    os.makedirs(path, exist_ok=True)
    sd = {k: v for k, v in model.state_dict().items()}
    if key_style == "torchaudio":
        tensors = dict(sd)
    else:
        tensors = to_hf_keys(sd, spec.get("prefix", ""), key_style == "parametrizations")
    tensors.update(extra)
    write_safetensors(os.path.join(path, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(hf_config(spec), f, indent=2)
    with open(os.path.join(path, "preprocessor_config.json"), "w") as f:
        json.dump(preprocessor_config(spec["do_normalize"]), f, indent=2)

# ------------------------------------------------------------------------------------------------ TorchScript


class ListWrapper(nn.Module):
    """Documented speechleak signature: forward(waveforms [B,T] f32, lengths [B] i64) -> (L+1 states, lengths)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, waveforms: Tensor, lengths: Tensor) -> Tuple[List[Tensor], Tensor]:
        feats, out_lengths = self.model.feature_extractor(waveforms, lengths)
        assert out_lengths is not None
        x, mask = self.model.encoder._preprocess(feats, out_lengths)
        t = self.model.encoder.transformer
        x = t._preprocess(x)
        states: List[Tensor] = [x]
        for layer in t.layers:
            x = layer(x, mask)
            states.append(x)
        if not t.layer_norm_first:
            states[-1] = t.layer_norm(x)
        return states, out_lengths


class StackedWrapper(nn.Module):
    """Same signature, states stacked: ([L+1, B, T', D], lengths [B])."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.inner = ListWrapper(model)

    def forward(self, waveforms: Tensor, lengths: Tensor) -> Tuple[Tensor, Tensor]:
        states, out_lengths = self.inner(waveforms, lengths)
        return torch.stack(states, 0), out_lengths

class ExtractOnly(nn.Module):
    """Exposes torchaudio's extract_features but hides the submodules speechleak recognises (they sit under
    `inner`): speechleak then returns states 1..L exactly as extract_features gives them."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.inner = model

    def forward(self, waveforms: Tensor, lengths: Tensor) -> Tensor:
        return self.inner(waveforms, lengths)[0]

    @torch.jit.export
    def extract_features(self, waveforms: Tensor,
                         lengths: Optional[Tensor] = None) -> Tuple[List[Tensor], Optional[Tensor]]:
        return self.inner.extract_features(waveforms, lengths)

# ------------------------------------------------------------------------------------------------ inputs


def make_waves(seconds: List[float], seed: int) -> List[Tensor]:
    """Speech-like test signals: a few drifting harmonics, an envelope and some noise."""
    g = torch.Generator().manual_seed(seed)
    waves = []
    for s in seconds:
        n = int(round(s * SAMPLE_RATE))
        t = torch.arange(n, dtype=torch.float64) / SAMPLE_RATE
        f0 = 100 + 80 * torch.rand(1, generator=g).item()
        x = torch.zeros(n, dtype=torch.float64)
        for h in range(1, 6):
            x += torch.sin(2 * math.pi * f0 * h * t * (1 + 0.05 * torch.sin(2 * math.pi * 1.3 * t))) / h
        env = 0.5 + 0.5 * torch.sin(2 * math.pi * 3.0 * t + torch.rand(1, generator=g).item() * 6)
        x = 0.2 * x * env + 0.02 * torch.randn(n, generator=g, dtype=torch.float64)
        waves.append(x.float())
    return waves


def hf_normalize(x: Tensor) -> Tensor:
    """Wav2Vec2FeatureExtractor do_normalize: (x - mean) / sqrt(var + 1e-7), population variance."""
    x64 = x.double()
    return ((x64 - x64.mean()) / torch.sqrt(x64.var(unbiased=False) + 1e-7)).float()

# ------------------------------------------------------------------------------------------------ main


FIXTURES = [
    dict(name="a_hubert_group", model_type="hubert", stable=False, conv_bias=False, conv_dim=32, hidden=32,
         heads=2, layers=2, ff=64, pos_kernel=16, pos_groups=4, feat_proj_layer_norm=False, prefix="hubert.",
         key_style="weight_g", do_normalize=False, seed=11),
    dict(name="b_w2v2_stable", model_type="wav2vec2", stable=True, conv_bias=True, conv_dim=48, hidden=48,
         heads=4, layers=3, ff=96, pos_kernel=16, pos_groups=4, feat_proj_layer_norm=True, prefix="wav2vec2.",
         key_style="parametrizations", do_normalize=True, seed=12),
    dict(name="c_hubert_fpln", model_type="hubert", stable=False, conv_bias=False, conv_dim=32, hidden=64,
         heads=4, layers=2, ff=128, pos_kernel=15, pos_groups=4, feat_proj_layer_norm=True, prefix="",
         key_style="weight_g", do_normalize=False, seed=13, aux=5),
]


def extra_keys(spec: dict) -> dict:
    """Heads and pretraining tensors that real checkpoints carry and the loader must ignore."""
    d = spec["hidden"]
    if spec["name"].startswith("a_"):
        return {"hubert.masked_spec_embed": torch.rand(d), "final_proj.weight": torch.randn(8, d),
                "final_proj.bias": torch.randn(8), "label_embs_concat": torch.randn(10, 8)}
    if spec["name"].startswith("b_"):
        return {"wav2vec2.masked_spec_embed": torch.rand(d), "quantizer.codevectors": torch.randn(1, 8, 4),
                "quantizer.weight_proj.weight": torch.randn(8, spec["conv_dim"]),
                "quantizer.weight_proj.bias": torch.randn(8), "project_q.weight": torch.randn(4, 4),
                "project_q.bias": torch.randn(4), "project_hid.weight": torch.randn(4, d),
                "project_hid.bias": torch.randn(4), "lm_head.weight": torch.randn(5, d),
                "lm_head.bias": torch.randn(5)}
    return {}  # c: a clean HubertModel save (its torchaudio aux.* CTC head is dropped by to_hf_keys)


def write_fixture(out: str, spec: dict, waves: List[Tensor]) -> None:
    torch.manual_seed(spec["seed"])
    model = build_model(spec)
    with torch.no_grad():
        self_check(model, waves[0][None])
        d = os.path.join(out, spec["name"])
        write_hf_dir(d, spec, model, spec["key_style"], extra_keys(spec))
        refs = {}
        for i, w in enumerate(waves):
            x = hf_normalize(w) if spec["do_normalize"] else w
            states, _ = hf_states(model, x[None], None)
            for l, s in enumerate(states):
                refs[f"state{l}_wave{i}"] = s[0]
        write_safetensors(os.path.join(d, "reference.safetensors"), refs)
    script_fixture(out, spec, model)


def script_fixture(out: str, spec: dict, model: nn.Module) -> None:
    # torch.jit.script removes weight norm from the module it is given (torchaudio's __prepare_scriptable__):
    # this runs after the HF directory was written.
    letter = spec["name"][0]
    if letter == "a":
        torch.jit.script(ListWrapper(model)).save(os.path.join(out, "a_wrapper_list.pt"))
    elif letter == "b":
        torch.jit.script(StackedWrapper(model)).save(os.path.join(out, "b_wrapper_stacked.pt"))
        torch.jit.script(ExtractOnly(model)).save(os.path.join(out, "b_extract_only.pt"))
    else:
        torch.jit.script(model).save(os.path.join(out, "c_torchaudio.pt"))


VOCAB = ["[PAD]", "[UNK]", "|", "'"] + [chr(c) for c in range(ord("A"), ord("Z") + 1)]
CTC_SPEC = dict(name="d_w2v2_ctc", model_type="wav2vec2", stable=False, conv_bias=False, conv_dim=32, hidden=32,
                heads=2, layers=2, ff=64, pos_kernel=16, pos_groups=4, feat_proj_layer_norm=True,
                prefix="wav2vec2.", key_style="weight_g", do_normalize=True, aux=len(VOCAB))


def greedy(logits: Tensor) -> str:
    """Argmax per frame, repeats merged, the blank and [UNK] dropped, "|" as a space."""
    out, prev = [], None
    for i in logits.argmax(-1).tolist():
        if i != prev and i not in (0, 1):
            out.append(" " if VOCAB[i] == "|" else VOCAB[i])
        prev = i
    return " ".join("".join(out).split())


def write_ctc_fixture(out: str, waves: List[Tensor]) -> None:
    spec = dict(CTC_SPEC)
    for seed in range(21, 60):
        torch.manual_seed(seed)
        model = build_model(spec)
        with torch.no_grad():
            # A head that follows the hidden states rather than its bias, so that frames disagree.
            model.aux.weight.mul_(8.0)
            model.aux.bias.mul_(0.1)
            logits = [model(hf_normalize(w)[None])[0][0] for w in waves]
        gaps = [(l.topk(2, -1).values[:, 0] - l.topk(2, -1).values[:, 1]).min().item() for l in logits]
        texts = [greedy(l) for l in logits]
        if min(gaps) > 0.01 and all(len(set(t.replace(" ", ""))) >= 3 for t in texts):
            break
    else:
        raise SystemExit("no seed in 21..59 gives a CTC fixture without near-ties")
    d = os.path.join(out, spec["name"])
    sd = model.state_dict()
    extra = {"lm_head.weight": sd["aux.weight"], "lm_head.bias": sd["aux.bias"]}
    write_hf_dir(d, spec, model, spec["key_style"], extra)
    cfg = hf_config(spec)
    cfg.update({"architectures": ["Wav2Vec2ForCTC"], "vocab_size": len(VOCAB), "pad_token_id": 0,
                "ctc_loss_reduction": "mean", "ctc_zero_infinity": True, "final_dropout": 0.1})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(d, "vocab.json"), "w") as f:
        json.dump({t: i for i, t in enumerate(VOCAB)}, f, indent=2)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "Wav2Vec2CTCTokenizer", "pad_token": "[PAD]", "unk_token": "[UNK]",
                   "word_delimiter_token": "|", "bos_token": None, "eos_token": None}, f, indent=2)
    with open(os.path.join(d, "special_tokens_map.json"), "w") as f:
        json.dump({"pad_token": "[PAD]", "unk_token": "[UNK]"}, f, indent=2)
    write_safetensors(os.path.join(d, "reference.safetensors"),
                      {f"logits_wave{i}": l.contiguous() for i, l in enumerate(logits)})
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump({"seed": seed, "min_top2_gap": min(gaps), "greedy": texts}, f, indent=2)


def write_bench(out: str, seconds: float) -> None:
    """A HuBERT-base-shaped random model (94M parameters) as an HF directory, and `seconds` of audio."""
    spec = dict(name="hubert_base", model_type="hubert", stable=False, conv_bias=False, conv_dim=512,
                hidden=768, heads=12, layers=12, ff=3072, pos_kernel=128, pos_groups=16,
                feat_proj_layer_norm=True, prefix="", key_style="weight_g", do_normalize=False, seed=1)
    torch.manual_seed(spec["seed"])
    conv = [(512, k, s) for k, s in CONV_SHAPES]
    model = torchaudio.models.wav2vec2_model("group_norm", conv, False, 768, 0.0, 128, 16, 12, 12, 0.0, 3072,
                                             0.0, 0.0, False, 0.0, None).eval()
    write_hf_dir(os.path.join(out, "hubert_base"), spec, model, "weight_g", {})
    write_safetensors(os.path.join(out, "audio.safetensors"), {"wave": make_waves([seconds], 5)[0]})


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "encoder"))
    ap.add_argument("--bench", metavar="DIR", help="write the benchmark model and audio to DIR instead")
    ap.add_argument("--seconds", type=float, default=10.0, help="benchmark audio length")
    ap.add_argument("--only-ctc", action="store_true", help="write only the CTC fixture (d_w2v2_ctc)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.bench:
        write_bench(args.bench, args.seconds)
        return
    os.makedirs(args.out, exist_ok=True)
    waves = make_waves([0.6, 1.0, 1.37], seed=7)
    write_safetensors(os.path.join(args.out, "inputs.safetensors"),
                      {f"wave{i}": w for i, w in enumerate(waves)})
    for spec in [] if args.only_ctc else FIXTURES:
        write_fixture(args.out, spec, waves)
    write_ctc_fixture(args.out, waves)
    print(f"wrote fixtures to {os.path.abspath(args.out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
