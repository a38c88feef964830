#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, then the fuzzers
# briefly.
#   scripts/test.sh [--sanitize | --tsan] [--models DIR]
# --sanitize builds with AddressSanitizer and UndefinedBehaviorSanitizer.
# --tsan builds with clang and ThreadSanitizer (also checks the lock
# annotations with -Wthread-safety).
# --models DIR runs the model tests on the models staged in DIR (a directory
# laid out like scripts/install-models.sh's source, with its SHA256SUMS; the
# installer's own tests verify and install from it). Without it the model
# tests skip with a message. DIR defaults to ../shared/models when that
# exists (as in CI).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
sanitize=OFF
tsan=OFF
models=""
[ -d "$here/../shared/models" ] && models="$(cd "$here/../shared/models" && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=ON ;;
    --tsan) tsan=ON ;;
    --models) models="$2"; shift ;;
    *) echo "usage: scripts/test.sh [--sanitize | --tsan] [--models DIR]" >&2; exit 2 ;;
  esac
  shift
done

source "$here/scripts/deps.sh"
visionfs_install_packages "${VISIONFS_BUILD_PACKAGES[@]}" "${VISIONFS_TEST_PACKAGES[@]}"
# The cloud APIs' client libraries and types (Google's with its .proto files,
# Azure's, AWS's, TypeScript), pinned by package-lock.json (tests/clients/README.md).
visionfs_install_node
npm ci --prefix "$here/tests/clients" --no-audit --no-fund --ignore-scripts --loglevel=error


build="${VISIONFS_BUILD_DIR:-$here/build-test}"
[ "$sanitize" = ON ] && build="${build}-asan"
compiler=()
if [ "$tsan" = ON ]; then
  build="${build}-tsan"
  visionfs_install_packages clang libclang-rt-dev
  compiler=(-DCMAKE_CXX_COMPILER=clang++)
fi
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${compiler[@]}" \
  -DVISIONFS_SANITIZE="$sanitize" -DVISIONFS_TSAN="$tsan" -DVISIONFS_TEST_MODELS_DIR="$models" >/dev/null
cmake --build "$build" -j"$(nproc)"

# ASan needs this to run under FUSE's fork-free daemon; leaks in OpenCV's and
# Tesseract's global state at exit are not ours.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
# Races inside OpenCV's and Tesseract's own (uninstrumented) code are not
# ours to judge; scripts/tsan.supp names them.
export TSAN_OPTIONS="${TSAN_OPTIONS:-suppressions=$here/scripts/tsan.supp second_deadlock_stack=1}"
cd "$build"
exclude=()
# Under ThreadSanitizer the runtime itself writes /tmp/tsan.rodata.PID and
# clang's OpenMP /dev/shm/__KMP_*: the strace privacy checks would report the
# sanitizer, not the daemon. They run in every other build.
[ "$tsan" = ON ] && exclude=(-E 'PrivacyTraceTest|SidecarPrivacyTest|HostileImagesTest')
ctest --output-on-failure --timeout 900 -j2 "${exclude[@]}"

# Then every fuzzer for 30 s over its seed corpus, in its own clang build
# (scripts/fuzz.sh; the long run and its figures: docs/fuzzing.md).
if [ "$sanitize" = OFF ] && [ "$tsan" = OFF ]; then
  "$here/scripts/fuzz.sh" --seconds 30
fi
