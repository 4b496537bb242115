#!/usr/bin/env bash
# Noise-masking attack throughput: `speechleak noise-mask` against its Python/torchaudio twin
# (bench/noise_mask_reference.py), same machine, same corpus, same recogniser, same run; the Python side both with
# default OpenMP waiting and with OMP_WAIT_POLICY=PASSIVE. Masked utterances per second, each also recognised
# unmasked once (speechleak's default). Results: docs/performance.md ("Noise masking").
#
#   bench/noise_mask_bench.sh [BUILD_DIR]      env: ARCH=small THREADS=2 CANARIES=60 ROUNDS=2
#
# The recogniser is a randomly initialised encoder of ARCH with a fine-tuned head (one epoch): throughput does not
# depend on the weights. speechleak's time is its attack loop (summary.json throughput.wall_s, target set only, audio
# decoding included); Python's its loop (audio loading included, model loading excluded).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
arch=${ARCH:-small}
threads=${THREADS:-2}
rounds=${ROUNDS:-2}
py=/usr/bin/python3
out=$root/bench/out/noise_mask
sl=$build/speechleak
rm -rf "$out"
mkdir -p "$out"
"$sl" -q synth --out "$out/corpus" --seed 9 --pretrain-speakers 1 --aux-speakers 0 --heldout-speakers 0 \
  --finetune-speakers 2 --utts-per-speaker 6 --name-inventory 10 --allow-finetune-pretrain-names \
  --canaries "${CANARIES:-60}" --canary-inventory-names --canary-insert-fraction 0.5
c=$out/corpus
"$sl" -q pretrain --corpus "librispeech:$c:pretrain" --arch "$arch" --epochs 1 --max-steps 1 --lr 1e-9 --out "$out/init"
"$sl" -q finetune --model "$out/init" --corpus "librispeech:$c:finetune" --out "$out/asr" --epochs 1 \
  --threads "$threads" >"$out/ft.log"
targets="manifest:$c/canaries-targets.tsv?alignments=$c/canaries.ctm"
control="manifest:$c/canaries-heldout.tsv?alignments=$c/canaries.ctm"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  rm -rf "$out/run$r"
  "$sl" -q noise-mask --asr "$out/asr" --targets "$targets" --control "$control" --threads "$threads" \
    --out "$out/run$r" >"$out/sl$r.log"
  (cd "$here" && "$py" noise_mask_reference.py "$out/asr" "$c/canaries-targets.tsv" "$c/names.tsv" "$threads" \
    "$out/py$r.tsv" >"$out/py$r.json")
  (cd "$here" && OMP_WAIT_POLICY=PASSIVE "$py" noise_mask_reference.py "$out/asr" "$c/canaries-targets.tsv" \
    "$c/names.tsv" "$threads" "$out/pyp$r.tsv" >"$out/pyp$r.json")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
"$py" - "$out" "$rounds" "$arch" "$threads" "$load_before" "$load_after" <<'PY'
import json, sys
out, rounds, arch, threads, lb, la = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
best = lambda xs: max(xs)
sl = [json.load(open(f"{out}/run{r}/summary.json"))["noise_masking"]["sets"][0]["throughput"] for r in range(1, rounds + 1)]
sl_rate = best([s["masked_per_s"] for s in sl])
py = best([json.load(open(f"{out}/py{r}.json"))["masked_per_s"] for r in range(1, rounds + 1)])
pyp = best([json.load(open(f"{out}/pyp{r}.json"))["masked_per_s"] for r in range(1, rounds + 1)])
trials = json.load(open(f"{out}/py1.json"))["trials"]
print(f"noise masking, arch {arch}, {threads} threads, {trials} target trials, best of {rounds} (load {lb} -> {la})")
print(f"  speechleak noise-mask       {sl_rate:7.2f} masked utterances/s")
print(f"  torchaudio loop             {py:7.2f}   ratio {sl_rate / py:.2f}x")
print(f"  torchaudio loop, PASSIVE    {pyp:7.2f}   ratio {sl_rate / pyp:.2f}x")
PY
