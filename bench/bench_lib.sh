# Shared by the mount benchmarks (sidecar_bench.sh, codes_bench.sh):
# a scratch directory and mountpoint removed on exit, mounting the daemon,
# hyperfine medians, cold sidecar reads and number formatting.
# Expects VISIONFS (the daemon binary) and RUNS to be set; sourced, not run.

WORK=$(mktemp -d /tmp/visionfs-bench-XXXXXX)
MNT=$WORK/mnt
DAEMON_PID=
mkdir -p "$MNT" "$WORK/in"

log() { echo "== $*" >&2; }

unmount() {
  if [ -n "$DAEMON_PID" ]; then
    fusermount3 -u "$MNT" 2> /dev/null || fusermount3 -uz "$MNT" 2> /dev/null || true
    wait "$DAEMON_PID" 2> /dev/null || true
    DAEMON_PID=
  fi
}
cleanup() {
  unmount
  rm -rf "$WORK"
}
trap cleanup EXIT

# mount OPTIONS [ENV=VALUE...]: starts the daemon in the foreground and
# waits for the mount.
mount_vfs() {
  unmount
  if grep -q " $MNT fuse" /proc/self/mounts; then
    echo "$MNT is still mounted" >&2
    exit 1
  fi
  local options=$1
  shift
  env "$@" "$VISIONFS" -f -o "ttl=1h,max_memory=2G,$options" "$MNT" > "$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  for _ in $(seq 200); do
    if grep -q " $MNT fuse.visionfs " /proc/self/mounts; then return 0; fi
    kill -0 "$DAEMON_PID" 2> /dev/null || break
    sleep 0.05
  done
  echo "visionfs did not mount; log:" >&2
  cat "$WORK/daemon.log" >&2
  exit 1
}

# hyperfine's median in milliseconds for one command; extra hyperfine
# options first.
median_ms() {
  hyperfine -N --style none --export-json "$WORK/hf.json" "$@" > /dev/null 2>&1 ||
    { echo "hyperfine failed: $*" >&2; hyperfine -N "$@" >&2; exit 1; }
  jq '.results[0].median * 1000' "$WORK/hf.json"
}

# Cold sidecar: a new image file before every run (rm + cp gives a new
# inode, so nothing of the previous run's result can be reused).
cold_ms() {  # IMAGE ANALYZER
  local ext=${1##*.}
  median_ms --runs "$RUNS" --prepare "sh -c 'rm -f $MNT/cold.$ext && cp $1 $MNT/cold.$ext'" \
    "cat $MNT/cold.$ext.$2.json"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
fmt() { awk -v v="$1" 'BEGIN { if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v }'; }

