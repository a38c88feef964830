// WebP through libwebp itself, not cv::imdecode: OpenCV's WebP decoder
// declines a malformed file, and imdecode then offers the bytes to the next
// decoder that claims them, GDAL, which reads from a temporary file.

#include "analysis/core/errors.h"
#include "analysis/decode/decoders.h"

#include <webp/decode.h>

namespace visionfs::analysis {

cv::Mat decode_webp(std::span<const std::uint8_t> bytes, const ImageHeader& header) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(bytes.data(), bytes.size(), &features) != VP8_STATUS_OK) {
    throw AnalysisError(ErrorCode::kInvalidArgument, "corrupt or truncated webp data");
  }
  if (features.has_animation) {
    throw AnalysisError(ErrorCode::kUnimplemented, "unsupported image format: animated webp");
  }
  if (features.width != header.width || features.height != header.height) {
    throw AnalysisError(ErrorCode::kInvalidArgument,
                        "corrupt webp data: decoded size differs from the header");
  }
  cv::Mat pixels(features.height, features.width, features.has_alpha ? CV_8UC4 : CV_8UC3);
  const std::size_t size = pixels.total() * pixels.elemSize();
  const int stride = static_cast<int>(pixels.step);
  const std::uint8_t* done =
      features.has_alpha ? WebPDecodeBGRAInto(bytes.data(), bytes.size(), pixels.data, size, stride)
                         : WebPDecodeBGRInto(bytes.data(), bytes.size(), pixels.data, size, stride);
  if (done == nullptr) {
    throw AnalysisError(ErrorCode::kInvalidArgument, "corrupt or truncated webp data");
  }
  return pixels;
}

}  // namespace visionfs::analysis
