#!/usr/bin/env bash
# Opens a visionfs mount in Nautilus and Dolphin under Xvfb, as a desktop
# user would, and reports what it cost: seconds until the window shows the
# folder, and the analyses the daemon ran while it did (from stats.json).
# Takes a screenshot of each. Not in CI: it needs a desktop stack
#   apt-get install nautilus dolphin xvfb scrot xdotool dbus-x11
#   scripts/desktop-check.sh [-o MOUNT_OPTIONS] [--photos N] [--out DIR]
# e.g. scripts/desktop-check.sh -o listed=none   (the README's desktop mount)
# Uses the build in build-test/ and a throwaway HOME, so nothing of the
# browsers' state (thumbnails, trash, recent files) lands in yours; it
# reports what each browser wrote there.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
options="" photos=34 out="$here/build-test/desktop"
while [ $# -gt 0 ]; do
  case "$1" in
    -o) options="$2"; shift ;;
    --photos) photos="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/desktop-check.sh [-o OPTIONS] [--photos N] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
binary="$here/build-test/fs/visionfs"
[ -x "$binary" ] || { echo "build first: scripts/test.sh" >&2; exit 1; }
models=""
[ -d "$here/../shared/models" ] && models=",models=$(cd "$here/../shared/models" && pwd)"

work="$(mktemp -d /tmp/visionfs-desktop-XXXXXX)"
mkdir -p "$out" "$work/mnt" "$work/home" "$work/run"
chmod 700 "$work/run"
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run" DISPLAY=:91
Xvfb :91 -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
cleanup() {
  pkill -f "nautilus|dolphin" 2>/dev/null || true
  fusermount3 -u "$work/mnt" 2>/dev/null || fusermount3 -uz "$work/mnt" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

analyses() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(sum(v.get("runs",0) for v in s["analyses"].values()))' \
    "$work/mnt/.visionfs/stats.json"
}

browse() {  # browse NAME COMMAND...
  local name="$1"; shift
  fusermount3 -u "$work/mnt" 2>/dev/null || true
  "$binary" -f -o "ttl=1h${models}${options:+,$options}" "$work/mnt" 2>"$work/$name.log" &
  for _ in $(seq 50); do mountpoint -q "$work/mnt" && break; sleep 0.1; done
  # The photos: opencv-doc's JPEGs and PNGs, repeated up to N files.
  local i=0
  while [ $i -lt "$photos" ]; do
    for f in /usr/share/doc/opencv-doc/examples/data/*.jpg; do
      [ $i -lt "$photos" ] || break
      cp "$f" "$work/mnt/photo$i.jpg"; i=$((i + 1))
    done
  done
  local start end
  start=$(date +%s.%N)
  dbus-run-session -- bash -c "$* >/dev/null 2>&1 & xdotool search --sync --onlyvisible --name '$(basename "$work")|mnt' >/dev/null; sleep 10; scrot '$out/$name.png'; pkill -f '$1' || true" &
  local session=$!
  # Seconds until a window shows the folder (its name in the title).
  xdotool search --sync --onlyvisible --name "mnt" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  wait "$session" || true
  printf '%-9s window after %5.1f s; %4s analyses run in the first 10 s; screenshot %s\n' \
    "$name" "$(echo "$end - $start" | bc)" "$(analyses)" "$out/$name.png"
  # What the browser wrote to disk in its (throwaway) home: thumbnails of
  # the photos, recent files, metadata (README, Privacy).
  echo "          written under HOME: $(find "$HOME" -type f | wc -l) files;" \
    "thumbnails: $(find "$HOME/.cache/thumbnails" -type f 2>/dev/null | wc -l)"
  find "$HOME" -type f -printf '            %P\n' | sed -E 's|/[^/]*$||' | sort | uniq -c | sort -rn | head -5
  rm -rf "${HOME:?}"/* "${HOME:?}"/.[!.]*
}

echo "visionfs desktop check: $photos photos, -o ${options:-(defaults)}"
browse nautilus nautilus --new-window "$work/mnt"
browse dolphin dolphin --new-window "$work/mnt"
