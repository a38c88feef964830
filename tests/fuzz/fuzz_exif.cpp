// libFuzzer target: the EXIF reader (libexif) over a TIFF-structured block,
// as it follows "Exif\0\0" in a JPEG.

#include "analysis/decode/exif_info.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto summary = visionfs::analysis::read_exif(std::span<const std::uint8_t>(data, size));
  if (summary && summary->orientation && (*summary->orientation < 1 || *summary->orientation > 8)) {
    __builtin_trap();  // the reader promises 1..8 or nothing
  }
  return 0;
}
