// The TIFF header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

namespace {

class TiffReader {
 public:
  explicit TiffReader(Bytes b) : b_(b), little_(b[0] == 'I') {}
  bool in_range(std::size_t o, std::size_t n) const { return has(b_, o, n); }
  std::uint32_t u16(std::size_t o) const { return little_ ? le16(b_, o) : be16(b_, o); }
  std::uint32_t u32(std::size_t o) const { return little_ ? le32(b_, o) : be32(b_, o); }

  // The first value of the IFD entry at `entry` as an integer (SHORT or
  // LONG), reading it from the pointed-to location when it does not fit.
  bool first_value(std::size_t entry, std::uint32_t* value) const {
    const std::uint32_t type = u16(entry + 2);
    const std::uint32_t count = u32(entry + 4);
    if (count == 0) return false;
    const std::size_t size = type == 3 ? 2 : type == 4 ? 4 : type == 1 ? 1 : 0;
    if (size == 0) return false;
    std::size_t where = entry + 8;
    if (static_cast<std::uint64_t>(size) * count > 4) {
      where = u32(entry + 8);
      if (!in_range(where, size)) return false;
    }
    *value = size == 2 ? u16(where) : size == 4 ? u32(where) : b_[where];
    return true;
  }

 private:
  Bytes b_;
  bool little_;
};

}  // namespace

ImageHeader tiff_header(Bytes b) {
  TiffReader tiff(b);
  if (!tiff.in_range(0, 8)) corrupt("tiff", "header missing");
  std::size_t ifd = tiff.u32(4);
  if (!tiff.in_range(ifd, 2)) corrupt("tiff", "first IFD outside the data");
  const std::size_t entries = tiff.u16(ifd);
  if (!tiff.in_range(ifd + 2, entries * 12 + 4)) corrupt("tiff", "first IFD truncated");

  std::uint32_t width = 0, height = 0, bits = 1, samples = 1, photometric = 2, extra = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const std::size_t entry = ifd + 2 + i * 12;
    std::uint32_t value = 0;
    if (!tiff.first_value(entry, &value)) continue;
    switch (tiff.u16(entry)) {
      case 256: width = value; break;
      case 257: height = value; break;
      case 258: bits = value; break;
      case 262: photometric = value; break;
      case 277: samples = value; break;
      case 338: extra = tiff.u32(entry + 4); break;  // ExtraSamples: its count
      default: break;
    }
  }
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension) {
    corrupt("tiff", "invalid or missing ImageWidth/ImageLength");
  }
  if (samples == 0 || samples > 16) corrupt("tiff", "invalid SamplesPerPixel");

  ImageHeader h;
  h.width = static_cast<int>(width);
  h.height = static_cast<int>(height);
  h.bit_depth = static_cast<int>(bits);
  h.channels = static_cast<int>(samples);
  if (photometric == 3) {  // palette: 16-bit colour map entries, shown as RGB
    h.channels = 3 + static_cast<int>(extra);
    h.bit_depth = 8;
  }
  // Alpha: declared by ExtraSamples, or (as OpenCV writes it) simply one
  // sample more than the colour model needs. CMYK's fourth sample is ink.
  const std::uint32_t colour_samples = photometric <= 1 || photometric == 3 ? 1 : photometric == 5 ? 4 : 3;
  h.has_alpha = extra > 0 || samples > colour_samples;

  // Pages: follow the IFD chain. The cap bounds the walk over a hostile loop.
  constexpr int kMaxPages = 10000;
  int pages = 1;
  std::size_t next = tiff.u32(ifd + 2 + entries * 12);
  while (next != 0 && pages < kMaxPages && tiff.in_range(next, 2)) {
    const std::size_t count = tiff.u16(next);
    if (!tiff.in_range(next + 2, count * 12 + 4)) break;
    ++pages;
    const std::size_t following = tiff.u32(next + 2 + count * 12);
    if (following == next) break;
    next = following;
  }
  h.frame_count = pages;
  return h;
}

}  // namespace visionfs::analysis::header
