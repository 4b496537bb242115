#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan (its own build directory) and runs each for
# SECONDS on its committed seed corpus; prints executions per target and exits non-zero when one found a crash.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 20 seconds, every target)
#   env: FUZZ_BUILD=build-fuzz (build directory; inputs found go to FUZZ_BUILD/corpus/<target>, crashes to
#        FUZZ_BUILD/crashes/<target>/), FUZZ_TIMEOUT=10 (seconds per input before it counts as a hang),
#        FUZZ_SEED=N (libFuzzer's -seed: the same mutations every run, as CI wants; default 0: a random seed),
#        FUZZ_RUNS=N (also stop a target after N executions, whichever comes first; the goal docs/reliability.md
#        reports is FUZZ_RUNS=10000000 scripts/fuzz.sh 1800; default -1: no limit)
#
# A crash is kept as FUZZ_BUILD/crashes/<target>/crash-<sha1>; reproduce it with
# `FUZZ_BUILD/<target>_fuzz FILE`, fix it, then copy FILE into fuzz/regressions/<target>/ (the tests replay those).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-20}
shift || true
build=${FUZZ_BUILD:-$root/build-fuzz}
command -v clang++ > /dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }

cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$(nproc)"

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  for s in "$root"/fuzz/targets/*_fuzz.cpp; do t=$(basename "$s" .cpp); targets+=("${t%_fuzz}"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
printf '%-18s %8s %12s %10s  %s\n' target seconds executions "exec/s" result
for t in "${targets[@]}"; do
  bin=$build/${t}_fuzz
  [ -x "$bin" ] || { echo "fuzz.sh: no target '$t' (fuzz/targets/${t}_fuzz.cpp)" >&2; exit 2; }
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  log=$build/$t.log
  rc=0
  # Seeds and regressions are read, never written: new inputs go to the build directory's corpus.
  dirs=("$build/corpus/$t" "$root/fuzz/seeds/$t")
  [ -d "$root/fuzz/regressions/$t" ] && dirs+=("$root/fuzz/regressions/$t")
  "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 \
    -seed="${FUZZ_SEED:-0}" -runs="${FUZZ_RUNS:--1}" \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" "${dirs[@]}" > "$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  result=ok
  if [ "$rc" != 0 ]; then result="FAILED (exit $rc; $log)"; status=1; tail -n 40 "$log" >&2; fi
  # libFuzzer's own clock: a target stopped by FUZZ_RUNS ran for less than SECONDS.
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  took=${took:-$seconds}
  printf '%-18s %8s %12s %10s  %s\n' "$t" "$took" "${runs:-?}" "$(( ${runs:-0} / (took > 0 ? took : 1) ))" "$result"
done
exit $status
