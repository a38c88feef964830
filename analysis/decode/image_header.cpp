#include "analysis/decode/image_header.h"

#include "analysis/core/errors.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace visionfs::analysis {

namespace {

using Bytes = std::span<const std::uint8_t>;

// Largest dimension any of the parsed formats can express and OpenCV accepts
// as an int; anything above is corrupt rather than merely large.
constexpr std::uint32_t kMaxDimension = std::numeric_limits<int>::max();

[[noreturn]] void corrupt(std::string_view format, std::string_view what) {
  throw AnalysisError(ErrorCode::kInvalidArgument,
                      "corrupt or truncated " + std::string(format) + " data: " + std::string(what));
}

bool has(Bytes b, std::size_t offset, std::size_t n) {
  return offset <= b.size() && n <= b.size() - offset;
}

std::uint32_t be16(Bytes b, std::size_t o) { return (b[o] << 8) | b[o + 1]; }
std::uint32_t be32(Bytes b, std::size_t o) {
  return (static_cast<std::uint32_t>(b[o]) << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
std::uint32_t le16(Bytes b, std::size_t o) { return b[o] | (b[o + 1] << 8); }
std::uint32_t le24(Bytes b, std::size_t o) { return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16); }
std::uint32_t le32(Bytes b, std::size_t o) {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (static_cast<std::uint32_t>(b[o + 3]) << 24);
}

bool fourcc_is(Bytes b, std::size_t o, std::string_view code) {
  return has(b, o, 4) && std::memcmp(b.data() + o, code.data(), 4) == 0;
}

// EXIF payloads in PNG and WebP should start with the TIFF header, but some
// writers keep the JPEG-style "Exif\0\0" prefix; accept both.
Bytes strip_exif_prefix(Bytes block) {
  static constexpr std::uint8_t kPrefix[] = {'E', 'x', 'i', 'f', 0, 0};
  if (block.size() >= sizeof kPrefix && std::memcmp(block.data(), kPrefix, sizeof kPrefix) == 0) {
    block = block.subspan(sizeof kPrefix);
  }
  return block;
}

// ---------------------------------------------------------------- JPEG

struct JpegWalk {
  const char* error = nullptr;  // set when the marker structure is broken
  bool have_frame = false;
  int precision = 0, width = 0, height = 0, components = 0;
  Bytes exif;
  std::size_t scan_offset = 0;  // 0: no SOS reached
};

bool is_sof(std::uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Walks the marker segments from SOI to the first SOS (start of scan), which
// is where libjpeg has everything it needs to size the output.
JpegWalk walk_jpeg(Bytes b) {
  JpegWalk walk;
  std::size_t pos = 2;  // after SOI
  for (;;) {
    if (pos >= b.size()) {
      walk.error = "ends before the first scan";
      return walk;
    }
    if (b[pos] != 0xFF) {
      walk.error = "marker expected";
      return walk;
    }
    while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= b.size()) continue;
    const std::uint8_t marker = b[pos++];
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9 || marker == 0x00) {
      walk.error = "no image before the end marker";
      return walk;
    }
    if (!has(b, pos, 2)) {
      walk.error = "ends inside a segment header";
      return walk;
    }
    const std::size_t length = be16(b, pos);
    if (length < 2 || !has(b, pos, length)) {
      walk.error = "segment runs past the end of the data";
      return walk;
    }
    const Bytes segment = b.subspan(pos + 2, length - 2);
    if (is_sof(marker) && !walk.have_frame) {
      if (segment.size() < 6) {
        walk.error = "frame header too short";
        return walk;
      }
      walk.have_frame = true;
      walk.precision = segment[0];
      walk.height = static_cast<int>(be16(segment, 1));
      walk.width = static_cast<int>(be16(segment, 3));
      walk.components = segment[5];
    } else if (marker == 0xE1 && walk.exif.empty() && segment.size() > 6 &&
               std::memcmp(segment.data(), "Exif\0\0", 6) == 0) {
      walk.exif = segment.subspan(6);
    } else if (marker == 0xDA) {
      walk.scan_offset = pos + length;
      if (!walk.have_frame) walk.error = "scan before frame header";
      return walk;
    }
    pos += length;
  }
}

ImageHeader jpeg_header(Bytes b) {
  const JpegWalk walk = walk_jpeg(b);
  if (walk.error) corrupt("jpeg", walk.error);
  if (walk.width == 0) corrupt("jpeg", "zero width");
  // Height 0 means "defined by a DNL marker later", which libjpeg rejects.
  if (walk.height == 0) corrupt("jpeg", "height defined by DNL marker is not supported");
  if (walk.components != 1 && walk.components != 3 && walk.components != 4) {
    corrupt("jpeg", "unsupported number of components");
  }
  ImageHeader h;
  h.width = walk.width;
  h.height = walk.height;
  h.channels = walk.components;
  h.bit_depth = walk.precision;
  h.jpeg_scan_offset = walk.scan_offset;
  return h;
}

// ---------------------------------------------------------------- PNG

struct PngChunks {
  bool trns = false;
  std::uint32_t animation_frames = 0;  // from acTL; 0 when not an APNG
  Bytes exif;
};

// Visits the chunk headers (not their data) up to IEND or the end of the
// data; a truncated file is libpng's to report when it decodes.
PngChunks walk_png(Bytes b) {
  PngChunks chunks;
  std::size_t pos = 8;
  while (has(b, pos, 8)) {
    const std::size_t length = be32(b, pos);
    const std::size_t data = pos + 8;
    if (length > 0x7FFFFFFFu) break;
    if (fourcc_is(b, pos + 4, "IEND")) break;
    const bool complete = has(b, data, length);
    if (fourcc_is(b, pos + 4, "tRNS")) chunks.trns = true;
    if (fourcc_is(b, pos + 4, "acTL") && complete && length >= 8) {
      chunks.animation_frames = be32(b, data);
    }
    if (fourcc_is(b, pos + 4, "eXIf") && complete && chunks.exif.empty()) {
      chunks.exif = strip_exif_prefix(b.subspan(data, length));
    }
    if (!complete) break;
    pos = data + length + 4;  // data and CRC
  }
  return chunks;
}

ImageHeader png_header(Bytes b) {
  if (!has(b, 8, 25) || be32(b, 8) != 13 || !fourcc_is(b, 12, "IHDR")) {
    corrupt("png", "missing IHDR chunk");
  }
  const std::uint32_t width = be32(b, 16);
  const std::uint32_t height = be32(b, 20);
  const int bit_depth = b[24];
  const int color_type = b[25];
  if (width == 0 || height == 0 || width > kMaxDimension || height > kMaxDimension) {
    corrupt("png", "invalid dimensions in IHDR");
  }
  const PngChunks chunks = walk_png(b);
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

// ---------------------------------------------------------------- GIF

// Skips a run of GIF data sub-blocks (length byte, data, ..., 0).
// Returns the position after the terminator, or 0 when the data ends first.
std::size_t skip_sub_blocks(Bytes b, std::size_t pos) {
  while (pos < b.size()) {
    const std::size_t length = b[pos];
    if (length == 0) return pos + 1;
    pos += 1 + length;
  }
  return 0;
}

ImageHeader gif_header(Bytes b) {
  if (!has(b, 6, 7)) corrupt("gif", "logical screen descriptor missing");
  const int screen_width = static_cast<int>(le16(b, 6));
  const int screen_height = static_cast<int>(le16(b, 8));
  const std::uint8_t flags = b[10];
  std::size_t pos = 13;
  if (flags & 0x80) pos += 3u * (2u << (flags & 0x07));  // global colour table

  ImageHeader h;
  h.channels = 3;
  h.frame_count = 0;
  bool pending_transparency = false;
  // Walks every block, so the frame count is known without decoding any LZW
  // data. A truncated tail ends the walk; frames complete so far still count.
  while (pos < b.size()) {
    const std::uint8_t introducer = b[pos];
    if (introducer == 0x3B) break;  // trailer
    if (introducer == 0x21) {       // extension
      if (!has(b, pos, 2)) break;
      const std::uint8_t label = b[pos + 1];
      if (label == 0xF9 && has(b, pos, 8) && b[pos + 2] >= 4) {
        pending_transparency = (b[pos + 3] & 0x01) != 0;
      }
      const std::size_t next = skip_sub_blocks(b, pos + 2);
      if (next == 0) break;
      pos = next;
    } else if (introducer == 0x2C) {  // image descriptor
      if (!has(b, pos, 10)) break;
      const int left = static_cast<int>(le16(b, pos + 1));
      const int top = static_cast<int>(le16(b, pos + 3));
      const int width = static_cast<int>(le16(b, pos + 5));
      const int height = static_cast<int>(le16(b, pos + 7));
      const std::uint8_t image_flags = b[pos + 9];
      std::size_t data = pos + 10;
      if (image_flags & 0x80) data += 3u * (2u << (image_flags & 0x07));  // local colour table
      const std::size_t next = data < b.size() ? skip_sub_blocks(b, data + 1) : 0;
      if (h.frame_count == 0) {
        h.gif_left = left;
        h.gif_top = top;
        h.gif_width = width;
        h.gif_height = height;
        h.has_alpha = pending_transparency;
      }
      ++h.frame_count;
      if (next == 0) break;  // the frame's data is cut short
      pos = next;
      pending_transparency = false;
    } else {
      break;  // garbage after the last frame: browsers stop here too
    }
  }
  if (h.frame_count == 0) corrupt("gif", "no frames");
  if (h.gif_width == 0 || h.gif_height == 0) corrupt("gif", "first frame is empty");
  if (h.has_alpha) h.channels = 4;
  // Browsers draw frames on the logical screen; a frame reaching outside it
  // grows the canvas rather than being cut (and some encoders write 0x0).
  h.width = std::max(screen_width, h.gif_left + h.gif_width);
  h.height = std::max(screen_height, h.gif_top + h.gif_height);
  return h;
}

// ---------------------------------------------------------------- BMP

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
    // BITFIELDS / ALPHABITFIELDS with a non-zero alpha mask (V3+ headers).
    if (bpp == 32 && dib >= 56 && (compression == 3 || compression == 6) && le32(b, 66) != 0) {
      h.has_alpha = true;
    }
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

// ---------------------------------------------------------------- WebP

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

// ---------------------------------------------------------------- TIFF

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

}  // namespace

ImageHeader read_image_header(ImageFormat format, std::span<const std::uint8_t> bytes) {
  switch (format) {
    case ImageFormat::kJpeg: return jpeg_header(bytes);
    case ImageFormat::kPng: return png_header(bytes);
    case ImageFormat::kGif: return gif_header(bytes);
    case ImageFormat::kBmp: return bmp_header(bytes);
    case ImageFormat::kWebp: return webp_header(bytes);
    case ImageFormat::kTiff: return tiff_header(bytes);
    default:
      throw AnalysisError(ErrorCode::kUnimplemented,
                          "unsupported image format: " + std::string(format_name(format)));
  }
}

std::span<const std::uint8_t> find_exif_block(ImageFormat format,
                                              std::span<const std::uint8_t> bytes) {
  switch (format) {
    case ImageFormat::kJpeg: {
      if (bytes.size() < 2) return {};
      return walk_jpeg(bytes).exif;
    }
    case ImageFormat::kPng: return bytes.size() >= 8 ? walk_png(bytes).exif : Bytes{};
    case ImageFormat::kWebp: return bytes.size() >= 12 ? walk_webp(bytes).exif : Bytes{};
    default: return {};
  }
}

}  // namespace visionfs::analysis
