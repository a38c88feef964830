#!/usr/bin/env bash
# Fuzzes the code that reads untrusted bytes (every image) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer.
#   scripts/fuzz.sh [--seconds N | --runs N] [TARGET...]
# Targets: headers (sniffing and header guards), exif (libexif reader),
# decode (the whole decode path, 1 megapixel limit), envelope (the meta
# analyzer's sidecar, decode to JSON), codes (decode, then ZBar over the
# pixels). Default: all five, 30 s each (what CI runs after the tests). The documented long run (docs/fuzzing.md):
#   scripts/fuzz.sh --runs 1000000
# Builds in build-fuzz/ with clang; seeds come from visionfs-make-corpus and
# the small photos Debian's opencv-doc ships (with EXIF variants written by
# exiftool when it is installed); the growing corpus stays in
# build-fuzz/corpus/TARGET. A finding (crash, leak, timeout, out of memory)
# is saved to build-fuzz/findings/TARGET and makes the script fail.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
limit=(-max_total_time=30)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) limit=(-max_total_time="$2"); shift ;;
    --runs) limit=(-runs="$2"); shift ;;
    headers|exif|decode|envelope|codes) targets+=("$1") ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N | --runs N] [headers|exif|decode|envelope]..." >&2; exit 2 ;;
  esac
  shift
done
[ ${#targets[@]} -eq 0 ] && targets=(headers exif decode envelope codes)

source "$here/scripts/deps.sh"
visionfs_install_packages "${VISIONFS_BUILD_PACKAGES[@]}" clang libclang-rt-dev

build="${VISIONFS_FUZZ_BUILD_DIR:-$here/build-fuzz}"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DVISIONFS_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target visionfs-make-corpus $(printf 'fuzz_%s ' "${targets[@]}")

seeds="$build/seeds"
rm -rf "$seeds"
"$build/tests/fuzz/visionfs-make-corpus" "$seeds"
# Real photos, small enough to keep each execution fast.
find /usr/share/doc/opencv-doc/examples/data -maxdepth 1 -type f -size -96k \
  \( -name '*.jpg' -o -name '*.png' -o -name '*.bmp' -o -name '*.tif' -o -name '*.gif' \) \
  -exec cp -t "$seeds/images" {} + 2>/dev/null || true
if command -v exiftool >/dev/null; then
  for photo in "$seeds"/images/*.jpg; do
    exiftool -q -q -o "${photo%.jpg}-exiftool.jpg" -Make=visionfs -Model=seed -Orientation#=6 \
      -DateTimeOriginal='2024:05:06 07:08:09' -GPSLatitude=48.1 -GPSLatitudeRef=N "$photo" || true
  done
  "$build/tests/fuzz/visionfs-make-corpus" --exif-only "$seeds"
fi
# Codes for the codes target to start from: a QR code and linear barcodes,
# written by the real tools (test packages).
if command -v qrencode >/dev/null && command -v zint >/dev/null; then
  qrencode -s 3 -o "$seeds/images/code-qr.png" "https://example.org/visionfs/fuzz"
  zint -b 20 --quietzones -d "VISIONFS-128" -o "$seeds/images/code-128.png"
  zint -b 13 --quietzones -d 5901234123457 -o "$seeds/images/code-ean13.png"
  zint -b 3 --quietzones -d 1234567890 -o "$seeds/images/code-itf.png"
fi

# ASan's leak check stays on; UBSan findings abort (compiled without recover).
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1}"
failed=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  findings="$build/findings/$target"
  mkdir -p "$corpus" "$findings"
  seed_dir="$seeds/images"
  [ "$target" = exif ] && seed_dir="$seeds/exif"
  log="$build/fuzz-$target.log"
  echo "fuzz: $target (${limit[*]}), seeds $(ls "$seed_dir" | wc -l)" >&2
  # -timeout: one input running 25 s is a finding; -rss_limit_mb: so is 2 GB.
  if ! "$build/tests/fuzz/fuzz_$target" "${limit[@]}" -timeout=25 -rss_limit_mb=2048 -max_len=262144 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$seed_dir" >"$log" 2>&1; then
    failed=1
    echo "fuzz: $target FOUND something; see $log and $findings" >&2
  fi
  # The last status line and the totals, for docs/fuzzing.md.
  grep -E '^#[0-9]+\s+(DONE|pulse)' "$log" | tail -1 >&2 || true
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$log" >&2 || true
done
exit $failed
