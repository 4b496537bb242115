#!/usr/bin/env bash
# Membership-inference benchmark: closed-form scoring vs the O(m^2) pairwise formulation (C++ and the authors'
# PyTorch), and improved-attack training time on 1,000 utterances of a 768-wide layer.
#   bench/mia_bench.sh [BUILD_DIR]     env: THREADS=2 UTTERANCES=1000 FRAMES=250
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$(dirname "$here")/build}
threads=${THREADS:-2}
ninja -C "$build" mia_bench >/dev/null
echo "== C++ (speechleak closed form vs pairwise matrix; attacker training)"
"$build/bench/mia_bench" "$threads" "${UTTERANCES:-1000}" "${FRAMES:-250}"
echo "== Python/PyTorch pairwise matrix (the authors' formulation)"
/usr/bin/python3 "$here/mia_scoring_reference.py" "$threads"
