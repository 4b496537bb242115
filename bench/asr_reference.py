#!/usr/bin/python3
"""The Python/torchaudio twins of `speechleak finetune` and `speechleak transcribe` (baselines of bench/asr_bench.sh).

    /usr/bin/python3 bench/asr_reference.py finetune MODEL_DIR MANIFEST.tsv THREADS BATCH   -> JSON on stdout
    /usr/bin/python3 bench/asr_reference.py transcribe CTC_DIR MANIFEST.tsv THREADS OUT.tsv -> JSON on stdout

finetune: one epoch of the CTC step on the manifest's utterances in file order, BATCH whole utterances per step
(zero-padded, lengths passed), the conv feature encoder frozen (no_grad), torchaudio's transformer, a Linear head over
speechleak's 30 characters, CTC loss (mean, zero_infinity), Adam, gradient clipping at 10. Times the steps only
(audio decoding and model loading excluded), as speechleak's audio_seconds_per_second does.

transcribe: the straightforward loop: one utterance at a time, torchaudio.load -> normalise -> forward -> greedy CTC
decoding (argmax, repeats merged, blanks dropped). Times the loop, model loading excluded (the process wall time,
start-up included, is measured by the shell script).
"""
import csv
import json
import os
import sys
import time

import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_encoder_fixtures as fx  # noqa: E402
from torchaudio_forward import torchaudio_model  # noqa: E402

VOCAB = fx.VOCAB


def load_model(model_dir: str):
    """The model with a head over speechleak's vocabulary (a fresh one for an encoder directory)."""
    model = torchaudio_model(model_dir, aux_num_out=len(VOCAB))
    with open(os.path.join(model_dir, "preprocessor_config.json")) as f:
        normalize = json.load(f).get("do_normalize", False)
    return model, normalize


def read_rows(manifest: str):
    root = os.path.dirname(os.path.abspath(manifest))
    with open(manifest) as f:
        return root, list(csv.DictReader(f, delimiter="\t"))


def load_wave(root: str, row, normalize: bool):
    wav, sr = torchaudio.load(os.path.join(root, row["path"]))
    wav = wav.mean(0)
    if sr != 16000:
        wav = torchaudio.functional.resample(wav, sr, 16000)
    if normalize:
        wav = (wav - wav.mean()) / torch.sqrt(wav.var(unbiased=False) + 1e-7)
    return wav


def labels(text: str):
    ids = {t: i for i, t in enumerate(VOCAB)}
    return [ids.get(c, 1) for c in "|".join(text.upper().split())]


def finetune(model_dir, manifest, batch):
    model, normalize = load_model(model_dir)
    model.train()
    root, rows = read_rows(manifest)
    waves = [load_wave(root, r, normalize) for r in rows]
    targets = [torch.tensor(labels(r["transcript"])) for r in rows]
    params = [p for n, p in model.named_parameters() if not n.startswith("feature_extractor.")]
    opt = torch.optim.Adam(params, lr=5e-5, betas=(0.9, 0.98), eps=1e-6)
    audio, spent = 0.0, 0.0
    for s in range(0, len(rows), batch):
        w = waves[s:s + batch]
        y = targets[s:s + batch]
        lengths = torch.tensor([len(x) for x in w])
        x = torch.zeros(len(w), int(lengths.max()))
        for i, v in enumerate(w):
            x[i, :len(v)] = v
        t0 = time.perf_counter()
        opt.zero_grad()
        with torch.no_grad():
            feats, frames = model.feature_extractor(x, lengths)
        h = model.encoder(feats, frames)
        logits = model.aux(h)
        lp = torch.log_softmax(logits, -1).transpose(0, 1)
        loss = torch.nn.functional.ctc_loss(lp, torch.cat(y), frames, torch.tensor([len(v) for v in y]), blank=0,
                                            reduction="mean", zero_infinity=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        spent += time.perf_counter() - t0
        audio += float(lengths.sum()) / 16000
    return {"steps": (len(rows) + batch - 1) // batch, "audio_seconds": audio, "train_seconds": spent,
            "audio_seconds_per_second": audio / spent}


def transcribe(model_dir, manifest, out_tsv):
    model, normalize = load_model(model_dir)
    model.eval()
    root, rows = read_rows(manifest)
    audio = 0.0
    t0 = time.perf_counter()
    lines = ["utt_id\thypothesis"]
    with torch.inference_mode():
        for r in rows:
            wav = load_wave(root, r, normalize)
            audio += len(wav) / 16000
            logits, _ = model(wav[None])
            lines.append(r["utt_id"] + "\t" + fx.greedy(logits[0]))
    wall = time.perf_counter() - t0
    with open(out_tsv, "w") as f:
        f.write("\n".join(lines) + "\n")
    return {"utterances": len(rows), "audio_seconds": audio, "loop_seconds": wall, "x_real_time": audio / wall}


def main() -> None:
    mode, model_dir, manifest, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if mode == "finetune":
        print(json.dumps(finetune(model_dir, manifest, int(sys.argv[5]))))
    else:
        print(json.dumps(transcribe(model_dir, manifest, sys.argv[5])))


if __name__ == "__main__":
    main()
