#!/usr/bin/python3
"""The straightforward Python/torchaudio extraction loop the seed authors' code uses, as the baseline of
bench/extract_bench.sh: one utterance at a time, load -> resample -> forward -> save (numpy), no batching, no
decoding in parallel.

    /usr/bin/python3 bench/extract_reference.py MODEL_DIR MANIFEST.tsv OUT_DIR THREADS  -> JSON on stdout
"""
import csv
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchaudio_forward import torchaudio_model  # noqa: E402


def main() -> None:
    model_dir, manifest, out_dir, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(threads)
    model = torchaudio_model(model_dir)
    root = os.path.dirname(os.path.abspath(manifest))
    with open(manifest) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    os.makedirs(out_dir, exist_ok=True)
    audio_seconds = 0.0
    t0 = time.perf_counter()
    with torch.inference_mode():
        for row in rows:
            wav, sr = torchaudio.load(os.path.join(root, row["path"]))
            wav = wav.mean(0, keepdim=True)
            if sr != 16000:
                wav = torchaudio.functional.resample(wav, sr, 16000)
            audio_seconds += wav.shape[1] / 16000
            layers, _ = model.extract_features(wav)
            np.save(os.path.join(out_dir, row["utt_id"] + ".npy"), layers[-1][0].numpy())
    wall = time.perf_counter() - t0
    print(json.dumps({"utterances": len(rows), "audio_seconds": audio_seconds, "wall_seconds": wall,
                      "x_real_time": audio_seconds / wall,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
