#!/usr/bin/env bash
# install-models.sh: install visionfs's optional models.
#
#   install-models.sh [--only GROUP[:GROUP...]] [--dest DEST]
#       Downloads every model from its pinned upstream location (a fixed
#       commit of its source repository, or a fixed npm package version and
#       its integrity hash; scripts/models/sources.tsv), converts the three
#       derived ones on this machine (scripts/models/), checks every file
#       against scripts/models.sha256, and only then installs them. Any
#       failure (a download, a conversion, a checksum) installs nothing.
#       GROUPs: face objects classify nsfw text wechat_qrcode.
#   install-models.sh --from DIR [DEST]      (or: install-models.sh DIR [DEST])
#       Installs from a directory laid out like the models directory
#       (offline; CI uses ../shared/models): each file whose checksum
#       matches; a mismatch is refused, a missing file skipped with a warning.
#
# Files already installed with the right checksum are left alone; each new
# one is copied beside its target and renamed, so a running daemon never
# sees half a model. DEST defaults to $VISIONFS_MODELS, else
# ${XDG_DATA_HOME:-~/.local/share}/visionfs/models, where the daemon looks
# when -o models= is not given. docs/models.md lists the models, their
# sources and licences.
#
# Exit status: 0 when everything asked for was installed (or already was),
# 1 when something was refused, failed or not found, 2 for a usage error.

set -euo pipefail

usage() {
  echo "usage: $0 [--only GROUP[:GROUP...]] [--dest DEST]     (download from upstream)" >&2
  echo "       $0 --from DIR [DEST]                            (install from a directory)" >&2
}

src="" dest="" only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 2 ;;
    --from) src=${2:?}; shift ;;
    --dest) dest=${2:?}; shift ;;
    --only) only=${2:?}; shift ;;
    -*) usage; exit 2 ;;
    *) if [[ -z $src ]]; then src=$1; elif [[ -z $dest ]]; then dest=$1; else usage; exit 2; fi ;;
  esac
  shift
done
if [[ -n $src && ! -d $src ]]; then
  echo "install-models: not a directory: $src" >&2
  exit 2
fi

if [[ -z $dest && -n ${VISIONFS_MODELS:-} ]]; then
  dest=$VISIONFS_MODELS
elif [[ -z $dest ]]; then
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

downloaded=""
if [[ -z $src ]]; then
  # Download mode: everything is made in a staging directory and checked
  # whole before the first file is installed.
  downloaded=$(mktemp -d)
  trap 'rm -rf -- "$downloaded"' EXIT
  echo "install-models: downloading the models into a staging directory (docs/models.md lists sources and licences)"
  IFS=: read -r -a groups <<<"$only"
  if ! "$(dirname "$sums")/models/fetch-upstream.sh" "$downloaded" "${groups[@]}"; then
    echo "install-models: a model could not be downloaded or converted; nothing was installed" >&2
    exit 1
  fi
  bad=0
  while read -r expected relative; do
    [[ -z ${expected:-} || $expected == \#* || ! -f $downloaded/$relative ]] && continue
    if [[ $(sha256_of "$downloaded/$relative") != "$expected" ]]; then
      echo "install-models: REFUSED $relative: its checksum differs from scripts/models.sha256" >&2
      bad=1
    fi
  done <"$sums"
  if ((bad)); then
    echo "install-models: nothing was installed" >&2
    exit 1
  fi
  src=$downloaded
fi

installed=0 current=0 missing=0 refused=0
tmp=""
trap '[[ -n $tmp ]] && rm -f -- "$tmp"; [[ -n $downloaded ]] && rm -rf -- "$downloaded"' EXIT

while read -r expected relative; do
  [[ -z ${expected:-} || $expected == \#* ]] && continue
  from=$src/$relative
  to=$dest/$relative
  if [[ ! -f $from ]]; then
    # Downloading, a file outside the --only groups is simply not asked for.
    [[ -n $downloaded ]] && continue
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
