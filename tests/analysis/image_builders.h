#pragma once
// Building test images in memory: encoded files, EXIF blocks written byte by
// byte (so the tests do not trust the EXIF reader they test), and the broken
// files every decoder must refuse cleanly.

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <cstring>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace visionfs::testing {

using ByteVector = std::vector<std::uint8_t>;

inline ByteVector encode(const cv::Mat& image, const std::string& extension,
                         const std::vector<int>& params = {}) {
  ByteVector bytes;
  cv::imencode(extension, image, bytes, params);
  return bytes;
}

inline ByteVector truncated(const ByteVector& bytes, double fraction) {
  return ByteVector(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() * fraction));
}

inline std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put_be32(ByteVector& out, std::uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// One PNG chunk: length, type, data, CRC over type and data.
inline ByteVector png_chunk(const std::string& type, const ByteVector& data) {
  ByteVector chunk;
  put_be32(chunk, static_cast<std::uint32_t>(data.size()));
  chunk.insert(chunk.end(), type.begin(), type.end());
  chunk.insert(chunk.end(), data.begin(), data.end());
  put_be32(chunk, crc32(chunk.data() + 4, chunk.size() - 4));
  return chunk;
}

// A PNG whose IHDR declares width x height (8-bit RGB) with no pixel data:
// a decompression bomb's header.
inline ByteVector png_header_only(std::uint32_t width, std::uint32_t height) {
  ByteVector png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  ByteVector ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  for (const auto& chunk : {png_chunk("IHDR", ihdr), png_chunk("IDAT", {}), png_chunk("IEND", {})}) {
    png.insert(png.end(), chunk.begin(), chunk.end());
  }
  return png;
}

inline std::uint32_t adler32(const ByteVector& data) {
  std::uint32_t a = 1, b = 0;
  for (std::uint8_t byte : data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

// A PNG written byte by byte, for layouts cv::imencode cannot produce
// (palettes, grey + alpha). `rows` are the raw scanlines without filter
// bytes; the image data is zlib with "stored" (uncompressed) deflate blocks.
inline ByteVector png_from_rows(std::uint32_t width, std::uint32_t height, std::uint8_t bit_depth,
                                std::uint8_t color_type, const std::vector<ByteVector>& rows,
                                const std::vector<std::pair<std::string, ByteVector>>& chunks_before_idat = {}) {
  ByteVector raw;
  for (const auto& row : rows) {
    raw.push_back(0);  // filter type None
    raw.insert(raw.end(), row.begin(), row.end());
  }
  ByteVector zlib = {0x78, 0x01};
  for (std::size_t pos = 0; pos < raw.size() || pos == 0; pos += 65535) {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - pos);
    const bool last = pos + n >= raw.size();
    zlib.push_back(last ? 1 : 0);
    zlib.insert(zlib.end(), {std::uint8_t(n), std::uint8_t(n >> 8), std::uint8_t(~n), std::uint8_t(~n >> 8)});
    zlib.insert(zlib.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos),
                raw.begin() + static_cast<std::ptrdiff_t>(pos + n));
    if (last) break;
  }
  put_be32(zlib, adler32(raw));

  ByteVector png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  ByteVector ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), {bit_depth, color_type, 0, 0, 0});
  std::vector<ByteVector> chunks = {png_chunk("IHDR", ihdr)};
  for (const auto& [type, data] : chunks_before_idat) chunks.push_back(png_chunk(type, data));
  chunks.push_back(png_chunk("IDAT", zlib));
  chunks.push_back(png_chunk("IEND", {}));
  for (const auto& chunk : chunks) png.insert(png.end(), chunk.begin(), chunk.end());
  return png;
}

// Inserts a chunk right after IHDR (which always ends at byte 33).
inline ByteVector with_png_chunk(ByteVector png, const std::string& type, const ByteVector& data) {
  const ByteVector chunk = png_chunk(type, data);
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());
  return png;
}

// A valid PNG with one byte of its compressed pixel data flipped: the CRC no
// longer matches, and the data no longer inflates.
inline ByteVector corrupt_png(ByteVector png) {
  for (std::size_t pos = 8; pos + 12 <= png.size();) {
    const std::size_t length = (static_cast<std::size_t>(png[pos]) << 24) | (png[pos + 1] << 16) |
                               (png[pos + 2] << 8) | png[pos + 3];
    if (std::memcmp(png.data() + pos + 4, "IDAT", 4) == 0 && length > 4) {
      png[pos + 8 + length / 2] ^= 0x5A;
      png[pos + 8 + 1] ^= 0xFF;
      return png;
    }
    pos += 12 + length;
  }
  return png;
}

// "GIF89a", a 10x10 logical screen with a two-colour table, and the trailer.
inline ByteVector gif_without_frames() {
  return {'G', 'I', 'F', '8', '9', 'a', 10, 0, 10, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x3B};
}

// The EXIF fields the tests write; empty strings and 0 are left out.
struct ExifFields {
  std::string make, model, software, date_time_original, offset_time_original;
  int orientation = 0;
  bool gps = false;  // writes GPSVersionID, GPSLatitudeRef and GPSLatitude
};

