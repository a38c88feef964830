#!/usr/bin/env bash
# sidecar_bench.sh: what a sidecar costs through the mounted daemon, against
# the same analyzer called in-process, against plain files, against the CLI
# tools people use today, and how model analyses scale with -o workers.
#
# Usage: bench/sidecar_bench.sh [BUILD_DIR] [MODELS_DIR]
#   BUILD_DIR   defaults to build/ beside bench/; needs fs/visionfs and
#               bench/analyzers_bench built there (this script builds nothing).
#   MODELS_DIR  defaults to $VISIONFS_MODELS, then ../shared/models beside the checkout.
# Environment: RUNS (cold runs per analyzer, default 7), BATCH (images in the
# throughput batch, default 100).
#
# Prints a markdown table at the end. Needs hyperfine, jq, facedetect,
# tesseract, zbarimg, qrencode. Mounts under a temp dir, removed on exit.

set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
BUILD=${1:-$HERE/build}
MODELS=${2:-${VISIONFS_MODELS:-$HERE/../shared/models}}
RUNS=${RUNS:-7}
BATCH=${BATCH:-100}
DATA=/usr/share/doc/opencv-doc/examples/data
VISIONFS=$BUILD/fs/visionfs
INPROC=$BUILD/bench/analyzers_bench

for tool in hyperfine jq facedetect tesseract zbarimg qrencode fusermount3; do
  command -v "$tool" > /dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done
[ -x "$VISIONFS" ] || { echo "no $VISIONFS: build the visionfs target" >&2; exit 2; }
[ -x "$INPROC" ] || { echo "no $INPROC: build the analyzers_bench target" >&2; exit 2; }
[ -d "$MODELS" ] || { echo "no models directory $MODELS" >&2; exit 2; }

source "$HERE/bench/bench_lib.sh"

IMG=$DATA/messi5.jpg
ROWS_A=()
ROWS_B=()
ROWS_C=()

# ---------------------------------------------------------------- (a)
log "(a) in-process analyze_bytes on messi5.jpg"
"$INPROC" "$IMG" "$MODELS" --benchmark_min_time=1 --benchmark_format=json 2> /dev/null > "$WORK/inproc.json"

mount_vfs "models=$MODELS"
ANALYZERS=$(jq -r '.available[].name' "$MNT/.visionfs/config.json")
# Load every network once, as a running daemon would have.
cp "$IMG" "$MNT/warmup.jpg"
cat "$MNT/warmup.jpg.json" > /dev/null

for a in $ANALYZERS; do
  log "(a) cold $a"
  cold=$(cold_ms "$IMG" "$a")
  inproc=$(jq --arg n "analyze_bytes/$a/real_time" '.benchmarks[] | select(.name == $n) | .real_time' "$WORK/inproc.json")
  ROWS_A+=("| $a | $(fmt "$cold") | $(fmt "$inproc") | $(ratio "$cold" "$inproc") | $(fmt "$(awk -v a="$cold" -v b="$inproc" 'BEGIN { print a - b }')") |")
done

log "(a) warm reads"
cp "$IMG" "$MNT/warm.jpg"
cat "$MNT/warm.jpg.colors.json" > /dev/null
size=$(stat -c %s "$MNT/warm.jpg.colors.json")
head -c "$size" /dev/urandom | base64 | head -c "$size" > "$MNT/plain.txt"
warm=$(median_ms --warmup 20 --runs 500 "cat $MNT/warm.jpg.colors.json")
plain=$(median_ms --warmup 20 --runs 500 "cat $MNT/plain.txt")
cp "$MNT/plain.txt" "$WORK/plain.txt"
local_ms=$(median_ms --warmup 20 --runs 500 "cat $WORK/plain.txt")
WARM_ROW="| warm \`cat\` of a computed sidecar ($size B) | $(fmt "$warm") ms | plain file, same size, same mount: $(fmt "$plain") ms | $(ratio "$warm" "$plain") |"
LOCAL_ROW="| the same plain file outside the mount ($(df --output=fstype "$WORK" | tail -1)) | $(fmt "$local_ms") ms | | |"

