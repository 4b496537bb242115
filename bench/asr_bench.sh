#!/usr/bin/env bash
# Recognition throughput: `speechleak finetune` (the CTC training step) and `speechleak transcribe` against their
# Python/torchaudio twins (bench/asr_reference.py), same machine, same corpus, same model, same run; the Python side
# both with default OpenMP waiting and with OMP_WAIT_POLICY=PASSIVE. Results: docs/performance.md ("Recognition").
#
#   bench/asr_bench.sh [BUILD_DIR]      env: ARCH=small THREADS=2 BATCH=8 SPEAKERS=4 UTTS=12 ROUNDS=2
#
# The model is a randomly initialised encoder of ARCH (one pretraining step at lr 1e-9): throughput does not depend
# on the weights. Fine-tuning compares step time only (both sides exclude decoding and loading); transcription
# compares process wall time (start-up, model load, decoding and the corpus included) and the Python loop alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
arch=${ARCH:-small}
threads=${THREADS:-2}
batch=${BATCH:-8}
rounds=${ROUNDS:-2}
py=/usr/bin/python3
out=$root/bench/out/asr
sl=$build/speechleak
rm -rf "$out"
mkdir -p "$out"
"$sl" -q synth --out "$out/corpus" --seed 9 --pretrain-speakers 1 --utts-per-speaker "${UTTS:-12}" --aux-speakers 0 \
  --heldout-speakers 0 --finetune-speakers "${SPEAKERS:-4}"
spec="librispeech:$out/corpus:finetune"
"$sl" -q pretrain --corpus "librispeech:$out/corpus:pretrain" --arch "$arch" --epochs 1 --max-steps 1 --lr 1e-9 \
  --out "$out/init"

wall() {  # name, then the command: prints the wall seconds
  local name=$1; shift
  /usr/bin/time -f "%e" -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1
  cat "$out/$name.time"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  rm -rf "$out/ft$r"
  "$sl" -q finetune --model "$out/init" --corpus "$spec" --out "$out/ft$r" --epochs 1 --batch-size "$batch" \
    --mask-time-prob 0 --final-dropout 0 --threads "$threads" >"$out/ft$r.log"
  "$py" "$here/asr_reference.py" finetune "$out/init" "$out/corpus/finetune.tsv" "$threads" "$batch" >"$out/py_ft$r.json"
  OMP_WAIT_POLICY=PASSIVE "$py" "$here/asr_reference.py" finetune "$out/init" "$out/corpus/finetune.tsv" "$threads" \
    "$batch" >"$out/pyp_ft$r.json"
  echo "$(wall sl_tr$r "$sl" -q transcribe --model "$out/ft1" --corpus "$spec" --threads "$threads" --out "$out/sl_hyp.tsv")" >"$out/sl_tr$r.wall"
  echo "$(wall py_tr$r "$py" "$here/asr_reference.py" transcribe "$out/ft1" "$out/corpus/finetune.tsv" "$threads" "$out/py_hyp.tsv")" >"$out/py_tr$r.wall"
  echo "$(wall pyp_tr$r env OMP_WAIT_POLICY=PASSIVE "$py" "$here/asr_reference.py" transcribe "$out/ft1" "$out/corpus/finetune.tsv" "$threads" "$out/pyp_hyp.tsv")" >"$out/pyp_tr$r.wall"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cmp -s <(tail -n +2 "$out/sl_hyp.tsv" | sort) <(tail -n +2 "$out/py_hyp.tsv" | sort) && same=yes || same=no

"$py" - "$out" "$rounds" "$arch" "$threads" "$batch" "$load_before" "$load_after" "$same" <<'PY'
import json, sys
out, rounds, arch, threads, batch, lb, la, same = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
R = range(1, rounds + 1)
sl_ft = max(json.load(open(f"{out}/ft{r}/speechleak_finetuning.json"))["training"]["audio_seconds_per_second"] for r in R)
py_ft = max(json.load(open(f"{out}/py_ft{r}.json"))["audio_seconds_per_second"] for r in R)
pyp_ft = max(json.load(open(f"{out}/pyp_ft{r}.json"))["audio_seconds_per_second"] for r in R)
audio = json.load(open(f"{out}/py_ft1.json"))["audio_seconds"]
wall = lambda name: min(float(open(f"{out}/{name}{r}.wall").read()) for r in R)
loop = lambda name: min(json.loads(open(f"{out}/{name}{r}.log").read().strip().splitlines()[-1])["loop_seconds"] for r in R)
s = {"arch": arch, "threads": int(threads), "batch": int(batch), "audio_seconds": round(audio, 1),
     "loadavg_before": lb, "loadavg_after": la, "best_of_rounds": rounds,
     "finetune_audio_s_per_s": {"speechleak": round(sl_ft, 2), "torchaudio": round(py_ft, 2),
                                "torchaudio_passive": round(pyp_ft, 2),
                                "ratio_vs_passive": round(sl_ft / pyp_ft, 2), "ratio_vs_default": round(sl_ft / py_ft, 2)},
     "transcribe_wall_s": {"speechleak": wall("sl_tr"), "python_loop": wall("py_tr"), "python_loop_passive": wall("pyp_tr"),
                           "python_loop_only_passive": round(loop("pyp_tr"), 2)},
     "transcripts_identical": same == "yes"}
t = s["transcribe_wall_s"]
t["x_real_time"] = {"speechleak": round(audio / t["speechleak"], 1), "python_loop_passive": round(audio / t["python_loop_passive"], 1)}
t["ratio_vs_passive"] = round(t["python_loop_passive"] / t["speechleak"], 2)
t["ratio_vs_default"] = round(t["python_loop"] / t["speechleak"], 2)
json.dump(s, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(s, indent=2))
PY
