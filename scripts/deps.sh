#!/usr/bin/env bash
# Installs the Debian 12 packages visionfs needs to build, run and test.
# Sourced by run.sh and test.sh; safe to run again (apt-get skips what is there).
set -euo pipefail

VISIONFS_BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libfuse3-dev fuse3
  libopencv-dev libopencv-contrib-dev opencv-data
  nlohmann-json3-dev libspdlog-dev libfmt-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-eng
  libgif-dev libexif-dev libwebp-dev libzbar-dev wordnet-base
)
# Tools the tests and benchmarks drive, and the photos they use.
VISIONFS_TEST_PACKAGES=(
  googletest libgtest-dev libbenchmark-dev
  opencv-doc inotify-tools attr rsync jq strace python3 xxd psmisc libimage-exiftool-perl libglib2.0-bin
  curl python3-onnx python3-numpy python3-pil protobuf-compiler libprotobuf-dev python3-protobuf
  qrencode zint barcode zbar-tools tesseract-ocr facedetect hyperfine
)

visionfs_install_packages() {
  local wanted=("$@") missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "visionfs: installing ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Node and npm for the tests that run Google's own client library
# (tests/google). A Node that is already installed (from Debian or
# elsewhere) is used as it is.
visionfs_install_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  visionfs_install_packages nodejs npm
}