# ---------------------------------------------------------------- (b)
log "(b) peers"
qrencode -s 6 -o "$WORK/in/qr.png" "https://example.org/visionfs/peers"
# peer NAME, image, visionfs analyzer, CLI command line
PEERS=(
  "facedetect|$DATA/messi5.jpg|faces|facedetect $DATA/messi5.jpg"
  "facedetect|$DATA/squirrel_cls.jpg|faces|facedetect $DATA/squirrel_cls.jpg"
  "tesseract|$DATA/imageTextN.png|text|tesseract $DATA/imageTextN.png stdout"
  "tesseract|$DATA/messi5.jpg|text|tesseract $DATA/messi5.jpg stdout"
  "zbarimg|$WORK/in/qr.png|codes|zbarimg -q $WORK/in/qr.png"
  "zbarimg|$DATA/messi5.jpg|codes|zbarimg -q $DATA/messi5.jpg"
)
declare -A PEER_VFS PEER_CLI PEER_BUILTIN
for p in "${PEERS[@]}"; do
  IFS='|' read -r name img analyzer cli <<< "$p"
  # zbarimg exits 4 when it finds no code: -i ignores the status.
  PEER_CLI[$p]=$(median_ms --runs "$RUNS" --warmup 1 -i "$cli")
  PEER_VFS[$p]=$(cold_ms "$img" "$analyzer")
done
# The same with the built-in engines only (no models): Haar cascade faces,
# Tesseract-only text, OpenCV QR and barcode, closer to what the CLIs run.
mount_vfs "models=$WORK/no-models"
cp "$IMG" "$MNT/warmup.jpg"
cat "$MNT/warmup.jpg.json" > /dev/null
for p in "${PEERS[@]}"; do
  IFS='|' read -r name img analyzer cli <<< "$p"
  PEER_BUILTIN[$p]=$(cold_ms "$img" "$analyzer")
done
for p in "${PEERS[@]}"; do
  IFS='|' read -r name img analyzer cli <<< "$p"
  c=${PEER_CLI[$p]}
  v=${PEER_VFS[$p]}
  b=${PEER_BUILTIN[$p]}
  ROWS_B+=("| \`${cli//$DATA\//}\` | ${img##*/} | $(fmt "$c") | $analyzer: $(fmt "$v") | $(ratio "$c" "$v") | $(fmt "$b") | $(ratio "$c" "$b") |")
done

# ---------------------------------------------------------------- (c)
log "(c) model throughput, $BATCH images"
PHOTOS=(messi5.jpg squirrel_cls.jpg HappyFish.jpg fruits.jpg baboon.jpg building.jpg home.jpg orange.jpg
        apple.jpg butterfly.jpg starry_night.jpg aero1.jpg lena.jpg board.jpg)
AVAILABLE_PHOTOS=()
for f in "${PHOTOS[@]}"; do [ -f "$DATA/$f" ] && AVAILABLE_PHOTOS+=("$f"); done
mkdir -p "$WORK/batch"
for i in $(seq 0 $((BATCH - 1))); do
  cp "$DATA/${AVAILABLE_PHOTOS[$((i % ${#AVAILABLE_PHOTOS[@]}))]}" "$WORK/batch/img$(printf %03d "$i").jpg"
done

