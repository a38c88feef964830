#include "analysis/decode/decoders.h"

#include "analysis/core/errors.h"
#include "analysis/decode/gif_decoder.h"

#include <stdlib.h>  // setenv

#include <string>

namespace visionfs::analysis {

void install_decoder_guards() {
  // Under /proc/self nothing can be created, whoever runs the daemon.
  ::setenv("OPENCV_TEMP_PATH", "/proc/self/visionfs-never-writes-images", 1);
}

std::string_view format_refusal(ImageFormat format) {
  if (is_decodable(format)) return {};
  switch (format) {
    case ImageFormat::kExr:
    case ImageFormat::kHdr:
    case ImageFormat::kJpeg2000:
      return "OpenCV reads it only through a temporary file";
    case ImageFormat::kPnm:
    case ImageFormat::kPfm:
      return "left off the decoder allow-list: rarely a photo";
    case ImageFormat::kIco:
    case ImageFormat::kHeif:
    case ImageFormat::kAvif:
    case ImageFormat::kPsd:
      return "no in-memory decoder for it";
    default:
      return "unknown format";
  }
}

cv::Mat decode_stored_pixels(ImageFormat format, std::span<const std::uint8_t> bytes,
                             const ImageHeader& header) {
  switch (format) {
    case ImageFormat::kGif: return decode_gif_first_frame(bytes, header);
    case ImageFormat::kWebp: return decode_webp(bytes, header);
    case ImageFormat::kBmp:
      if (header.bmp_bitfields16) return decode_bmp16_bitfields(bytes, header);
      return decode_with_opencv(format, bytes, header);
    case ImageFormat::kJpeg:
    case ImageFormat::kPng:
    case ImageFormat::kTiff:
      return decode_with_opencv(format, bytes, header);
    default:
      throw AnalysisError(ErrorCode::kUnimplemented,
                          "unsupported image format: " + std::string(format_name(format)) + " (" +
                              std::string(format_refusal(format)) + ")");
  }
}

}  // namespace visionfs::analysis
