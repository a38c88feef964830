#include "analysis/decode/image_header.h"

#include "analysis/decode/header_bytes.h"

#include <string>

namespace visionfs::analysis {

ImageHeader read_image_header(ImageFormat format, std::span<const std::uint8_t> bytes) {
  switch (format) {
    case ImageFormat::kJpeg: return header::jpeg_header(bytes);
    case ImageFormat::kPng: return header::png_header(bytes);
    case ImageFormat::kGif: return header::gif_header(bytes);
    case ImageFormat::kBmp: return header::bmp_header(bytes);
    case ImageFormat::kWebp: return header::webp_header(bytes);
    case ImageFormat::kTiff: return header::tiff_header(bytes);
    default:
      throw AnalysisError(ErrorCode::kUnimplemented,
                          "unsupported image format: " + std::string(format_name(format)));
  }
}

std::span<const std::uint8_t> find_exif_block(ImageFormat format, std::span<const std::uint8_t> bytes) {
  switch (format) {
    case ImageFormat::kJpeg: return header::jpeg_exif(bytes);
    case ImageFormat::kPng: return header::png_exif(bytes);
    case ImageFormat::kWebp: return header::webp_exif(bytes);
    default: return {};
  }
}

}  // namespace visionfs::analysis