# batch WORKERS LAYOUT [ENV=VALUE...]: LAYOUT "one" puts every image in one
# directory, "four" spreads them over four. Sets BATCH_SECONDS and
# BATCH_CORES (the daemon's CPU time over the wall time of the batch).
# Not called in $(...): the mount must stay this shell's.
batch() {
  local workers=$1 layout=$2
  shift 2
  mount_vfs "models=$MODELS,workers=$workers" "$@"
  cp "$IMG" "$MNT/warmup.jpg"
  cat "$MNT/warmup.jpg.objects.json" "$MNT/warmup.jpg.labels.json" > /dev/null
  local i=0
  for f in "$WORK"/batch/*.jpg; do
    local dir=$MNT/d0
    [ "$layout" = four ] && dir=$MNT/d$((i % 4))
    mkdir -p "$dir"
    cp "$f" "$dir/"
    i=$((i + 1))
  done
  local start end cpu0 cpu1
  # How many analyses run at once, sampled from stats.json during the batch.
  (while :; do jq '.workers.running' "$MNT/.visionfs/stats.json" 2> /dev/null; sleep 0.1; done) > "$WORK/running.txt" &
  local sampler=$!
  cpu0=$(awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat")
  start=$(date +%s.%N)
  find "$MNT" -path "$MNT/.visionfs" -prune -o -name 'img*.jpg' -print |
    sed -e 's/$/.objects.json/p' -e 's/objects.json$/labels.json/' |
    xargs -P 4 -n 8 cat > /dev/null
  end=$(date +%s.%N)
  cpu1=$(awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat")
  kill "$sampler" 2> /dev/null || true
  wait "$sampler" 2> /dev/null || true
  BATCH_RUNNING=$(awk '{ n++; s += $1; if ($1 > m) m = $1 } END { if (n) printf "%.2f (max %d)", s / n, m; else print "n/a" }' "$WORK/running.txt")
  local runs
  runs=$(jq '.analyses.objects.runs + .analyses.labels.runs' "$MNT/.visionfs/stats.json")
  [ "$runs" -eq $((2 * BATCH + 2)) ] || { echo "expected $((2 * BATCH + 2)) runs, stats say $runs" >&2; exit 1; }
  BATCH_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  BATCH_CORES=$(awk -v a="$start" -v b="$end" -v c0="$cpu0" -v c1="$cpu1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.2f", (c1 - c0) / hz / (b - a) }')
}
ips() { awk -v n="$BATCH" -v t="$1" 'BEGIN { printf "%.2f", n / t }'; }
# batch_row LABEL [ENV=VALUE...]
batch_row() {
  local label=$1
  shift
  local t1 c1 t2 c2 r2 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  batch 1 "$LAYOUT" "$@"
  t1=$BATCH_SECONDS c1=$BATCH_CORES
  batch 2 "$LAYOUT" "$@"
  t2=$BATCH_SECONDS c2=$BATCH_CORES r2=$BATCH_RUNNING
  ROWS_C+=("| $label | $t1 s, $(ips "$t1") img/s, $c1 cores | $t2 s, $(ips "$t2") img/s, $c2 cores | $(ratio "$t1" "$t2") | $r2 | $load |")
}
LAYOUT=one batch_row "one directory"
LAYOUT=four batch_row "four directories"
LAYOUT=one batch_row "one directory, OPENCV_FOR_THREADS_NUM=1" OPENCV_FOR_THREADS_NUM=1
LAYOUT=four batch_row "four directories, OPENCV_FOR_THREADS_NUM=1" OPENCV_FOR_THREADS_NUM=1
unmount

# ---------------------------------------------------------------- report
cores=$(nproc)
cat << EOF

## Sidecar benchmarks ($(date -u +%Y-%m-%d), $cores cores, shared machine; medians)

### (a) Cold sidecar vs in-process, messi5.jpg (548x342), models from $MODELS

Cold: \`cat NAME.<a>.json\` of a freshly copied image (hyperfine, $RUNS runs, networks already
loaded). In-process: \`analysis::analyze_bytes\` (decode + analyze + envelope) in bench/analyzers_bench.

| analyzer | cold sidecar (ms) | in-process (ms) | overhead ratio | overhead (ms) |
|---|---:|---:|---:|---:|
$(printf '%s\n' "${ROWS_A[@]}")

| warm read | median | compared with | ratio (goal <= 2) |
|---|---:|---|---:|
$WARM_ROW
$LOCAL_ROW

### (b) Peers, one image per command (CLI start-up included; visionfs cold sidecar)

| command | image | CLI (ms) | visionfs with models (ms) | CLI / visionfs | visionfs built-in engines (ms) | CLI / built-in |
|---|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${ROWS_B[@]}")

Each CLI pays its own process start-up, library and model loading on every image; the daemon
pays those once. facedetect is a Python script over OpenCV's Haar cascade, as are visionfs's
built-in faces; zbarimg is ZBar, visionfs uses OpenCV's QR and barcode readers (WeChat QR with models).

### (c) Models: $BATCH photos, objects + labels sidecars, \`xargs -P 4\` readers

| layout | workers=1 | workers=2 | scaling (goal 1.7x) | analyses running at once, workers=2 (mean of samples) | load avg before |
|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${ROWS_C[@]}")

"cores" is the daemon's CPU time divided by the wall time. OpenCV's DNN already spreads one
inference over every core (the default rows), so on a machine with few cores one worker can
saturate it. The OPENCV_FOR_THREADS_NUM=1 rows show the scaling of the workers alone. The
"one directory" and "four directories" rows should agree: the kernel holds a directory's lock
across each LOOKUP (libfuse 3.14 cannot enable parallel directory operations), so a sidecar's
LOOKUP only starts its analysis and GETATTR/OPEN wait for it; if one directory ever shows about
one analysis at a time again, that design has regressed.
EOF
