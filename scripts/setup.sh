#!/usr/bin/env bash
# Installs everything speechleak needs from Debian 12 packages, builds it in Release, and runs the main job.
# Idempotent: a second run installs nothing new and rebuilds only what changed. Run as root (or with sudo).
#
#   bash scripts/setup.sh            # install, build, run the embedded default
#   SPEECHLEAK_SETUP_NO_RUN=1 bash scripts/setup.sh   # install and build only
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache
  # tensors, autograd, TorchScript; OpenBLAS is required at run time (reference BLAS is ~20x slower)
  libtorch-dev libopenblas0-pthread
  # the headers c10d's Gloo process group includes (data-parallel training over torch's own c10d)
  libgloo-dev
  # audio in and out, resampling, synthetic speech
  libsndfile1-dev libsoxr-dev libespeak-ng-dev espeak-ng-data
  # configs, manifests, command line, tests
  nlohmann-json3-dev libcli11-dev libgtest-dev
  # fixture generators and benchmarks compare against the Python reference (Debian's /usr/bin/python3)
  python3-torchaudio python3-numpy time
  # report charts (Chart.js, embedded inline) + the report's browser test
  libjs-chart.js chromium
)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi
echo "== installing Debian packages (${#packages[@]})" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

# libtorch finds BLAS through the alternatives system: make sure OpenBLAS is the one in use.
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/ {print $2}')
case "$blas" in
  *openblas*) ;;
  *) echo "warning: libblas.so.3 points to '$blas', not OpenBLAS: model code will be ~20x slower" >&2 ;;
esac

echo "== configuring and building (Release)" >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

if [ -z "${SPEECHLEAK_SETUP_NO_RUN:-}" ]; then
  # The embedded default: synthesise a corpus, pretrain a small model on part of it, audit it (docs/demo.md).
  # SPEECHLEAK_DEMO_PRESET=full for the larger, slower preset; the output goes to ./speechleak-demo.
  echo "== built: build/speechleak; running the demo (preset ${SPEECHLEAK_DEMO_PRESET:-quick})" >&2
  ./build/speechleak demo --preset "${SPEECHLEAK_DEMO_PRESET:-quick}" --out speechleak-demo
fi
