#!/usr/bin/env bash
# install-models.sh DIR [DEST]: install visionfs's optional models.
#
# Copies the model files found in DIR (laid out as face/, objects/,
# classify/, nsfw/, text/, wechat_qrcode/; see docs/models.md) into DEST,
# after checking each one's sha256 against scripts/models.sha256, the list
# committed with the source. A file whose checksum does not match is refused
# and not installed. Files missing from DIR are skipped with a warning, so a
# partial set installs what it has. Running it again is harmless: files
# already installed with the right checksum are left alone.
#
# DEST defaults to $VISIONFS_MODELS, else ${XDG_DATA_HOME:-~/.local/share}/visionfs/models,
# the directory the daemon looks in when -o models= is not given.
#
# Exit status: 0 when every file found in DIR was installed (or already
# was), 1 when a file was refused or could not be copied, or none was
# found at all, 2 for a usage error.

set -euo pipefail

usage() {
  echo "usage: $0 DIR [DEST]" >&2
  echo "  DIR   a directory holding the model files (e.g. an unpacked models bundle)" >&2
  echo "  DEST  where to install them (default: \$VISIONFS_MODELS, else \${XDG_DATA_HOME:-~/.local/share}/visionfs/models)" >&2
}

if [[ $# -lt 1 || $# -gt 2 || $1 == -h || $1 == --help ]]; then
  usage
  exit 2
fi

src=$1
if [[ ! -d $src ]]; then
  echo "install-models: not a directory: $src" >&2
  exit 2
fi

if [[ $# -eq 2 ]]; then
  dest=$2
elif [[ -n ${VISIONFS_MODELS:-} ]]; then
  dest=$VISIONFS_MODELS
else
  data_home=${XDG_DATA_HOME:-}
  # The XDG spec: an empty or relative XDG_DATA_HOME is ignored.
  if [[ -z $data_home || $data_home != /* ]]; then
    data_home=${HOME:?install-models: neither HOME nor XDG_DATA_HOME is set; give DEST}/.local/share
  fi
  dest=$data_home/visionfs/models
fi

sums="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/models.sha256"
if [[ ! -r $sums ]]; then
  echo "install-models: checksum list not found: $sums" >&2
  exit 2
fi

sha256_of() { sha256sum -- "$1" | cut -d' ' -f1; }

installed=0 current=0 missing=0 refused=0
tmp=""
trap '[[ -n $tmp ]] && rm -f -- "$tmp"' EXIT

while read -r expected relative; do
  [[ -z ${expected:-} || $expected == \#* ]] && continue
  from=$src/$relative
  to=$dest/$relative
  if [[ ! -f $from ]]; then
    echo "install-models: warning: $relative not in $src; skipped" >&2
    missing=$((missing + 1))
    continue
  fi
  actual=$(sha256_of "$from")
  if [[ $actual != "$expected" ]]; then
    echo "install-models: REFUSED $relative: checksum mismatch (expected $expected, got $actual); not installed" >&2
    refused=$((refused + 1))
    continue
  fi
  if [[ -f $to && $(sha256_of "$to") == "$expected" ]]; then
    echo "up to date  $relative"
    current=$((current + 1))
    continue
  fi
  mkdir -p -- "$(dirname -- "$to")"
  # Copy beside the target and rename, so a running daemon never sees a
  # half-written model; check the copy before it replaces anything.
  tmp=$(mktemp -- "$to.XXXXXX")
  if ! cp -- "$from" "$tmp" || [[ $(sha256_of "$tmp") != "$expected" ]]; then
    echo "install-models: could not copy $relative to $to" >&2
    rm -f -- "$tmp"
    tmp=""
    refused=$((refused + 1))
    continue
  fi
  chmod 0644 -- "$tmp"
  mv -f -- "$tmp" "$to"
  tmp=""
  echo "installed   $relative"
  installed=$((installed + 1))
done <"$sums"

echo "install-models: $installed installed, $current already up to date, $missing missing, $refused refused; in $dest"
if ((refused > 0)); then
  exit 1
fi
if ((installed + current == 0)); then
  echo "install-models: no model files found in $src" >&2
  exit 1
fi
exit 0
