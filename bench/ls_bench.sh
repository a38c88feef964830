#!/usr/bin/env bash
# ls_bench.sh: `ls -l` of a directory of fresh images on visionfs against
# the same listing on tmpfs, in one run (issue 8: a listing must cost next to
# nothing; aim: at most 3x tmpfs).
#
# The visionfs directory holds N copies of a small JPEG, never read, so every
# sidecar name is listed (NAME.json and one per analyzer) and none is
# computed. The tmpfs directory holds the same names: the images, and an
# empty file for each sidecar name. Each side: the first `ls -l`, then the
# median of $RUNS more. On visionfs a sidecar not computed yet has an
# attribute timeout of 0, so every listing asks the daemon for each of them.
# Also reports whether the listings started any analysis (stats.json).
#
# Usage: bench/ls_bench.sh [VISIONFS_BINARY]   env: N (10000), RUNS (5),
#   SIZES (lazy; exact computes every sidecar: do not run it with N=10000)
set -euo pipefail
BIN=$(readlink -f "${1:-$(dirname "$0")/../build/fs/visionfs}")
N=${N:-10000}
RUNS=${RUNS:-5}
SIZES=${SIZES:-lazy}
PHOTO=/usr/share/doc/opencv-doc/examples/data/LinuxLogo.jpg
log() { echo "ls_bench: $*" >&2; }

top=$(mktemp -d /tmp/visionfs-lsbench-XXXXXX)
mnt=$top/mnt tmp=$top/tmpfs
mkdir -p "$mnt" "$tmp"
mount -t tmpfs -o size=1G tmpfs "$tmp"
"$BIN" -f -o "max_memory=2G,ttl=1h,sizes=$SIZES" "$mnt" 2>"$top/daemon.log" &
daemon=$!
cleanup() {
  fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  umount "$tmp" 2>/dev/null || true
  rm -rf "$top"
}
trap cleanup EXIT
for _ in $(seq 100); do mountpoint -q "$mnt" && break; sleep 0.1; done

log "copying $N images into each side"
mkdir "$mnt/d" "$tmp/d"
( cd "$mnt/d" && for i in $(seq "$N"); do cp "$PHOTO" "img$i.jpg"; done )
sidecars=$(ls "$mnt/d" | grep -c '\.json$')
( cd "$tmp/d" && for i in $(seq "$N"); do cp "$PHOTO" "img$i.jpg"; done )
( cd "$mnt/d" && ls | grep '\.json$' ) | ( cd "$tmp/d" && xargs touch )
log "$sidecars sidecar names listed on visionfs; $(ls "$tmp/d" | wc -l) names on tmpfs"

first_ms() {  # the first `ls -l DIR`: nothing about its entries is cached yet
  local start end
  start=$(date +%s%N); ls -l "$1" > /dev/null; end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
median_ms() {  # median wall time of RUNS `ls -l DIR`, after the first
  local dir=$1 times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N); ls -l "$dir" > /dev/null; end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
f_tmpfs=$(first_ms "$tmp/d")
f_vfs=$(first_ms "$mnt/d")
t_tmpfs=$(median_ms "$tmp/d")
t_vfs=$(median_ms "$mnt/d")
computed=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(sum(a.get('computed',0) for a in s['analyses'].values()))" "$mnt/.visionfs/stats.json")
ratio() { python3 -c "print(f'{$1/max($2,1):.2f}')"; }
echo "| first ls -l of $N fresh images ($((N + sidecars)) names), sizes=$SIZES | tmpfs $f_tmpfs ms | visionfs $f_vfs ms | ratio $(ratio "$f_vfs" "$f_tmpfs") |"
echo "| repeated ls -l (median of $RUNS) | tmpfs $t_tmpfs ms | visionfs $t_vfs ms | ratio $(ratio "$t_vfs" "$t_tmpfs") | analyses started: $computed |"
