#pragma once
// Internal to decode/: the byte readers the per-format header parsers share
// (decode/header_*.cpp), and those parsers. Everything reads a span that may
// be truncated or hostile: has() before every access.

#include "analysis/core/errors.h"
#include "analysis/decode/image_header.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>

namespace visionfs::analysis::header {

using Bytes = std::span<const std::uint8_t>;

// Largest dimension any of the parsed formats can express and OpenCV accepts
// as an int; anything above is corrupt rather than merely large.
inline constexpr std::uint32_t kMaxDimension = std::numeric_limits<int>::max();

[[noreturn]] inline void corrupt(std::string_view format, std::string_view what) {
  throw AnalysisError(ErrorCode::kInvalidArgument,
                      "corrupt or truncated " + std::string(format) + " data: " + std::string(what));
}

inline bool has(Bytes b, std::size_t offset, std::size_t n) {
  return offset <= b.size() && n <= b.size() - offset;
}

inline std::uint32_t be16(Bytes b, std::size_t o) { return (b[o] << 8) | b[o + 1]; }
inline std::uint32_t be32(Bytes b, std::size_t o) {
  return (static_cast<std::uint32_t>(b[o]) << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
inline std::uint32_t le16(Bytes b, std::size_t o) { return b[o] | (b[o + 1] << 8); }
inline std::uint32_t le24(Bytes b, std::size_t o) { return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16); }
inline std::uint32_t le32(Bytes b, std::size_t o) {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (static_cast<std::uint32_t>(b[o + 3]) << 24);
}

inline bool fourcc_is(Bytes b, std::size_t o, std::string_view code) {
  return has(b, o, 4) && std::memcmp(b.data() + o, code.data(), 4) == 0;
}

// EXIF payloads in PNG and WebP should start with the TIFF header, but some
// writers keep the JPEG-style "Exif\0\0" prefix; accept both.
inline Bytes strip_exif_prefix(Bytes block) {
  static constexpr std::uint8_t kPrefix[] = {'E', 'x', 'i', 'f', 0, 0};
  if (block.size() >= sizeof kPrefix && std::memcmp(block.data(), kPrefix, sizeof kPrefix) == 0) {
    block = block.subspan(sizeof kPrefix);
  }
  return block;
}

// One parser per format: the header fields, or AnalysisError.
ImageHeader jpeg_header(Bytes b);
ImageHeader png_header(Bytes b);
ImageHeader gif_header(Bytes b);
ImageHeader bmp_header(Bytes b);
ImageHeader webp_header(Bytes b);
ImageHeader tiff_header(Bytes b);
// The EXIF block of a JPEG (APP1), PNG (eXIf) or WebP (EXIF chunk), or empty.
Bytes jpeg_exif(Bytes b);
Bytes png_exif(Bytes b);
Bytes webp_exif(Bytes b);

}  // namespace visionfs::analysis::header
