#!/usr/bin/python3
"""The Python/torchaudio twin of `speechleak noise-mask` (the baseline of bench/noise_mask_bench.sh).

    /usr/bin/python3 bench/noise_mask_reference.py CTC_DIR MANIFEST.tsv NAMES.tsv THREADS OUT.tsv -> JSON on stdout

The straightforward loop, one utterance at a time: torchaudio.load; the unmasked audio recognised; every name span
of names.tsv padded by 0.05 s and replaced by white noise at the RMS of the rest of the audio; normalise, forward,
greedy CTC; the guess read as the hypothesis words at the name's word positions. Times the loop (model loading
excluded): masked utterances per second.
"""
import csv
import json
import sys
import time

import torch

from asr_reference import fx, load_model, load_wave, read_rows

PAD_S = 0.05


def spans_by_utterance(names_tsv: str):
    out = {}
    with open(names_tsv) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["utt_id"], []).append(row)
    return out


def normalise(wav):
    return (wav - wav.mean()) / torch.sqrt(wav.var(unbiased=False) + 1e-7)


def main() -> None:
    model_dir, manifest, names_tsv, threads, out_tsv = sys.argv[1:6]
    torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    model, normalize = load_model(model_dir)
    model.eval()
    root, rows = read_rows(manifest)
    mentions = spans_by_utterance(names_tsv)
    lines = ["utt_id\tname\tguess\thypothesis"]
    trials = 0
    t0 = time.perf_counter()
    with torch.inference_mode():
        for r in rows:
            raw = load_wave(root, r, False)
            prepare = normalise if normalize else (lambda w: w)
            model(prepare(raw)[None])  # the unmasked pass
            for m in mentions.get(r["utt_id"], []):
                a = max(0, int((float(m["start_s"]) - PAD_S) * 16000))
                b = min(len(raw), int((float(m["end_s"]) + PAD_S) * 16000))
                rest = torch.cat([raw[:a], raw[b:]])
                level = torch.sqrt((rest ** 2).mean()) if len(rest) else torch.tensor(0.1)
                wav = raw.clone()
                wav[a:b] = torch.randn(b - a) * level
                logits, _ = model(prepare(wav)[None])
                hyp = fx.greedy(logits[0])
                k, n = int(m["word_index"]), int(m["num_words"])
                guess = " ".join(hyp.split()[k:k + n])
                lines.append("\t".join([r["utt_id"], m["name"], guess, hyp]))
                trials += 1
    wall = time.perf_counter() - t0
    with open(out_tsv, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(json.dumps({"trials": trials, "loop_seconds": wall, "masked_per_s": trials / wall}))


if __name__ == "__main__":
    main()
