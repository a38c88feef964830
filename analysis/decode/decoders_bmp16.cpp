// 16-bit BMPs with channel masks (BITFIELDS). OpenCV 4.6 reads the masks
// from after the whole info header, which is right for a 40-byte
// BITMAPINFOHEADER only: in the V4 and V5 headers most writers use, the
// masks sit inside the header at the same file offsets (54, 58, 62, 66), so
// OpenCV reads pixels as masks and refuses a valid file. Any masks work here.

#include "analysis/core/errors.h"
#include "analysis/decode/decoders.h"
#include "analysis/decode/header_bytes.h"

#include <bit>

namespace visionfs::analysis {

namespace {

struct Channel {
  std::uint32_t mask = 0;
  int shift = 0;
  std::uint32_t max = 0;

  explicit Channel(std::uint32_t m) : mask(m & 0xFFFF) {
    if (mask == 0) return;
    shift = std::countr_zero(mask);
    max = mask >> shift;
  }
  std::uint8_t scale(std::uint32_t pixel) const {
    if (max == 0) return 0;
    return static_cast<std::uint8_t>((((pixel & mask) >> shift) * 255 + max / 2) / max);
  }
};

}  // namespace

cv::Mat decode_bmp16_bitfields(std::span<const std::uint8_t> b, const ImageHeader& header) {
  using header::has;
  using header::le32;
  using header::le16;
  if (!has(b, 54, 12)) throw AnalysisError(ErrorCode::kInvalidArgument, "corrupt bmp data: masks missing");
  const Channel red(le32(b, 54)), green(le32(b, 58)), blue(le32(b, 62));
  const Channel alpha(header.has_alpha && has(b, 66, 4) ? le32(b, 66) : 0);
  const bool top_down = static_cast<std::int32_t>(le32(b, 22)) < 0;
  const std::size_t offset = le32(b, 10);
  const std::size_t stride = ((static_cast<std::size_t>(header.width) * 16 + 31) / 32) * 4;
  if (!has(b, offset, stride * static_cast<std::size_t>(header.height))) {
    throw AnalysisError(ErrorCode::kInvalidArgument, "corrupt or truncated bmp data");
  }
  cv::Mat pixels(header.height, header.width, header.has_alpha ? CV_8UC4 : CV_8UC3);
  const int channels = pixels.channels();
  for (int y = 0; y < header.height; ++y) {
    const int file_row = top_down ? y : header.height - 1 - y;
    const std::size_t row = offset + static_cast<std::size_t>(file_row) * stride;
    std::uint8_t* out = pixels.ptr<std::uint8_t>(y);
    for (int x = 0; x < header.width; ++x) {
      const std::uint32_t pixel = le16(b, row + static_cast<std::size_t>(x) * 2);
      out[0] = blue.scale(pixel);
      out[1] = green.scale(pixel);
      out[2] = red.scale(pixel);
      if (channels == 4) out[3] = alpha.scale(pixel);
      out += channels;
    }
  }
  return pixels;
}

}  // namespace visionfs::analysis
