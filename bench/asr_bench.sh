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

timed() {  # name, then the command: its wall seconds go to $out/name.time, its output to $out/name.log
  local name=$1; shift
  /usr/bin/time -f "%e" -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1
}

manifest=$out/corpus/finetune.tsv
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
  rm -rf "$out/ft$r"
  "$sl" -q finetune --model "$out/init" --corpus "$spec" --out "$out/ft$r" --epochs 1 --batch-size "$batch" \
    --mask-time-prob 0 --final-dropout 0 --threads "$threads" >"$out/ft$r.log"
  "$py" "$here/asr_reference.py" finetune "$out/init" "$manifest" "$threads" "$batch" >"$out/py_ft$r.json"
  OMP_WAIT_POLICY=PASSIVE "$py" "$here/asr_reference.py" finetune "$out/init" "$manifest" "$threads" "$batch" \
    >"$out/pyp_ft$r.json"
  timed "sl_tr$r" "$sl" -q transcribe --model "$out/ft1" --corpus "$spec" --threads "$threads" --out "$out/sl_hyp.tsv"
  timed "py_tr$r" "$py" "$here/asr_reference.py" transcribe "$out/ft1" "$manifest" "$threads" "$out/py_hyp.tsv"
  timed "pyp_tr$r" env OMP_WAIT_POLICY=PASSIVE "$py" "$here/asr_reference.py" transcribe "$out/ft1" "$manifest" \
    "$threads" "$out/pyp_hyp.tsv"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
cmp -s <(tail -n +2 "$out/sl_hyp.tsv" | sort) <(tail -n +2 "$out/py_hyp.tsv" | sort) && same=yes || same=no

"$py" - "$out" "$rounds" "$arch" "$threads" "$batch" "$load_before" "$load_after" "$same" <<'PY'
import json, sys
out, rounds, arch, threads, batch, lb, la, same = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
R = range(1, rounds + 1)


def load(path):
    return json.loads(open(f"{out}/{path}").read().strip().splitlines()[-1])  # the JSON line of a log


def best_rate(path):  # path with {r}: the best audio s/s of the rounds
    return max(load(path.format(r=r))["audio_seconds_per_second"] for r in R)


sl_ft = max(json.load(open(f"{out}/ft{r}/speechleak_finetuning.json"))["training"]["audio_seconds_per_second"]
            for r in R)
py_ft = best_rate("py_ft{r}.json")
pyp_ft = best_rate("pyp_ft{r}.json")
audio = load("py_ft1.json")["audio_seconds"]
wall = lambda name: min(float(open(f"{out}/{name}{r}.time").read()) for r in R)
loop = lambda name: min(load(f"{name}{r}.log")["loop_seconds"] for r in R)
t = {"speechleak": wall("sl_tr"), "python_loop": wall("py_tr"), "python_loop_passive": wall("pyp_tr"),
     "python_loop_only_passive": round(loop("pyp_tr"), 2)}
t["x_real_time"] = {"speechleak": round(audio / t["speechleak"], 1),
                    "python_loop_passive": round(audio / t["python_loop_passive"], 1)}
t["ratio_vs_passive"] = round(t["python_loop_passive"] / t["speechleak"], 2)
t["ratio_vs_default"] = round(t["python_loop"] / t["speechleak"], 2)
s = {"arch": arch, "threads": int(threads), "batch": int(batch), "audio_seconds": round(audio, 1),
     "loadavg_before": lb, "loadavg_after": la, "best_of_rounds": rounds,
     "finetune_audio_s_per_s": {"speechleak": round(sl_ft, 2), "torchaudio": round(py_ft, 2),
                                "torchaudio_passive": round(pyp_ft, 2), "ratio_vs_passive": round(sl_ft / pyp_ft, 2),
                                "ratio_vs_default": round(sl_ft / py_ft, 2)},
     "transcribe_wall_s": t, "transcripts_identical": same == "yes"}
json.dump(s, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(s, indent=2))
PY
