#!/usr/bin/env bash
# Builds the library, the program and the tests with AddressSanitizer + UndefinedBehaviorSanitizer in their own
# build directory and runs the tests there.
#
#   scripts/sanitize.sh [CTEST_ARGS...]     (default: -L 'unit|model', the fast labels; pass -L e2e or nothing
#                                            else for more: ASan makes the e2e tests 2-3x slower)
#   env: SANITIZE_BUILD=build-sanitize
#
# libtorch itself is not instrumented: ASan still checks every access our code makes (including into tensors'
# storage through data_ptr), UBSan our arithmetic. Leaks are reported for our allocations; libtorch's process-
# lifetime singletons are suppressed by scripts/sanitize.supp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SANITIZE_BUILD:-$root/build-sanitize}
flags="-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
# container overflow checks need every std::vector user instrumented, libtorch is not: they would be false alarms.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_container_overflow=0:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/scripts/sanitize.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The build runs the test executables too (gtest test discovery): the same options apply there.
cmake --build "$build" -j "$(nproc)"
args=("$@")
[ ${#args[@]} = 0 ] && args=(-L 'unit|model')
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "${args[@]}"
