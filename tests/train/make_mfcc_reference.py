#!/usr/bin/python3
# Prints the torchaudio reference values committed in tests/train/mfcc_test.cpp (run with Debian's /usr/bin/python3,
# torchaudio 0.13.1): MFCC (log-mel, HTK mel scale, no centring, 25 ms / 20 ms) and compute_deltas of a test signal.
import math
import torch
import torchaudio

n = torch.arange(2000, dtype=torch.float64)
ramp = n / 2000.0
chirp = torch.sin(2 * math.pi * (300 * n / 16000 + 0.5 * 2000 * (n / 16000) ** 2))
x = (ramp * (0.5 * torch.sin(2 * math.pi * 440 * n / 16000) + 0.25 * torch.sin(2 * math.pi * 1800 * n / 16000 + 0.3))
     + 0.2 * chirp).float()
mfcc = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=13, log_mels=True,
                                  melkwargs=dict(n_fft=400, win_length=400, hop_length=320, f_min=20.0, f_max=8000.0,
                                                 n_mels=40, center=False, power=2.0, mel_scale="htk", norm=None))
c = mfcc(x)  # [13, frames]
d1 = torchaudio.functional.compute_deltas(c.unsqueeze(0)).squeeze(0)
d2 = torchaudio.functional.compute_deltas(d1.unsqueeze(0)).squeeze(0)
print("frames:", c.shape[1])
fmt = lambda v: ", ".join("%.5ff" % t for t in v.tolist())
print("frame 2 mfcc:", fmt(c[:, 2]))
print("frame 2 delta:", fmt(d1[:, 2]))
print("frame 2 delta2:", fmt(d2[:, 2]))
