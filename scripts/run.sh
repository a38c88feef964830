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

# The optional models: say in one line what is missing and how to get it
# (without them: no objects, labels or safe search; Haar-cascade faces).
models="${VISIONFS_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/visionfs/models}"
missing=$(cd "$here/scripts" && while read -r sum path; do
  case "$sum" in ''|'#'*) continue ;; esac
  [ -f "$models/$path" ] || echo "$path"
done < models.sha256 | cut -d/ -f1 | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
  echo "visionfs: models not installed (${missing% }): objects, labels and safe search need them;" \
    "install with: scripts/install-models.sh" >&2
fi

mkdir -p "$mountpoint"
exec "$build/fs/visionfs" "$@" "$mountpoint"
