// The WebP header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

namespace {

struct WebpChunks {
  int frames = 0;
  Bytes exif;
};

WebpChunks walk_webp(Bytes b) {
  WebpChunks chunks;
  std::size_t pos = 12;
  while (has(b, pos, 8)) {
    const std::size_t length = le32(b, pos + 4);
    const std::size_t data = pos + 8;
    if (!has(b, data, length)) break;
    if (fourcc_is(b, pos, "ANMF")) ++chunks.frames;
    if (fourcc_is(b, pos, "EXIF") && chunks.exif.empty()) {
      chunks.exif = strip_exif_prefix(b.subspan(data, length));
    }
    pos = data + length + (length & 1);  // chunks are padded to even sizes
  }
  return chunks;
}

}  // namespace

ImageHeader webp_header(Bytes b) {
  if (!has(b, 12, 8)) corrupt("webp", "first chunk missing");
  const std::size_t data = 20;
  ImageHeader h;
  h.channels = 3;
  if (fourcc_is(b, 12, "VP8 ")) {
    if (!has(b, data, 10) || b[data + 3] != 0x9D || b[data + 4] != 0x01 || b[data + 5] != 0x2A) {
      corrupt("webp", "invalid VP8 frame header");
    }
    h.width = static_cast<int>(le16(b, data + 6) & 0x3FFF);
    h.height = static_cast<int>(le16(b, data + 8) & 0x3FFF);
  } else if (fourcc_is(b, 12, "VP8L")) {
    if (!has(b, data, 5) || b[data] != 0x2F) corrupt("webp", "invalid VP8L header");
    const std::uint32_t bits = le32(b, data + 1);
    h.width = static_cast<int>((bits & 0x3FFF) + 1);
    h.height = static_cast<int>(((bits >> 14) & 0x3FFF) + 1);
    h.has_alpha = ((bits >> 28) & 1) != 0;
  } else if (fourcc_is(b, 12, "VP8X")) {
    if (!has(b, data, 10)) corrupt("webp", "invalid VP8X header");
    const std::uint8_t flags = b[data];
    h.width = static_cast<int>(le24(b, data + 4) + 1);
    h.height = static_cast<int>(le24(b, data + 7) + 1);
    h.has_alpha = (flags & 0x10) != 0;
    if (flags & 0x02) {
      // OpenCV 4.6 decodes still WebP only (libwebp's simple API).
      throw AnalysisError(ErrorCode::kUnimplemented, "unsupported image format: animated webp");
    }
  } else {
    corrupt("webp", "unknown first chunk");
  }
  if (h.width == 0 || h.height == 0) corrupt("webp", "zero dimensions");
  if (h.has_alpha) h.channels = 4;
  return h;
}

Bytes webp_exif(Bytes b) { return b.size() >= 12 ? walk_webp(b).exif : Bytes{}; }

}  // namespace visionfs::analysis::header
