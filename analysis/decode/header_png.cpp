// The PNG header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

namespace {

constexpr std::uint32_t kMaxPngSide = 1'000'000;

struct PngChunks {
  bool runs_past_end = false;  // a chunk's declared length passes the end
  bool trns = false;
  std::uint32_t animation_frames = 0;  // from acTL; 0 when not an APNG
  Bytes exif;
};

// Visits the chunk headers (not their data) up to IEND or the end of the
// data. libpng allocates a chunk's declared length before reading it (up to
// 2 GiB for an eXIf or tEXt), so a chunk that runs past the end of the file
// is found here, before libpng sees it.
PngChunks walk_png(Bytes b) {
  PngChunks chunks;
  std::size_t pos = 8;
  while (has(b, pos, 8)) {
    const std::size_t length = be32(b, pos);
    const std::size_t data = pos + 8;
    if (fourcc_is(b, pos + 4, "IEND")) break;
    const bool complete = length <= 0x7FFFFFFFu && has(b, data, length + 4);
    if (!complete) {
      chunks.runs_past_end = true;
      break;
    }
    if (fourcc_is(b, pos + 4, "tRNS")) chunks.trns = true;
    if (fourcc_is(b, pos + 4, "acTL") && length >= 8) {
      chunks.animation_frames = be32(b, data);
    }
    if (fourcc_is(b, pos + 4, "eXIf") && chunks.exif.empty()) {
      chunks.exif = strip_exif_prefix(b.subspan(data, length));
    }
    pos = data + length + 4;  // data and CRC
  }
  return chunks;
}

}  // namespace

ImageHeader png_header(Bytes b) {
  if (!has(b, 8, 25) || be32(b, 8) != 13 || !fourcc_is(b, 12, "IHDR")) {
    corrupt("png", "missing IHDR chunk");
  }
  const std::uint32_t width = be32(b, 16);
  const std::uint32_t height = be32(b, 20);
  const int bit_depth = b[24];
  const int color_type = b[25];
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
    corrupt("png", "invalid dimensions in IHDR");
  }
  // libpng's own limit (PNG_USER_WIDTH_MAX and _HEIGHT_MAX): a valid file,
  // too large for the decoder rather than corrupt.
  if (width > kMaxPngSide || height > kMaxPngSide) {
    throw AnalysisError(ErrorCode::kResourceExhausted,
                        "png is " + std::to_string(width) + "x" + std::to_string(height) +
                            ", over libpng's limit of " + std::to_string(kMaxPngSide) +
                            " pixels per side");
  }
  const PngChunks chunks = walk_png(b);
  if (chunks.runs_past_end) corrupt("png", "a chunk runs past the end of the file");
  ImageHeader h;
  h.width = static_cast<int>(width);
  h.height = static_cast<int>(height);
  h.bit_depth = bit_depth;
  switch (color_type) {
    case 0: h.channels = 1; break;
    case 2: h.channels = 3; break;
    case 3:
      h.channels = chunks.trns ? 4 : 3;
      h.has_alpha = chunks.trns;
      h.bit_depth = 8;  // palette entries are 8 bits per channel
      break;
    case 4: h.channels = 2; h.has_alpha = true; break;
    case 6: h.channels = 4; h.has_alpha = true; break;
    default: corrupt("png", "invalid colour type in IHDR");
  }
  if (chunks.animation_frames > 0) {
    h.frame_count = static_cast<int>(std::min<std::uint32_t>(chunks.animation_frames,
                                                             std::numeric_limits<int>::max()));
  }
  return h;
}

Bytes png_exif(Bytes b) { return b.size() >= 8 ? walk_png(b).exif : Bytes{}; }

}  // namespace visionfs::analysis::header
