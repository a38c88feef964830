// JPEG, PNG, TIFF and most BMPs through cv::imdecode, which for these four
// picks its decoder by the magic bytes the sniffer has already checked, and
// reads from the buffer (checked with strace; docs/analyzers/README.md).

#include "analysis/core/errors.h"
#include "analysis/decode/decoders.h"

#include <opencv2/imgcodecs.hpp>

#include <string.h>  // explicit_bzero

#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

// OpenCV applies a TIFF's Orientation tag itself for the layouts it reads
// through libtiff's RGBA interface (8-bit) and ignores it for the others
// (16-bit), whatever the flags say. So the decoder gets a copy with the tag
// set to 1, and decode_image() applies the orientation, as for EXIF.
class TiffWithoutOrientation {
 public:
  TiffWithoutOrientation(std::span<const std::uint8_t> bytes, const ImageHeader& header) {
    if (header.tiff_orientation == 1 || header.tiff_orientation_at == 0) return;
    copy_.assign(bytes.begin(), bytes.end());
    for (std::size_t i = 0; i < header.tiff_orientation_size; ++i) {
      const bool lowest = header.tiff_little_endian ? i == 0 : i + 1 == header.tiff_orientation_size;
      copy_[header.tiff_orientation_at + i] = lowest ? 1 : 0;
    }
  }
  ~TiffWithoutOrientation() {
    if (!copy_.empty()) explicit_bzero(copy_.data(), copy_.size());
  }
  TiffWithoutOrientation(const TiffWithoutOrientation&) = delete;
  TiffWithoutOrientation& operator=(const TiffWithoutOrientation&) = delete;

  std::span<const std::uint8_t> or_original(std::span<const std::uint8_t> bytes) const {
    return copy_.empty() ? bytes : std::span<const std::uint8_t>(copy_);
  }

 private:
  std::vector<std::uint8_t> copy_;
};

}  // namespace

cv::Mat decode_with_opencv(ImageFormat format, std::span<const std::uint8_t> original,
                           const ImageHeader& header) {
  const TiffWithoutOrientation neutral(format == ImageFormat::kTiff ? original
                                                                    : std::span<const std::uint8_t>{},
                                       header);
  const auto bytes = neutral.or_original(original);
  // The data is only read; imdecode takes a non-const Mat header over it.
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                       const_cast<std::uint8_t*>(bytes.data()));
  // Orientation is applied by decode_image(), not by OpenCV, so that stored
  // and oriented sizes are both known and all formats follow one rule.
  const int flags = header.has_alpha ? cv::IMREAD_UNCHANGED
                                     : (cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(buffer, flags);
  } catch (const cv::Exception&) {
    decoded.release();  // reported below, without OpenCV's source-file details
  }
  const std::string name(format_name(format));
  if (decoded.empty()) {
    throw AnalysisError(ErrorCode::kInvalidArgument, "corrupt or truncated " + name + " data");
  }
  if (decoded.cols != header.width || decoded.rows != header.height) {
    throw AnalysisError(ErrorCode::kInvalidArgument,
                        "corrupt " + name + " data: decoded size differs from the header");
  }
  return decoded;
}

}  // namespace visionfs::analysis
