#include "analysis/decode/decode.h"

#include "analysis/core/errors.h"
#include "analysis/decode/exif_info.h"
#include "analysis/decode/exif_orientation.h"
#include "analysis/decode/decoders.h"
#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"

#include <opencv2/imgproc.hpp>

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace visionfs::analysis {

namespace {

using Bytes = std::span<const std::uint8_t>;

[[noreturn]] void too_large(const std::string& what, std::uint64_t width, std::uint64_t height,
                            const DecodeLimits& limits) {
  throw AnalysisError(ErrorCode::kResourceExhausted,
                      what + " is " + std::to_string(width) + "x" + std::to_string(height) + " (" +
                          std::to_string(width * height) + " pixels), over the limit of " +
                          std::to_string(limits.max_pixels) + " pixels (max_pixels)");
}

// Every buffer a decoder sizes from the header: the image, and a TIFF's
// tile or strip (a 16x16 image may declare 16000x16000 tiles).
void check_pixel_limit(const ImageHeader& header, const DecodeLimits& limits) {
  const auto width = static_cast<std::uint64_t>(header.width);
  const auto height = static_cast<std::uint64_t>(header.height);
  if (width * height > limits.max_pixels) too_large("image", width, height, limits);
  constexpr std::uint64_t kSide = std::uint64_t{1} << 32;
  if (header.block_width >= kSide || header.block_height >= kSide ||
      header.block_width * header.block_height > limits.max_pixels) {
    too_large("tiff tile or strip", header.block_width, header.block_height, limits);
  }
}

// Each scan of a progressive JPEG is a pass over every coefficient: 6,000
// empty scans took 79 s of CPU at 10000x10000 before "decoding".
void check_jpeg_scans(const ImageHeader& header) {
  if (header.jpeg_scans > kMaxJpegScans) {
    throw AnalysisError(ErrorCode::kResourceExhausted,
                        "jpeg has " + std::to_string(header.jpeg_scans) + " scans, over the limit of " +
                            std::to_string(kMaxJpegScans) + " scans");
  }
}

// libjpeg decodes a truncated file without an error (the missing rows come
// out grey), so a JPEG must still hold its end-of-image marker. Inside the
// entropy-coded data every 0xFF byte is stuffed (FF 00) or a marker, so the
// first FF D9 after the scan header is the real end.
void check_jpeg_complete(Bytes bytes, std::size_t scan_offset) {
  static constexpr std::uint8_t kEoi[] = {0xFF, 0xD9};
  const auto begin = bytes.begin() + static_cast<std::ptrdiff_t>(std::min(scan_offset, bytes.size()));
  if (std::search(begin, bytes.end(), std::begin(kEoi), std::end(kEoi)) == bytes.end()) {
    throw AnalysisError(ErrorCode::kInvalidArgument,
                        "corrupt or truncated jpeg data: no end-of-image marker");
  }
}

// Draws `bgra` (CV_8UC4) on white: transparent pixels look as most viewers
// show them, instead of exposing whatever colour the encoder left behind.
cv::Mat composite_on_white(const cv::Mat& bgra) {
  cv::Mat out(bgra.size(), CV_8UC3);
  for (int y = 0; y < bgra.rows; ++y) {
    const auto* in = bgra.ptr<cv::Vec4b>(y);
    auto* dst = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgra.cols; ++x) {
      const int alpha = in[x][3];
      for (int c = 0; c < 3; ++c) {
        dst[x][c] = static_cast<std::uint8_t>((in[x][c] * alpha + 255 * (255 - alpha) + 127) / 255);
      }
    }
  }
  return out;
}

// Zeroes a pixel buffer this code owns alone before it is freed, as
// DecodedImage's destructor does for the final one: intermediate copies of
// the user's image should not linger in freed heap memory either.
void wipe(cv::Mat& image) {
  if (!image.empty() && image.u != nullptr && image.u->refcount == 1 && image.isContinuous()) {
    explicit_bzero(image.data, image.total() * image.elemSize());
  }
  image.release();
}

// Whatever the decoder produced (8/16-bit or float; 1 to 4 channels) as
// 8-bit BGR, the one layout every analyzer receives. Consumes `decoded`.
cv::Mat to_bgr8(cv::Mat decoded) {
  cv::Mat eight;
  if (decoded.depth() == CV_8U) {
    eight = std::move(decoded);
  } else {
    const int depth = decoded.depth();
    const double scale = depth == CV_16U ? 1.0 / 257.0 : (depth == CV_32F || depth == CV_64F) ? 255.0 : 1.0;
    decoded.convertTo(eight, CV_8U, scale);  // float samples are 0..1
    wipe(decoded);
  }
  cv::Mat bgr;
  switch (eight.channels()) {
    case 1: cv::cvtColor(eight, bgr, cv::COLOR_GRAY2BGR); break;
    case 2: {
      cv::Mat planes[2];
      cv::split(eight, planes);
      cv::Mat bgra;
      cv::Mat channels[] = {planes[0], planes[0], planes[0], planes[1]};
      cv::merge(channels, 4, bgra);
      wipe(planes[0]);
      wipe(planes[1]);
      bgr = composite_on_white(bgra);
      wipe(bgra);
      break;
    }
    case 3: return eight;
    case 4: bgr = composite_on_white(eight); break;
    default:
      throw AnalysisError(ErrorCode::kInvalidArgument, "unsupported number of channels");
  }
  wipe(eight);
  return bgr;
}

}  // namespace

std::shared_ptr<const DecodedImage> decode_image(std::span<const std::uint8_t> bytes,
                                                 const DecodeLimits& limits) {
  const auto format = sniff_image_format(bytes);
  if (!format) throw AnalysisError(ErrorCode::kInvalidArgument, "not a recognised image format");
  if (!is_decodable(*format)) {
    throw AnalysisError(ErrorCode::kUnimplemented,
                        "unsupported image format: " + std::string(format_name(*format)) + " (" +
                            std::string(format_refusal(*format)) + ")");
  }
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw AnalysisError(ErrorCode::kResourceExhausted, "image file larger than 2 GiB");
  }

  const ImageHeader header = read_image_header(*format, bytes);
  check_pixel_limit(header, limits);  // before any pixel buffer exists
  if (*format == ImageFormat::kJpeg) {
    check_jpeg_scans(header);
    check_jpeg_complete(bytes, header.jpeg_scan_offset);
  }

  cv::Mat stored = to_bgr8(decode_stored_pixels(*format, bytes, header));

  // A TIFF's own Orientation tag, or the EXIF block's of the other formats.
  int orientation = header.tiff_orientation;
  if (const auto exif = read_exif(find_exif_block(*format, bytes)); exif && exif->orientation) {
    orientation = *exif->orientation;
  }

  auto image = std::make_shared<DecodedImage>();
  image->format = std::string(format_name(*format));
  image->stored_width = header.width;
  image->stored_height = header.height;
  image->pixels = apply_exif_orientation(stored, orientation);
  if (image->pixels.data != stored.data) wipe(stored);
  image->width = image->pixels.cols;
  image->height = image->pixels.rows;
  image->channels = header.channels;
  image->bit_depth = header.bit_depth;
  image->frame_count = header.frame_count;
  image->exif_orientation = orientation;
  return image;
}

}  // namespace visionfs::analysis
