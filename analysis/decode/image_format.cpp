#include "analysis/decode/image_format.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace visionfs::analysis {

namespace {

using Bytes = std::span<const std::uint8_t>;

bool starts_with(Bytes head, std::initializer_list<std::uint8_t> magic) {
  if (head.size() < magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), head.begin());
}

bool starts_with(Bytes head, std::string_view text, std::size_t offset = 0) {
  if (head.size() < offset + text.size()) return false;
  return std::memcmp(head.data() + offset, text.data(), text.size()) == 0;
}

bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }

// "BM" starts plenty of text files; a real BMP also carries one of the
// known DIB header sizes right after the 14-byte file header.
bool is_bmp(Bytes head) {
  if (!starts_with(head, "BM") || head.size() < 18) return false;
  const std::uint32_t dib = head[14] | (head[15] << 8) | (head[16] << 16) |
                            (static_cast<std::uint32_t>(head[17]) << 24);
  return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
         dib == 124;
}

// P1..P6: the magic, whitespace, then a comment or "width whitespace height".
// P7 (PAM): the magic, a newline, then a comment or an upper-case keyword.
// This keeps a text file that merely begins with "P1 " from being claimed.
bool is_pnm(Bytes head) {
  if (head.size() < 4 || head[0] != 'P' || head[1] < '1' || head[1] > '7') return false;
  std::size_t i = 2;
  if (!is_space(head[i])) return false;
  while (i < head.size() && is_space(head[i])) ++i;
  if (i >= head.size()) return false;
  if (head[i] == '#') return true;
  if (head[1] == '7') {
    for (std::string_view key : {"WIDTH", "HEIGHT", "DEPTH", "MAXVAL", "TUPLTYPE", "ENDHDR"}) {
      if (starts_with(head, key, i)) return true;
    }
    return false;
  }
  if (!is_digit(head[i])) return false;
  while (i < head.size() && is_digit(head[i])) ++i;
  if (i >= head.size() || !is_space(head[i])) return false;
  while (i < head.size() && is_space(head[i])) ++i;
  return i < head.size() && (is_digit(head[i]) || head[i] == '#');
}

// "PF\n" (colour) or "Pf\n" (grey), then the width.
bool is_pfm(Bytes head) {
  if (head.size() < 4 || head[0] != 'P' || (head[1] != 'F' && head[1] != 'f')) return false;
  std::size_t i = 2;
  if (head[i] == '\r') ++i;
  if (i >= head.size() || head[i] != '\n') return false;
  ++i;
  return i < head.size() && is_digit(head[i]);
}

// ICONDIR: reserved 0, type 1, count >= 1; the first entry's reserved byte
// is 0 and its plane count 0 or 1.
bool is_ico(Bytes head) {
  if (!starts_with(head, {0x00, 0x00, 0x01, 0x00}) || head.size() < 16) return false;
  const int count = head[4] | (head[5] << 8);
  const int planes = head[10] | (head[11] << 8);
  return count >= 1 && head[9] == 0 && planes <= 1;
}

// ISO base media file: size, "ftyp", major brand, minor version, then
// compatible brands. HEIF and AVIF share the container; the brands decide.
std::optional<ImageFormat> heif_family(Bytes head) {
  if (!starts_with(head, "ftyp", 4) || head.size() < 12) return std::nullopt;
  auto brand_at = [&](std::size_t offset) -> std::string_view {
    if (head.size() < offset + 4) return {};
    return {reinterpret_cast<const char*>(head.data() + offset), 4};
  };
  auto is_avif = [](std::string_view b) { return b == "avif" || b == "avis"; };
  auto is_heif = [](std::string_view b) {
    return b == "heic" || b == "heix" || b == "hevc" || b == "hevx" || b == "heim" ||
           b == "heis" || b == "mif1" || b == "msf1";
  };
  const std::string_view major = brand_at(8);
  if (is_avif(major)) return ImageFormat::kAvif;
  // "mif1" is the generic image brand: the compatible brands say which codec.
  std::size_t box_size = (static_cast<std::size_t>(head[0]) << 24) | (head[1] << 16) |
                         (head[2] << 8) | head[3];
  box_size = std::min(box_size, head.size());
  bool heif = is_heif(major);
  for (std::size_t offset = 16; offset + 4 <= box_size; offset += 4) {
    const std::string_view brand = brand_at(offset);
    if (is_avif(brand)) return ImageFormat::kAvif;
    heif = heif || is_heif(brand);
  }
  if (heif) return ImageFormat::kHeif;
  return std::nullopt;
}

}  // namespace

std::optional<ImageFormat> sniff_image_format(std::span<const std::uint8_t> head) {
  if (head.size() > kSniffBytes) head = head.first(kSniffBytes);
  if (starts_with(head, {0xFF, 0xD8, 0xFF})) return ImageFormat::kJpeg;
  if (starts_with(head, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return ImageFormat::kPng;
  if (starts_with(head, "GIF87a") || starts_with(head, "GIF89a")) return ImageFormat::kGif;
  if (is_bmp(head)) return ImageFormat::kBmp;
  if (starts_with(head, "RIFF") && starts_with(head, "WEBP", 8)) return ImageFormat::kWebp;
  // Classic TIFF (42) and BigTIFF (43).
  if (starts_with(head, {'I', 'I', 0x2A, 0x00}) || starts_with(head, {'M', 'M', 0x00, 0x2A}) ||
      starts_with(head, {'I', 'I', 0x2B, 0x00}) || starts_with(head, {'M', 'M', 0x00, 0x2B})) {
    return ImageFormat::kTiff;
  }
  if (starts_with(head, {0x76, 0x2F, 0x31, 0x01})) return ImageFormat::kExr;
  if (starts_with(head, {0x00, 0x00, 0x00, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}) ||
      starts_with(head, {0xFF, 0x4F, 0xFF, 0x51})) {
    return ImageFormat::kJpeg2000;
  }
  if (starts_with(head, "#?RADIANCE") || starts_with(head, "#?RGBE")) return ImageFormat::kHdr;
  if (is_pnm(head)) return ImageFormat::kPnm;
  if (is_pfm(head)) return ImageFormat::kPfm;
  if (is_ico(head)) return ImageFormat::kIco;
  if (starts_with(head, "8BPS") && head.size() >= 6 && head[4] == 0 &&
      (head[5] == 1 || head[5] == 2)) {
    return ImageFormat::kPsd;
  }
  return heif_family(head);
}

std::string_view format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kGif: return "gif";
    case ImageFormat::kBmp: return "bmp";
    case ImageFormat::kWebp: return "webp";
    case ImageFormat::kTiff: return "tiff";
    case ImageFormat::kExr: return "exr";
    case ImageFormat::kJpeg2000: return "jpeg2000";
    case ImageFormat::kHdr: return "hdr";
    case ImageFormat::kPnm: return "pnm";
    case ImageFormat::kPfm: return "pfm";
    case ImageFormat::kIco: return "ico";
    case ImageFormat::kHeif: return "heif";
    case ImageFormat::kAvif: return "avif";
    case ImageFormat::kPsd: return "psd";
  }
  return "unknown";
}

bool is_decodable(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
    case ImageFormat::kPng:
    case ImageFormat::kGif:
    case ImageFormat::kBmp:
    case ImageFormat::kWebp:
    case ImageFormat::kTiff:
      return true;
    default:
      return false;
  }
}

}  // namespace visionfs::analysis
