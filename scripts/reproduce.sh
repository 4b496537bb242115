#!/usr/bin/env bash
# Reruns every study whose numbers the docs publish, then regenerates the tables of README.md, docs/demo.md and
# docs/results.md from the run directories (scripts/results_tables.py; the tables live between
# `<!-- generated:NAME -->` markers and are never typed by hand).
#
#   scripts/reproduce.sh [--quick | --all] [OUT]
#   env: BUILD=build THREADS=0 NO_DOCS=1 NOISE_MASKING_VARIANTS="none sanitize-names" (default: all seven)
#        REFERENCE_RUNS=4 (the calibrated study's reference encoders)
#
#   --quick   the quick demo (about 3 minutes on 2 cores): README.md's table and the quick rows of the docs
#   (none)    + the full demo, its defenses, the reversal study, the confounded split, the calibrated attacks
#             (4 reference encoders) and the canary audits (about 2.5 hours on 2 cores)
#   --all     + the noise-masking study, all seven variants (about 2.5-3 hours more)
#
# OUT (default: reproduce) keeps every run directory; a study whose outputs are complete is reused by the commands
# themselves (the demo caches corpus and models), so an interrupted reproduction continues where it stopped.
# OUT/studies.tsv records each study's command, exit status and wall time; OUT/reproduce.json the date, commit,
# machine and versions; NO_DOCS=1 reruns without touching the docs.
set -euo pipefail
scope=default
case "${1:-}" in
  --quick) scope=quick; shift ;;
  --all) scope=all; shift ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
out=${1:-reproduce}
root=$(cd "$(dirname "$0")/.." && pwd)
sl=${BUILD:-$root/build}/speechleak
threads=${THREADS:-0}
[ -x "$sl" ] || { echo "reproduce.sh: no speechleak binary at $sl (build first: bash scripts/setup.sh)" >&2; exit 2; }
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
studies=$out/studies.tsv
[ -f "$studies" ] || printf 'study\trc\twall_s\tcommit\tcommand\n' > "$studies"
# The source tree's commit (the binary is taken to be built from it; "+": the tree had local changes), per study.
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit+"

# study NAME ARGS...: runs `speechleak ARGS`, stdout to OUT/logs/NAME.out (the tables), stderr to NAME.err.
study() {
  local name=$1; shift
  echo "== $name: speechleak $*" >&2
  local start rc=0
  start=$(date +%s)
  "$sl" "$@" > "$out/logs/$name.out" 2> "$out/logs/$name.err" || rc=$?
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - start ))" "$commit" "speechleak $*" >> "$studies"
  if [ "$rc" != 0 ]; then echo "reproduce.sh: $name failed (exit $rc); see $out/logs/$name.err" >&2; exit "$rc"; fi
}

study demo-quick demo --preset quick --threads "$threads" --out "$out/quick"
if [ "$scope" != quick ]; then
  study demo-full demo --preset full --threads "$threads" --out "$out/full"
  # The reversal study's plain cell is the full demo above and its reversed model is the reverse-audio defense.
  study reversal experiment reversal --preset full --threads "$threads" --out "$out/full"
  for d in noise-augment silence-names sanitize-names; do
    study "defense-$d" demo --preset full --defense "$d" --threads "$threads" --out "$out/full"
  done
  study confounded experiment confounded --preset full --threads "$threads" --out "$out/full"
  study calibrated experiment calibrated --preset full --runs "${REFERENCE_RUNS:-4}" --threads "$threads" \
    --out "$out/full"
  study canaries experiment canaries --preset full --threads "$threads" --out "$out/canaries"
fi
if [ "$scope" = all ]; then
  variants=()
  for v in ${NOISE_MASKING_VARIANTS:-}; do variants+=(--variant "$v"); done
  study noise-masking experiment noise-masking --threads "$threads" --out "$out/noise-masking" "${variants[@]}"
fi

docs=(--write)
[ "${NO_DOCS:-0}" = 1 ] && docs=()
/usr/bin/python3 "$root/scripts/results_tables.py" "$out" --root "$root" "${docs[@]}"
