#!/usr/bin/env bash
# The working memory of every analyzer and of the decoder, by image size:
# each figure is one run of build/bench/analysis_memory_bench in a fresh
# process (peak resident size above what the process held just before; the
# engines are loaded first), beside the estimate the budget charges for it
# (Analyzer::working_bytes, analysis::decoded_bytes). An estimate below the
# measurement is marked "UNDER". Figures for docs/PERFORMANCE.md, "Memory".
#   bench/memory_bench.sh [--build DIR] [--models DIR|none] [--sizes "1 4 16 36"]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="$here/build-test" models="" sizes="1 4 16 36"
[ -d "$here/../shared/models" ] && models="$(cd "$here/../shared/models" && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift ;;
    --models) models="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    *) echo "usage: bench/memory_bench.sh [--build DIR] [--models DIR] [--sizes LIST]" >&2; exit 2 ;;
  esac
  shift
done
[ "$models" = none ] && models=""
tool="$build/bench/analysis_memory_bench"
[ -x "$tool" ] || { echo "build first: cmake --build $build --target analysis_memory_bench" >&2; exit 1; }
photo=/usr/share/doc/opencv-doc/examples/data/messi5.jpg
names="decode-jpeg decode-jpeg-progressive decode-png decode-png-alpha faces text codes colors quality meta hash crops"
[ -n "$models" ] && names="$names objects labels safe"
printf '%-12s %6s %10s %12s %12s\n' name Mpx "peak MiB" "retained MiB" "estimate MiB"
for name in $names; do
  for mpx in $sizes; do
    read -r n m peak retained estimate < <("$tool" "$photo" "$mpx" "$name" ${models:+"$models"} 2>/dev/null) || {
      printf '%-12s %6s failed\n' "$name" "$mpx"; continue; }
    flag=""
    awk -v p="$peak" -v e="$estimate" 'BEGIN { exit !(e < p) }' && flag="UNDER"
    printf '%-12s %6s %10s %12s %12s %s\n' "$n" "$m" "$peak" "$retained" "$estimate" "$flag"
  done
done
