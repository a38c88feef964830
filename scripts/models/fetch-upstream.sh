#!/usr/bin/env bash
# fetch-upstream.sh STAGE [GROUP...]: makes every model of scripts/models/sources.tsv
# (or only those under the named groups: face objects classify nsfw text
# wechat_qrcode) in STAGE, laid out as the models directory: downloads from
# the pinned upstream locations, converts the three derived ones. It checks
# nothing against scripts/models.sha256: scripts/install-models.sh does,
# before installing anything. Exit status 1 when a file could not be made.
#
# Mirrors, for tests and for users behind a proxy of their own:
#   VISIONFS_MODELS_GITHUB (default https://raw.githubusercontent.com): OWNER/REPO/COMMIT/PATH below it
#   VISIONFS_MODELS_NPM    (default https://registry.npmjs.org): the npm registry's tarball layout
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stage=${1:?usage: fetch-upstream.sh STAGE [GROUP...]}
shift
groups=("$@")
github=${VISIONFS_MODELS_GITHUB:-https://raw.githubusercontent.com}
npm=${VISIONFS_MODELS_NPM:-https://registry.npmjs.org}
python=/usr/bin/python3  # Debian's, with python3-onnx and python3-numpy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

wanted() {
  [ ${#groups[@]} -eq 0 ] && return 0
  local g
  for g in "${groups[@]}"; do [ "${1%%/*}" = "$g" ] && return 0; done
  return 1
}

download() {  # download URL OUT
  echo "  from $1" >&2
  curl --fail --location --show-error --progress-bar --retry 2 -o "$2.part" "$1" && mv "$2.part" "$2"
}

need_onnx() {
  "$python" -c 'import onnx, numpy' 2>/dev/null && return 0
  echo "fetch-upstream: converting needs Debian's python3-onnx and python3-numpy (apt-get install python3-onnx)" >&2
  return 1
}

make_nsfwjs() {  # make_nsfwjs "VERSION INTEGRITY" OUT
  local version=${1%% *} integrity=${1#* }
  command -v node >/dev/null || { echo "fetch-upstream: the nsfwjs conversion needs node (apt-get install nodejs)" >&2; return 1; }
  need_onnx
  download "$npm/nsfwjs/-/nsfwjs-$version.tgz" "$work/nsfwjs.tgz"
  # npm's integrity field: sha512, base64.
  local got
  got="sha512-$("$python" -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$work/nsfwjs.tgz")"
  if [ "$got" != "$integrity" ]; then
    echo "fetch-upstream: nsfwjs-$version.tgz does not match its published integrity hash" >&2
    return 1
  fi
  tar -xzf "$work/nsfwjs.tgz" -C "$work" package/dist/models/mobilenet_v2
  node "$here/extract_nsfwjs.js" "$work/package/dist/models/mobilenet_v2" "$work/nsfwjs" >/dev/null
  "$python" "$here/nsfwjs_to_onnx.py" "$work/nsfwjs/model.json" "$work/nsfwjs/weights.bin" "$2" >/dev/null
}

make_one() {  # make_one PATH KIND SOURCE OUT
  local path=$1 kind=$2 source=$3 out=$4
  case "$kind" in
    github) download "$github/$source" "$out" ;;
    ppocr-det)
      need_onnx && download "$github/$source" "$work/det.onnx" &&
        "$python" "$here/ppocr_fix_clip.py" "$work/det.onnx" "$out" >/dev/null ;;
    ppocr-rec)
      need_onnx && download "$github/$source" "$work/rec.onnx" &&
        "$python" "$here/ppocr_static_rec.py" "$work/rec.onnx" "$out" 1,3,32,320 --tbc >/dev/null ;;
    nsfwjs) make_nsfwjs "$source" "$out" ;;
    debian)
      [ -f "$source" ] || { echo "fetch-upstream: $source is missing: apt-get install opencv-doc" >&2; return 1; }
      cp "$source" "$out" ;;
    lines) printf '%s\n' $source > "$out" ;;
    *) echo "fetch-upstream: unknown kind $kind for $path" >&2; return 1 ;;
  esac
}

failed=0
while IFS=$'\t' read -r path kind source licence; do
  case "$path" in ''|'#'*) continue ;; esac
  wanted "$path" || continue
  echo "fetch-upstream: $path ($kind, licence $licence)" >&2
  mkdir -p "$stage/$(dirname "$path")"
  if ! make_one "$path" "$kind" "$source" "$stage/$path"; then
    echo "fetch-upstream: FAILED to make $path" >&2
    rm -f "$stage/$path" "$stage/$path.part"
    failed=1
  fi
done < "$here/sources.tsv"
exit $failed
