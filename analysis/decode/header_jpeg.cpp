// The JPEG header: dimensions, channels and depth without decoding.

#include "analysis/decode/header_bytes.h"

#include <algorithm>
#include <cstdlib>

namespace visionfs::analysis::header {

namespace {

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

// Counts the scans from the first one to EOI (or the end of the data). In
// entropy-coded data every 0xFF is followed by 0x00 (stuffing), a restart
// marker or fill; anything else is a marker, and markers between scans
// (DHT, DQT, DRI, SOS) carry a length to skip.
int count_scans(Bytes b, std::size_t first_scan_data) {
  int scans = 1;
  std::size_t pos = first_scan_data;
  while (pos + 1 < b.size()) {
    const auto* hit = static_cast<const std::uint8_t*>(
        std::memchr(b.data() + pos, 0xFF, b.size() - pos - 1));
    if (hit == nullptr) break;
    pos = static_cast<std::size_t>(hit - b.data()) + 1;
    const std::uint8_t marker = b[pos];
    if (marker == 0x00 || marker == 0xFF || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9) break;
    if (marker == 0xDA) ++scans;
    if (!has(b, pos + 1, 2)) break;
    pos += 1 + be16(b, pos + 1);  // the segment; the scan's data follows it
  }
  return scans;
}

}  // namespace

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
  h.jpeg_scans = count_scans(b, walk.scan_offset);
  return h;
}

Bytes jpeg_exif(Bytes b) { return b.size() >= 2 ? walk_jpeg(b).exif : Bytes{}; }

}  // namespace visionfs::analysis::header
