#!/usr/bin/env bash
# Pretraining throughput: speechleak's training step (C++, libtorch) vs the same step in PyTorch
# (torchaudio.models.wav2vec2_model built from the same config.json), same machine, same batch, same thread count,
# random audio and targets, for the HuBERT objective (default), wav2vec 2.0's (OBJECTIVE=wav2vec2) or TERA's
# (OBJECTIVE=tera: against s3prl's model code as scripts/make_tera_fixtures.py transcribes it).
# Results: docs/performance.md ("Pretraining").
#
#   bench/pretrain_bench.sh [BUILD_DIR]
#   env: OBJECTIVE=hubert ARCH=small BATCH=8 SECONDS_PER_UTT=4 STEPS=4 ROUNDS=3 THREADS="1 2" BLAS_THREADS=1
#
# The Python side runs three ways: as it starts, with OMP_WAIT_POLICY=PASSIVE, and with PASSIVE plus the heap-only
# allocator setting the C++ programs use (PyTorch at its best).
# On the shared 2-core machine the load changes within seconds: the programs alternate ROUNDS times and the best
# step time of each is kept; the JSON keeps the load average before and after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
objective=${OBJECTIVE:-hubert}
arch=${ARCH:-small}
batch=${BATCH:-8}
secs=${SECONDS_PER_UTT:-4}
steps=${STEPS:-4}
rounds=${ROUNDS:-3}
threads_list=${THREADS:-1 2}
blas=${BLAS_THREADS:-1}
py=/usr/bin/python3  # Debian's interpreter: torch 1.13 + torchaudio 0.13.1
out=$root/bench/out/pretrain-$objective
mkdir -p "$out"

build=${1:-$root/build}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "no configured build in $build: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release" >&2
  exit 1
fi
cmake --build "$build" --target pretrain_bench >/dev/null
bin=$build/bench/pretrain_bench
rm -f "$out"/*.json
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for t in $threads_list; do
  for r in $(seq 1 "$rounds"); do
    "$bin" "$arch" "$batch" "$secs" "$steps" "$t" "$blas" "$out/config.json" "$objective" \
      >"$out/speechleak.t$t.$r.json"
    "$py" "$here/pretrain_bench.py" "$out/config.json" "$batch" "$secs" "$steps" "$t" "$objective" \
      >"$out/torchaudio.t$t.$r.json"
    OMP_WAIT_POLICY=PASSIVE "$py" "$here/pretrain_bench.py" "$out/config.json" "$batch" "$secs" "$steps" "$t" \
      "$objective" >"$out/torchaudio_passive.t$t.$r.json"
    # PyTorch at its best: passive waiting and the allocator setting speechleak's programs use (runtime/allocator.h)
    OMP_WAIT_POLICY=PASSIVE MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824 "$py" "$here/pretrain_bench.py" \
      "$out/config.json" "$batch" "$secs" "$steps" "$t" "$objective" >"$out/torchaudio_best.t$t.$r.json"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$py" - "$out" "$rounds" "$threads_list" "$load_before" "$load_after" "$arch" "$objective" <<'PY'
import json, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
summary = {"objective": sys.argv[7], "arch": sys.argv[6], "loadavg_before": sys.argv[4], "loadavg_after": sys.argv[5], "runs": []}
for t in threads:
    row = {"threads": int(t)}
    for impl in ["speechleak", "torchaudio", "torchaudio_passive", "torchaudio_best"]:
        runs = [json.load(open(f"{out}/{impl}.t{t}.{r}.json")) for r in range(1, rounds + 1)]
        best = max(runs, key=lambda x: x["audio_seconds_per_second"])
        row[impl] = {"audio_seconds_per_second": best["audio_seconds_per_second"],
                     "best_step_seconds": best["best_step_seconds"], "parameters": best["parameters"]}
        if impl == "speechleak":
            row[impl]["breakdown_seconds"] = best["breakdown_seconds"]
    row["speedup_vs_torchaudio"] = round(row["speechleak"]["audio_seconds_per_second"] /
                                         row["torchaudio"]["audio_seconds_per_second"], 2)
    row["speedup_vs_torchaudio_passive"] = round(row["speechleak"]["audio_seconds_per_second"] /
                                                 row["torchaudio_passive"]["audio_seconds_per_second"], 2)
    row["speedup_vs_torchaudio_best"] = round(row["speechleak"]["audio_seconds_per_second"] /
                                              row["torchaudio_best"]["audio_seconds_per_second"], 2)
    summary["runs"].append(row)
json.dump(summary, open(f"{out}/summary.json", "w"), indent=2)
print(json.dumps(summary, indent=2))
for row in summary["runs"]:
    print(f"threads {row['threads']}: speechleak {row['speechleak']['audio_seconds_per_second']} s audio/s, "
          f"torchaudio {row['torchaudio']['audio_seconds_per_second']} "
          f"(OMP_WAIT_POLICY=PASSIVE {row['torchaudio_passive']['audio_seconds_per_second']}, "
          f"PASSIVE + heap-only allocator {row['torchaudio_best']['audio_seconds_per_second']}), "
          f"speed-up {row['speedup_vs_torchaudio']}x ({row['speedup_vs_torchaudio_passive']}x of PASSIVE, "
          f"{row['speedup_vs_torchaudio_best']}x of the best)")
PY
