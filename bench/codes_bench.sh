#!/usr/bin/env bash
# codes_bench.sh: the codes sidecar per image against zbarimg (ZBar's own
# command-line tool), side by side in one run (issue 9).
#
# Usage: bench/codes_bench.sh [BUILD_DIR] [MODELS_DIR]
#   BUILD_DIR   defaults to build/ beside bench/ (needs fs/visionfs).
#   MODELS_DIR  defaults to $VISIONFS_MODELS, then ../shared/models.
# Environment: RUNS (cold runs per image, default 15).
#
# For each image: zbarimg's median, then a cold NAME.codes.json (a fresh
# copy before every read) on a mount without models (ZBar alone) and with
# models (WeChat's QR CNN, then ZBar). Needs hyperfine, jq, zbarimg,
# qrencode, zint. Prints a markdown table.

set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=${1:-$HERE/build}
MODELS=${2:-${VISIONFS_MODELS:-$HERE/../shared/models}}
RUNS=${RUNS:-15}
DATA=/usr/share/doc/opencv-doc/examples/data
VISIONFS=$BUILD/fs/visionfs
for tool in hyperfine jq zbarimg qrencode zint fusermount3; do
  command -v "$tool" > /dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
[ -x "$VISIONFS" ] || { echo "no $VISIONFS: build the visionfs target" >&2; exit 2; }

source "$HERE/bench/bench_lib.sh"

qrencode -s 6 -o "$WORK/in/qr.png" "https://example.org/visionfs/codes"
zint -b 20 --quietzones -d "VISIONFS-128/x" -o "$WORK/in/code128.png"
zint -b 13 --quietzones --scale=2 -d 5901234123457 -o "$WORK/in/ean13.png"
IMAGES=("$WORK/in/qr.png" "$WORK/in/code128.png" "$WORK/in/ean13.png" "$DATA/messi5.jpg" "$DATA/building.jpg")

declare -A CLI BUILTIN WITH_MODELS
for img in "${IMAGES[@]}"; do
  # zbarimg exits 4 when it finds no code: -i ignores the status.
  CLI[$img]=$(median_ms --runs "$RUNS" --warmup 2 -i "zbarimg -q $img")
done
for setup in builtin models; do
  if [ "$setup" = builtin ]; then mount_vfs "models=$WORK/no-models"; else mount_vfs "models=$MODELS"; fi
  cp "$DATA/messi5.jpg" "$MNT/warmup.jpg"
  cat "$MNT/warmup.jpg.codes.json" > /dev/null
  for img in "${IMAGES[@]}"; do
    ms=$(cold_ms "$img" codes)
    if [ "$setup" = builtin ]; then BUILTIN[$img]=$ms; else WITH_MODELS[$img]=$ms; fi
  done
  unmount
done

echo "| image | zbarimg (ms) | visionfs, ZBar (ms) | zbarimg / visionfs | visionfs, WeChat QR + ZBar (ms) | zbarimg / visionfs |"
echo "|---|---:|---:|---:|---:|---:|"
for img in "${IMAGES[@]}"; do
  c=${CLI[$img]} b=${BUILTIN[$img]} m=${WITH_MODELS[$img]}
  echo "| ${img##*/} | $(fmt "$c") | $(fmt "$b") | $(ratio "$c" "$b") | $(fmt "$m") | $(ratio "$c" "$m") |"
done
