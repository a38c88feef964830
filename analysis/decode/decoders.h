#pragma once
// Which code may turn an image's bytes into pixels: the allow-list, in one
// place. Every decoder on it reads from memory; nothing else can run.
//
//   jpeg  OpenCV (libjpeg-turbo)     png   OpenCV (libpng)
//   tiff  OpenCV (libtiff), BigTIFF  bmp   OpenCV; 16-bit BITFIELDS here
//   webp  libwebp, called directly   gif   giflib (OpenCV 4.6 has none)
//
// Refused, with the reason each one is out (format_refusal()):
//   exr, hdr, jpeg2000, pfm, pnm, ico, heif, avif, psd: OpenCV 4.6 reads
//   them through a temporary file or not at all, and Debian's OpenCV also
//   carries GDAL, which decodes anything it recognises from a temporary
//   file. An image must never reach the disk, so cv::imdecode only ever
//   sees the four formats whose OpenCV decoder claims them by their magic
//   bytes (which the sniffer has checked) and reads from the buffer; WebP
//   is not among them because OpenCV's WebP decoder declines malformed
//   files, which then fall through to GDAL.
//
// Pure functions; thread-safe once install_decoder_guards() has run.

#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace visionfs::analysis {

// A second wall behind the allow-list, for a decoder OpenCV picks on its
// own (a future format, a mistake here): points OpenCV's temporary files
// at a directory that cannot exist, so imdecode fails instead of writing.
// Call once, before any other thread starts (it sets an environment
// variable). Idempotent.
void install_decoder_guards();

// Why a recognised format is not decoded; empty for the decodable ones.
std::string_view format_refusal(ImageFormat format);

// The stored pixels (any depth, 1 to 4 channels; GIF as BGR) of a file the
// header guards have accepted, orientation not applied.
// REQUIRES: header == read_image_header(format, bytes), within the limits.
// Throws AnalysisError kInvalidArgument for corrupt data, kUnimplemented for
// a variant no allowed decoder reads.
cv::Mat decode_stored_pixels(ImageFormat format, std::span<const std::uint8_t> bytes,
                             const ImageHeader& header);

// Format-specific decoders behind decode_stored_pixels (decoders_*.cpp).
cv::Mat decode_webp(std::span<const std::uint8_t> bytes, const ImageHeader& header);
cv::Mat decode_bmp16_bitfields(std::span<const std::uint8_t> bytes, const ImageHeader& header);
cv::Mat decode_with_opencv(ImageFormat format, std::span<const std::uint8_t> bytes,
                           const ImageHeader& header);

}  // namespace visionfs::analysis
