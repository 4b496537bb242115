#!/usr/bin/python3
"""Writes the TERA parity fixture (tests/fixtures/encoder/g_tera), after scripts/make_encoder_fixtures.py, whose
inputs.safetensors it reads:

    /usr/bin/python3 scripts/make_tera_fixtures.py

s3prl is not packaged for Debian, so the reference is written here from s3prl's upstream/mockingjay/model.py
(TransformerInputRepresentations, TransformerLayer: post-norm BERT layers, the sinusoidal position table) and
upstream/baseline/preprocessor.py (OnlinePreprocessor with feat_type mel: the level normalisation of
TransformerBuilder, torch.stft centred with reflect padding, torchaudio's MelScale, log, per-utterance CMVN with
the unbiased std), under s3prl's parameter names. Its state dict and config are saved as an s3prl checkpoint
(torch.save of {"Transformer", "SpecHead", "Upstream_Config"}) and converted with scripts/convert_s3prl_tera.py,
so the fixture also tests the documented conversion.

g_tera/   a TERA model: hidden 64, 2 layers, 4 heads, 80 mel bands (s3prl's logMelBase audio settings), every weight
          and norm parameter random; keys "Transformer.*" and "SpecHead.*" (s3prl naming)
          reference.safetensors: mel_wave{i} [T_i, 80] (the front end's output) and state{l}_wave{i} [T_i, 64] for
          l = 0..2, one utterance at a time
"""
import math
import os
import sys
import tempfile
from typing import List

import torch
import torchaudio
from torch import Tensor, nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_s3prl_tera  # noqa: E402
import make_encoder_fixtures as base  # noqa: E402

TRANSFORMER = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128,
               "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
               "initializer_range": 0.02, "layer_norm_eps": 1e-12, "share_layer": False, "pre_layer_norm": False}
AUDIO = {"target_level": -25, "win_ms": 25, "hop_ms": 10, "n_freq": 201, "n_mels": 80, "n_mfcc": 13,
         "input": {"feat_type": "mel", "channel": 0, "log": True, "delta": 0, "cmvn": True},
         "target": {"feat_type": "mel", "channel": 1, "log": True, "delta": 0, "cmvn": True}}
EPS = 1e-10


def log_mel(wave: Tensor) -> Tensor:
    """One utterance [S] -> [T, n_mels], as s3prl's builder and OnlinePreprocessor compute it."""
    rms = wave.pow(2).mean().pow(0.5)
    wave = wave * (10 ** (AUDIO["target_level"] / 20)) / (rms + 1e-10)
    n_fft = (AUDIO["n_freq"] - 1) * 2
    win = round(AUDIO["win_ms"] * 16000 / 1000)
    hop = round(AUDIO["hop_ms"] * 16000 / 1000)
    spec = torch.stft(wave, n_fft=n_fft, hop_length=hop, win_length=win, window=torch.hann_window(win),
                      center=True, pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
    power = spec.abs().pow(2)  # magphase(power=2)
    mel = torchaudio.transforms.MelScale(sample_rate=16000, n_mels=AUDIO["n_mels"], n_stft=AUDIO["n_freq"])(power)
    mel = (mel + EPS).log()  # [n_mels, T]
    mel = (mel - mel.mean(dim=-1, keepdim=True)) / (mel.std(dim=-1, keepdim=True) + EPS)
    return mel.transpose(0, 1).contiguous()


def sinusoid_table(frames: int, width: int) -> Tensor:
    import numpy as np
    angle = np.array([[p / np.power(10000, 2 * (i // 2) / width) for i in range(width)] for p in range(frames)])
    angle[:, 0::2] = np.sin(angle[:, 0::2])
    angle[:, 1::2] = np.cos(angle[:, 1::2])
    return torch.FloatTensor(angle)


class LayerNorm(nn.Module):  # s3prl's TransformerLayerNorm (epsilon inside the square root)
    def __init__(self, width: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        return self.weight * (x - u) / torch.sqrt(s + self.eps) + self.bias


def gelu(x: Tensor) -> Tensor:
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Layer(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        d, f, eps = c["hidden_size"], c["intermediate_size"], c["layer_norm_eps"]
        self.heads = c["num_attention_heads"]
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        s = self.attention.self
        s.query, s.key, s.value = (nn.Linear(d, d) for _ in range(3))
        self.attention.output = nn.Module()
        self.attention.output.dense, self.attention.output.LayerNorm = nn.Linear(d, d), LayerNorm(d, eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(d, f)
        self.output = nn.Module()
        self.output.dense, self.output.LayerNorm = nn.Linear(f, d), LayerNorm(d, eps)

    def forward(self, x: Tensor) -> Tensor:
        a = self.attention
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(a.self.query(x)), split(a.self.key(x)), split(a.self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d // self.heads)
        ctx = torch.matmul(scores.softmax(-1), v).permute(0, 2, 1, 3).reshape(b, t, d)
        h = a.output.LayerNorm(a.output.dense(ctx) + x)
        return self.output.LayerNorm(self.output.dense(gelu(self.intermediate.dense(h))) + h)


class Tera(nn.Module):
    def __init__(self, c: dict, input_dim: int):
        super().__init__()
        self.input_representations = nn.Module()
        self.input_representations.spec_transform = nn.Linear(input_dim, c["hidden_size"])
        self.input_representations.LayerNorm = LayerNorm(c["hidden_size"], c["layer_norm_eps"])
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def states(self, mel: Tensor) -> List[Tensor]:
        r = self.input_representations
        x = r.spec_transform(mel.unsqueeze(0)) + sinusoid_table(mel.size(0), r.spec_transform.out_features)
        states = [r.LayerNorm(x)]
        for layer in self.encoder.layer:
            states.append(layer(states[-1]))
        return [s.squeeze(0) for s in states]


class SpecHead(nn.Module):
    def __init__(self, c: dict, output_dim: int):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = LayerNorm(c["hidden_size"], c["layer_norm_eps"])
        self.output = nn.Linear(c["hidden_size"], output_dim)


def randomise(*modules: nn.Module) -> None:
    with torch.no_grad():
        for m in modules:
            for name, p in m.named_parameters():
                if name.endswith("LayerNorm.weight"):
                    p.uniform_(0.8, 1.2)
                elif name.endswith("bias"):
                    p.uniform_(-0.1, 0.1)
                else:
                    p.normal_(0.0, 0.08)


def main() -> None:
    torch.manual_seed(7)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "encoder")
    inputs = base.read_safetensors(os.path.join(out, "inputs.safetensors"))
    model, head = Tera(TRANSFORMER, AUDIO["n_mels"]), SpecHead(TRANSFORMER, AUDIO["n_mels"])
    randomise(model, head)
    model.eval()
    refs = {}
    with torch.no_grad():
        for i in range(3):
            mel = log_mel(inputs[f"wave{i}"])
            refs[f"mel_wave{i}"] = mel
            for l, s in enumerate(model.states(mel)):
                refs[f"state{l}_wave{i}"] = s
    ckpt = {"Transformer": model.state_dict(), "SpecHead": head.state_dict(),
            "Upstream_Config": {"transformer": TRANSFORMER, "audio": AUDIO, "task": {"sequence_length": 0}}}
    d = os.path.join(out, "g_tera")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "states-1.ckpt")
        torch.save(ckpt, path)
        convert_s3prl_tera.convert(convert_s3prl_tera.load_checkpoint(path), d)
    base.write_safetensors(os.path.join(d, "reference.safetensors"), refs)
    print("wrote", d)


if __name__ == "__main__":
    main()
