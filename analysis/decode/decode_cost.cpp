// The decoder's memory, from the header: what decode_image() holds at its
// peak, by format. Every figure was checked against the peak resident size
// of a real decode (bench/memory_bench.sh, docs/PERFORMANCE.md "Memory").

#include "analysis/decode/decode.h"

#include "analysis/core/errors.h"
#include "analysis/decode/exif_info.h"
#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"

#include <algorithm>

namespace visionfs::analysis {

namespace {

constexpr std::uint64_t kCodecBuffers = std::uint64_t{1} << 20;

// Bytes of the samples as the decoder hands them over, before they become
// 8-bit BGR (16-bit and alpha layouts are converted afterwards).
std::uint64_t stored_sample_bytes(const ImageHeader& h) {
  const auto px = static_cast<std::uint64_t>(h.width) * static_cast<std::uint64_t>(h.height);
  const std::uint64_t channels = h.has_alpha ? 4 : (h.channels >= 3 ? 3 : std::max(h.channels, 1));
  return px * channels * (h.bit_depth > 8 ? 2 : 1);
}

}  // namespace

DecodeCost decoded_bytes(std::span<const std::uint8_t> bytes) {
  DecodeCost cost;
  try {
    const auto format = sniff_image_format(bytes);
    if (!format || !is_decodable(*format)) return cost;
    const ImageHeader h = read_image_header(*format, bytes);
    const auto px = static_cast<std::uint64_t>(h.width) * static_cast<std::uint64_t>(h.height);
    cost.width = h.width;
    cost.height = h.height;
    cost.pixels = px * 3;
    // The decoder's output; when that is not 8-bit BGR already, the
    // converted copy beside it (decode.cpp's to_bgr8).
    const std::uint64_t stored = stored_sample_bytes(h);
    std::uint64_t peak = stored == cost.pixels && h.channels >= 3 && !h.has_alpha ? stored : stored + cost.pixels;
    switch (*format) {
      case ImageFormat::kJpeg:
        // A progressive JPEG keeps every DCT coefficient (2 bytes per
        // sample) until its last scan.
        if (h.jpeg_scans > 1) peak += px * static_cast<std::uint64_t>(std::max(h.channels, 1)) * 2;
        break;
      case ImageFormat::kGif:
        peak += px * 4;  // the RGBA canvas the frames are drawn on
        break;
      case ImageFormat::kTiff:
        peak += bytes.size();  // a copy of the file with its Orientation tag cleared
        break;
      default:
        break;
    }
    // Turning the image upright (EXIF or TIFF orientation) copies it.
    int orientation = h.tiff_orientation;
    if (const auto exif = read_exif(find_exif_block(*format, bytes)); exif && exif->orientation) {
      orientation = *exif->orientation;
    }
    if (orientation != 1) peak = std::max(peak, 2 * cost.pixels);
    // The codec's own buffers (libjpeg's and libpng's rows and tables):
    // 0.2-0.3 MiB measured at 4 to 36 Mpx.
    cost.decode_peak = peak + kCodecBuffers;
  } catch (const AnalysisError&) {
    return DecodeCost{};
  }
  return cost;
}

}  // namespace visionfs::analysis
