// libFuzzer target: sniffing and the header guards of every format, and the
// EXIF block finder. Nothing here may allocate for pixels or throw anything
// but AnalysisError.

#include "analysis/core/errors.h"
#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace visionfs::analysis;
  const std::span<const std::uint8_t> bytes(data, size);
  const auto format = sniff_image_format(bytes);
  if (!format) return 0;
  (void)find_exif_block(*format, bytes);
  if (!is_decodable(*format)) return 0;
  try {
    const ImageHeader header = read_image_header(*format, bytes);
    if (header.width <= 0 || header.height <= 0) __builtin_trap();  // guards promise a size
  } catch (const AnalysisError&) {
  }
  return 0;
}
