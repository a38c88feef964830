// The TIFF (and BigTIFF) header: dimensions, channels, depth, tiles, pages
// and orientation without decoding.
//
// The rules follow libtiff, which decodes the file afterwards: the first
// occurrence of a tag wins, and every integer type is accepted for a number.
// Reading it any other way lets a file show the guards one size and the
// decoder another (a fuzzer found a 1x20000 header that decoded 20000x20000).

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace visionfs::analysis::header {

namespace {

enum Tag : std::uint32_t {
  kImageWidth = 256, kImageLength = 257, kBitsPerSample = 258, kPhotometric = 262,
  kOrientation = 274, kSamplesPerPixel = 277, kRowsPerStrip = 278, kTileWidth = 322,
  kTileLength = 323, kExtraSamples = 338,
};

class TiffReader {
 public:
  explicit TiffReader(Bytes b) : b_(b), little_(b.size() > 0 && b[0] == 'I') {}

  // Reads the version and the first IFD's offset; false if neither classic
  // TIFF (42) nor BigTIFF (43 with 8-byte offsets).
  bool read_header(std::uint64_t* first_ifd) {
    if (!has(b_, 0, 8)) return false;
    const std::uint32_t version = u16(2);
    if (version == 42) {
      *first_ifd = u32(4);
      return true;
    }
    if (version != 43 || !has(b_, 0, 16) || u16(4) != 8 || u16(6) != 0) return false;
    big_ = true;
    *first_ifd = u64(8);
    return true;
  }

  bool in_range(std::uint64_t o, std::uint64_t n) const {
    return o <= b_.size() && n <= b_.size() - o;
  }
  std::size_t count_size() const { return big_ ? 8 : 2; }
  std::size_t entry_size() const { return big_ ? 20 : 12; }
  std::size_t offset_size() const { return big_ ? 8 : 4; }
  std::uint64_t offset(std::size_t o) const { return big_ ? u64(o) : u32(o); }
  std::uint64_t count(std::size_t o) const { return big_ ? u64(o) : u16(o); }
  std::uint32_t tag(std::size_t entry) const { return u16(entry); }
  bool little() const { return little_; }

  // The IFD at `ifd`: its entry count, or nullopt if it does not fit.
  std::optional<std::uint64_t> ifd_entries(std::uint64_t ifd) const {
    if (!in_range(ifd, count_size())) return std::nullopt;
    const std::uint64_t n = count(ifd);
    if (n > b_.size() / entry_size() ||
        !in_range(ifd + count_size(), n * entry_size() + offset_size())) {
      return std::nullopt;
    }
    return n;
  }
  std::size_t entry_at(std::uint64_t ifd, std::uint64_t i) const {
    return static_cast<std::size_t>(ifd + count_size() + i * entry_size());
  }
  std::uint64_t next_ifd(std::uint64_t ifd, std::uint64_t entries) const {
    return offset(static_cast<std::size_t>(ifd + count_size() + entries * entry_size()));
  }

  // The first value of an entry as a number, of any integer type (signed
  // ones must not be negative), read where the entry points when it does
  // not fit inline. Returns the value's position too.
  std::optional<std::pair<std::uint64_t, std::size_t>> first_integer(std::size_t entry) const {
    const std::uint32_t type = u16(entry + 2);
    const std::uint64_t n = big_ ? u64(entry + 4) : u32(entry + 4);
    const std::size_t size = integer_size(type);
    if (n == 0 || size == 0) return std::nullopt;
    std::uint64_t where = entry + 4 + offset_size();
    if (n > offset_size() / size) {
      where = offset(entry + 4 + offset_size());
      if (!in_range(where, size)) return std::nullopt;
    }
    const auto at = static_cast<std::size_t>(where);
    const std::uint64_t raw = size == 1 ? b_[at] : size == 2 ? u16(at) : size == 4 ? u32(at) : u64(at);
    const bool is_signed = type == 6 || type == 8 || type == 9 || type == 17;
    if (is_signed && (raw >> (size * 8 - 1)) != 0) return std::nullopt;  // negative
    return std::make_pair(raw, at);
  }
  std::uint64_t value_count(std::size_t entry) const { return big_ ? u64(entry + 4) : u32(entry + 4); }
  std::uint32_t type(std::size_t entry) const { return u16(entry + 2); }

  static std::size_t integer_size(std::uint32_t type) {
    switch (type) {
      case 1: case 6: return 1;           // BYTE, SBYTE
      case 3: case 8: return 2;           // SHORT, SSHORT
      case 4: case 9: case 13: return 4;  // LONG, SLONG, IFD
      case 16: case 17: case 18: return 8;  // LONG8, SLONG8, IFD8 (BigTIFF)
      default: return 0;
    }
  }

 private:
  std::uint32_t u16(std::size_t o) const { return little_ ? le16(b_, o) : be16(b_, o); }
  std::uint32_t u32(std::size_t o) const { return little_ ? le32(b_, o) : be32(b_, o); }
  std::uint64_t u64(std::size_t o) const {
    const std::uint64_t a = u32(o), c = u32(o + 4);
    return little_ ? (c << 32) | a : (a << 32) | c;
  }

  Bytes b_;
  bool little_;
  bool big_ = false;
};

struct FirstIfd {
  std::map<std::uint32_t, std::uint64_t> values;  // first occurrence of each tag
  std::uint64_t extra_samples = 0;                // ExtraSamples' count
  std::size_t orientation_at = 0;
  std::size_t orientation_size = 0;
};

FirstIfd read_first_ifd(const TiffReader& tiff, std::uint64_t ifd, std::uint64_t entries) {
  FirstIfd out;
  for (std::uint64_t i = 0; i < entries; ++i) {
    const std::size_t entry = tiff.entry_at(ifd, i);
    const std::uint32_t tag = tiff.tag(entry);
    if (out.values.contains(tag)) continue;
    const auto value = tiff.first_integer(entry);
    if (!value) continue;
    out.values.emplace(tag, value->first);
    if (tag == kExtraSamples) out.extra_samples = tiff.value_count(entry);
    if (tag == kOrientation) {
      out.orientation_at = value->second;
      out.orientation_size = tiff.integer_size(tiff.type(entry));
    }
  }
  return out;
}

// Pages: the IFD chain, each offset visited once, so a loop counts its
// pages once instead of running to a cap.
int count_pages(const TiffReader& tiff, std::uint64_t first) {
  std::set<std::uint64_t> seen;
  std::uint64_t next = first;
  while (next != 0 && !seen.contains(next)) {
    const auto entries = tiff.ifd_entries(next);
    if (!entries) break;
    seen.insert(next);
    next = tiff.next_ifd(next, *entries);
  }
  return static_cast<int>(std::max<std::size_t>(seen.size(), 1));
}

std::uint64_t value_or(const FirstIfd& ifd, std::uint32_t tag, std::uint64_t fallback) {
  const auto it = ifd.values.find(tag);
  return it == ifd.values.end() ? fallback : it->second;
}

}  // namespace

ImageHeader tiff_header(Bytes b) {
  TiffReader tiff(b);
  std::uint64_t first = 0;
  if (!tiff.read_header(&first)) corrupt("tiff", "header missing or not TIFF/BigTIFF");
  const auto entries = tiff.ifd_entries(first);
  if (!entries) corrupt("tiff", "first IFD outside the data or truncated");
  const FirstIfd ifd = read_first_ifd(tiff, first, *entries);

  const std::uint64_t width = value_or(ifd, kImageWidth, 0);
  const std::uint64_t height = value_or(ifd, kImageLength, 0);
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension) {
    corrupt("tiff", "invalid or missing ImageWidth/ImageLength");
  }
  const std::uint64_t samples = value_or(ifd, kSamplesPerPixel, 1);
  if (samples == 0 || samples > 16) corrupt("tiff", "invalid SamplesPerPixel");
  const std::uint64_t photometric = value_or(ifd, kPhotometric, 2);

  ImageHeader h;
  h.width = static_cast<int>(width);
  h.height = static_cast<int>(height);
  h.bit_depth = static_cast<int>(std::min<std::uint64_t>(value_or(ifd, kBitsPerSample, 1), 64));
  h.channels = static_cast<int>(samples);
  if (photometric == 3) {  // palette: 16-bit colour map entries, shown as RGB
    h.channels = 3 + static_cast<int>(std::min<std::uint64_t>(ifd.extra_samples, 13));
    h.bit_depth = 8;
  }
  // Alpha: declared by ExtraSamples, or (as OpenCV writes it) simply one
  // sample more than the colour model needs. CMYK's fourth sample is ink.
  const std::uint64_t colour_samples = photometric <= 1 || photometric == 3 ? 1 : photometric == 5 ? 4 : 3;
  h.has_alpha = ifd.extra_samples > 0 || samples > colour_samples;

  // The decoder allocates one tile (or strip) besides the image, sized from
  // these tags alone: a 16x16 image may declare 16000x16000 tiles.
  if (ifd.values.contains(kTileWidth) || ifd.values.contains(kTileLength)) {
    h.block_width = value_or(ifd, kTileWidth, 0);
    h.block_height = value_or(ifd, kTileLength, 0);
    if (h.block_width == 0 || h.block_height == 0) corrupt("tiff", "invalid TileWidth/TileLength");
  } else {
    h.block_width = width;
    h.block_height = std::min(value_or(ifd, kRowsPerStrip, height), height);
  }
  const std::uint64_t orientation = value_or(ifd, kOrientation, 1);
  if (orientation >= 1 && orientation <= 8) h.tiff_orientation = static_cast<int>(orientation);
  h.tiff_orientation_at = ifd.orientation_at;
  h.tiff_orientation_size = ifd.orientation_size;
  h.tiff_little_endian = tiff.little();
  h.frame_count = count_pages(tiff, first);
  return h;
}

}  // namespace visionfs::analysis::header
