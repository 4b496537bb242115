#!/usr/bin/env bash
# Encoder forward-pass benchmark: speechleak's native libtorch modules vs torchaudio eager (Python), on a random
# HuBERT-base-shaped model (94M parameters) and 10 s of audio, same machine, same run, same thread count.
# Also measures the fp32 matmul rate (2048^3) and bf16 speed-up and deviation. Results: docs/performance.md.
#
#   bench/encoder_bench.sh [BUILD_DIR]        env: THREADS=2 REPEATS=3 ROUNDS=6 AUDIO_SECONDS=10
#
# On a shared machine the load changes within seconds: many short rounds, alternating the programs, and the best
# time of each variant are the fairest comparison available (the JSON keeps the load average before and after).
#
# BUILD_DIR (default: build) is a configured build directory; the script builds its encoder_bench target. The model
# is written to bench/out/encoder/ (ignored by git, ~380 MB) by scripts/make_encoder_fixtures.py --bench on first
# use.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
threads=${THREADS:-2}
repeats=${REPEATS:-3}
rounds=${ROUNDS:-6}
secs=${AUDIO_SECONDS:-10}
py=/usr/bin/python3  # Debian's interpreter: torch 1.13 + torchaudio 0.13.1
out=$root/bench/out/encoder
mkdir -p "$out"

build=${1:-$root/build}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "no configured build in $build: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release" >&2
  exit 1
fi
cmake --build "$build" --target encoder_bench >/dev/null
bench_bin=$build/bench/encoder_bench

if [[ ! -f "$out/hubert_base/model.safetensors" || ! -f "$out/audio.safetensors" ]]; then
  "$py" "$root/scripts/make_encoder_fixtures.py" --bench "$out" --seconds "$secs"
fi

rm -f "$out"/speechleak*.json "$out"/torchaudio*.json
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Alternate the two programs ROUNDS times so that both see the same background load; keep the best of each.
for r in $(seq 1 "$rounds"); do
  "$py" "$here/torchaudio_forward.py" "$out/hubert_base" "$out/audio.safetensors" "$threads" "$repeats" \
    "$out/torchaudio_final.safetensors" >"$out/torchaudio.$r.json"
  # The same baseline with passive OpenMP waiting: torchaudio's best case when ATen's OpenMP threads and
  # OpenBLAS's pthreads share the cores (see "Threads" in docs/performance.md).
  OMP_WAIT_POLICY=PASSIVE "$py" "$here/torchaudio_forward.py" "$out/hubert_base" "$out/audio.safetensors" \
    "$threads" "$repeats" "$out/torchaudio_final.safetensors" >"$out/torchaudio_passive.$r.json"
  "$bench_bin" "$out/hubert_base" "$out/audio.safetensors" "$threads" "$repeats" \
    "$out/torchaudio_final.safetensors" >"$out/speechleak.$r.json"
  OMP_WAIT_POLICY=PASSIVE "$bench_bin" "$out/hubert_base" "$out/audio.safetensors" "$threads" "$repeats" \
    "$out/torchaudio_final.safetensors" quick >"$out/speechleak_passive.$r.json"
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$py" - "$out" "$rounds" "$load_before" "$load_after" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
load = {"loadavg_before": sys.argv[3], "loadavg_after": sys.argv[4]}
runs_s = [json.load(open(f"{out}/speechleak.{r}.json")) for r in range(1, rounds + 1)]
runs_t = [json.load(open(f"{out}/torchaudio.{r}.json")) for r in range(1, rounds + 1)]
s = dict(runs_s[0])
for k in s:
    if k.endswith("_seconds"):
        s[k] = min(x[k] for x in runs_s)
    elif k.endswith("_gflops") and k.startswith("matmul"):
        s[k] = max(x[k] for x in runs_s)
s["fp32_gflops"] = s["gflop_per_forward"] / s["fp32_forward_seconds"]
s["fp32_fraction_of_matmul"] = s["fp32_gflops"] / s["matmul_2048_fp32_gflops"]
s["bf16_speedup"] = s["fp32_all_states_seconds"] / s["bf16_forward_seconds"]
s["fp32_passive_forward_seconds"] = min(
    json.load(open(f"{out}/speechleak_passive.{r}.json"))["fp32_forward_seconds"] for r in range(1, rounds + 1))
t = dict(runs_t[0])
t["torchaudio_forward_seconds"] = min(x["torchaudio_forward_seconds"] for x in runs_t)
t["python_matmul_2048_fp32_gflops"] = max(x["python_matmul_2048_fp32_gflops"] for x in runs_t)
t["torchaudio_passive_forward_seconds"] = min(
    json.load(open(f"{out}/torchaudio_passive.{r}.json"))["torchaudio_forward_seconds"] for r in range(1, rounds + 1))
json.dump({**s, **t, **load}, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps({**s, **t, **load}, indent=2))
print(f"\n{s['audio_seconds']:.0f} s of audio, {s['parameters']/1e6:.1f}M parameters, {s['threads']} threads, "
      f"best of {rounds} rounds x {s.get('repeats', '?')} runs; load average {load['loadavg_before']} -> "
      f"{load['loadavg_after']}")
print(f"fp32 matmul 2048^3:         {s['matmul_2048_fp32_gflops']:.0f} GFLOP/s (bf16: {s['matmul_2048_bf16_gflops']:.0f})")
print(f"torchaudio eager:           {t['torchaudio_forward_seconds']:.3f} s "
      f"(with OMP_WAIT_POLICY=PASSIVE: {t['torchaudio_passive_forward_seconds']:.3f} s)")
print(f"speechleak fp32:            {s['fp32_forward_seconds']:.3f} s  "
      f"(torchaudio / speechleak = {t['torchaudio_forward_seconds'] / s['fp32_forward_seconds']:.2f}x; "
      f"{s['fp32_gflops']:.0f} GFLOP/s = {100 * s['fp32_fraction_of_matmul']:.0f}% of the matmul rate)")
print(f"speechleak fp32 with OMP_WAIT_POLICY=PASSIVE: {s['fp32_passive_forward_seconds']:.3f} s "
      f"(torchaudio / speechleak, both passive = "
      f"{t['torchaudio_passive_forward_seconds'] / s['fp32_passive_forward_seconds']:.2f}x)")
print(f"speechleak fp32, all states: {s['fp32_all_states_seconds']:.3f} s")
print(f"speechleak fp32, no BLAS/OpenMP thread split: {s['fp32_no_thread_split_seconds']:.3f} s")
print(f"speechleak bf16, all states: {s['bf16_forward_seconds']:.3f} s  (speed-up {s['bf16_speedup']:.2f}x; "
      f"max rel. deviation {s['bf16_rel_error_worst_state']:.2e}, final state {s['bf16_rel_error_final_state']:.2e})")
if "fp32_rel_error_vs_torchaudio" in s:
    print(f"fp32 final state vs torchaudio: max rel. error {s['fp32_rel_error_vs_torchaudio']:.2e}")
PY
