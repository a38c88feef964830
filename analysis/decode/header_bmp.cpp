// The BMP header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

ImageHeader bmp_header(Bytes b) {
  if (!has(b, 14, 4)) corrupt("bmp", "header missing");
  const std::uint32_t dib = le32(b, 14);
  ImageHeader h;
  std::int64_t width = 0, height = 0;
  int bpp = 0;
  if (dib == 12) {
    if (!has(b, 14, 12)) corrupt("bmp", "header truncated");
    width = le16(b, 18);
    height = le16(b, 20);
    bpp = static_cast<int>(le16(b, 24));
  } else {
    if (dib < 40 || !has(b, 14, dib)) corrupt("bmp", "header truncated");
    width = static_cast<std::int32_t>(le32(b, 18));
    height = static_cast<std::int32_t>(le32(b, 22));  // negative: top-down rows
    bpp = static_cast<int>(le16(b, 28));
    const std::uint32_t compression = le32(b, 30);
    const bool bitfields = compression == 3 || compression == 6;
    // BITFIELDS / ALPHABITFIELDS with a non-zero alpha mask (V3+ headers).
    if ((bpp == 32 || bpp == 16) && dib >= 56 && bitfields && has(b, 66, 4) && le32(b, 66) != 0) {
      h.has_alpha = true;
    }
    h.bmp_bitfields16 = bpp == 16 && bitfields;
  }
  height = std::llabs(height);
  if (width <= 0 || height <= 0 || width > kMaxDimension || height > kMaxDimension) {
    corrupt("bmp", "invalid dimensions");
  }
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    corrupt("bmp", "invalid bits per pixel");
  }
  h.width = static_cast<int>(width);
  h.height = static_cast<int>(height);
  h.channels = h.has_alpha ? 4 : 3;
  h.bit_depth = 8;
  return h;
}

}  // namespace visionfs::analysis::header
