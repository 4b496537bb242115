#!/usr/bin/env bash
# Extraction throughput: `speechleak extract` vs the one-utterance-at-a-time Python/torchaudio loop, on a random
# HuBERT-base-shaped model (94M parameters) over a synthetic corpus of at least 10 minutes, same machine, same run.
# Also: store size per hour of audio (summaries; fp16 frames) and peak RSS. Results: docs/performance.md.
#
#   bench/extract_bench.sh [BUILD_DIR]      env: THREADS=2 SPEAKERS=12 UTTS=12
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
threads=${THREADS:-2}
out=$root/bench/out/extract
py=/usr/bin/python3
mkdir -p "$out"
model=$root/bench/out/encoder/hubert_base
[[ -f $model/model.safetensors ]] || "$py" "$root/scripts/make_encoder_fixtures.py" --bench "$root/bench/out/encoder"
corpus=$out/corpus
"$build/speechleak" -q synth --out "$corpus" --seed 7 --pretrain-speakers "${SPEAKERS:-12}" --utts-per-speaker "${UTTS:-12}" \
  --aux-speakers 0 --heldout-speakers 0 --finetune-speakers 0
spec="manifest:$corpus/pretrain.tsv"

measure() {  # name, then the command: prints "name wall_s peak_rss_mb" (stdout and stderr in $out/name.log)
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1
  read -r wall rss <"$out/$name.time"
  echo "$name $wall $((rss / 1024))"
}

rm -rf "$out"/store-* "$out/python"*
echo "== speechleak extract (summaries; with glibc's default allocator settings; --frames), Python loop (default;"
echo "   OMP_WAIT_POLICY=PASSIVE; PASSIVE with the same allocator settings as speechleak); $threads threads"
echo "name wall_s peak_rss_mb"
# speechleak keeps large blocks in the heap (runtime/allocator.h); MALLOC_MMAP_MAX_=65536 restores glibc's default.
measure summaries "$build/speechleak" extract --threads "$threads" --model "$model" --corpus "$spec" --out "$out/store-summaries"
MALLOC_MMAP_MAX_=65536 measure summaries-glibc-default "$build/speechleak" extract --threads "$threads" \
  --model "$model" --corpus "$spec" --out "$out/store-summaries-glibc"
measure frames "$build/speechleak" extract --threads "$threads" --model "$model" --corpus "$spec" --frames --out "$out/store-frames"
measure python "$py" "$here/extract_reference.py" "$model" "$corpus/pretrain.tsv" "$out/python" "$threads"
rm -rf "$out/python"
OMP_WAIT_POLICY=PASSIVE measure python-passive "$py" "$here/extract_reference.py" "$model" "$corpus/pretrain.tsv" \
  "$out/python" "$threads"
rm -rf "$out/python"
OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 measure python-passive-heap "$py" \
  "$here/extract_reference.py" "$model" "$corpus/pretrain.tsv" "$out/python" "$threads"
cp "$out/python-passive-heap.log" "$out/python.json"
cat "$out/python.json"
grep -h "utterances in the store" "$out/summaries.log" "$out/frames.log"
hours=$("$py" -c "import json; print(json.load(open('$out/python.json'))['audio_seconds'] / 3600)")
echo "store MB per hour of audio: summaries $(du -sb "$out/store-summaries" | cut -f1 | awk -v h="$hours" '{printf "%.3f", $1 / 1e6 / h}')," \
     "fp16 frames $(du -sb "$out/store-frames" | cut -f1 | awk -v h="$hours" '{printf "%.0f", $1 / 1e6 / h}')"
