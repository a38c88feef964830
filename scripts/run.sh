#!/usr/bin/env bash
# Installs what is missing, builds, and mounts visionfs with defaults.
#   scripts/run.sh MOUNTPOINT [-o OPTIONS] [-f]
# The daemon goes to the background unless -f is given; unmount with
#   fusermount3 -u MOUNTPOINT
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: scripts/run.sh MOUNTPOINT [visionfs options]" >&2; exit 2; }
mountpoint="$1"; shift

source "$here/scripts/deps.sh"
visionfs_install_packages "${VISIONFS_BUILD_PACKAGES[@]}"

build="${VISIONFS_BUILD_DIR:-$here/build}"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVISIONFS_BUILD_TESTS=OFF -DVISIONFS_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target visionfs

mkdir -p "$mountpoint"
exec "$build/fs/visionfs" "$@" "$mountpoint"