// A little-endian TIFF-structured EXIF block ("II*\0", IFD0, Exif IFD, GPS
// IFD), as it follows "Exif\0\0" in a JPEG APP1 segment.
inline ByteVector tiff_exif_block(const ExifFields& fields) {
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t count;
    ByteVector data;  // little-endian value bytes
  };
  auto ascii = [](std::uint16_t tag, const std::string& s) {
    ByteVector data(s.begin(), s.end());
    data.push_back(0);
    return Entry{tag, 2, static_cast<std::uint32_t>(data.size()), data};
  };
  auto le16 = [](std::uint32_t v) { return ByteVector{std::uint8_t(v), std::uint8_t(v >> 8)}; };
  auto le32 = [](std::uint32_t v) {
    return ByteVector{std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
  };

  std::vector<Entry> ifd0, exif, gps;
  if (!fields.make.empty()) ifd0.push_back(ascii(0x010F, fields.make));
  if (!fields.model.empty()) ifd0.push_back(ascii(0x0110, fields.model));
  if (fields.orientation) ifd0.push_back({0x0112, 3, 1, le16(static_cast<std::uint32_t>(fields.orientation))});
  if (!fields.software.empty()) ifd0.push_back(ascii(0x0131, fields.software));
  if (!fields.date_time_original.empty()) exif.push_back(ascii(0x9003, fields.date_time_original));
  if (!fields.offset_time_original.empty()) exif.push_back(ascii(0x9011, fields.offset_time_original));
  if (fields.gps) {
    gps.push_back({0x0000, 1, 4, {2, 3, 0, 0}});
    gps.push_back(ascii(0x0001, "N"));
    ByteVector latitude;
    for (std::uint32_t v : {47u, 1u, 22u, 1u, 1234u, 100u}) {
      const ByteVector b = le32(v);
      latitude.insert(latitude.end(), b.begin(), b.end());
    }
    gps.push_back({0x0002, 5, 3, latitude});
  }
  // Pointer entries get their values once the layout is known.
  const bool has_exif = !exif.empty(), has_gps = !gps.empty();
  if (has_exif) ifd0.push_back({0x8769, 4, 1, le32(0)});
  if (has_gps) ifd0.push_back({0x8825, 4, 1, le32(0)});

  auto ifd_size = [](const std::vector<Entry>& entries) {
    std::size_t size = 2 + 12 * entries.size() + 4;
    for (const auto& e : entries) size += e.data.size() > 4 ? (e.data.size() + 1) & ~std::size_t{1} : 0;
    return size;
  };
  const std::uint32_t ifd0_at = 8;
  const std::uint32_t exif_at = ifd0_at + static_cast<std::uint32_t>(ifd_size(ifd0));
  const std::uint32_t gps_at = exif_at + (has_exif ? static_cast<std::uint32_t>(ifd_size(exif)) : 0);
  for (auto& e : ifd0) {
    if (e.tag == 0x8769) e.data = le32(exif_at);
    if (e.tag == 0x8825) e.data = le32(gps_at);
  }

  ByteVector out = {'I', 'I', 0x2A, 0x00, 8, 0, 0, 0};
  auto write_ifd = [&](const std::vector<Entry>& entries, std::uint32_t at) {
    std::uint32_t data_at = at + 2 + 12 * static_cast<std::uint32_t>(entries.size()) + 4;
    ByteVector data_area;
    const ByteVector count = le16(static_cast<std::uint32_t>(entries.size()));
    out.insert(out.end(), count.begin(), count.end());
    for (const auto& e : entries) {
      for (const ByteVector& b : {le16(e.tag), le16(e.type), le32(e.count)}) out.insert(out.end(), b.begin(), b.end());
      if (e.data.size() <= 4) {
        ByteVector value = e.data;
        value.resize(4, 0);
        out.insert(out.end(), value.begin(), value.end());
      } else {
        const ByteVector offset = le32(data_at + static_cast<std::uint32_t>(data_area.size()));
        out.insert(out.end(), offset.begin(), offset.end());
        data_area.insert(data_area.end(), e.data.begin(), e.data.end());
        if (data_area.size() & 1) data_area.push_back(0);
      }
    }
    const ByteVector next = le32(0);
    out.insert(out.end(), next.begin(), next.end());
    out.insert(out.end(), data_area.begin(), data_area.end());
  };
  write_ifd(ifd0, ifd0_at);
  if (has_exif) write_ifd(exif, exif_at);
  if (has_gps) write_ifd(gps, gps_at);
  return out;
}

// `jpeg` with an APP1 "Exif" segment holding `tiff` inserted after SOI.
inline ByteVector with_jpeg_exif(const ByteVector& jpeg, const ByteVector& tiff) {
  const std::size_t length = 2 + 6 + tiff.size();
  ByteVector out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), {0xFF, 0xE1, std::uint8_t(length >> 8), std::uint8_t(length & 0xFF)});
  out.insert(out.end(), {'E', 'x', 'i', 'f', 0, 0});
  out.insert(out.end(), tiff.begin(), tiff.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

}  // namespace visionfs::testing
