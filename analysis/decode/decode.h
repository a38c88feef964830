#pragma once
// Decoding an image file held in memory into a DecodedImage.
//
// Only decoders that read from memory are used: JPEG, PNG, BMP, WEBP and TIFF
// through OpenCV's in-memory decoders, GIF (first frame) through giflib.
// Formats OpenCV would decode through a temporary file are refused. The pixel
// count is checked from the header (-o max_pixels) before any pixel buffer is
// allocated. EXIF orientation is applied.
// Thread-safety: reentrant.

#include "analysis/decode/decoded_image.h"

#include <cstdint>
#include <memory>
#include <span>

namespace visionfs::analysis {

struct DecodeLimits {
  std::uint64_t max_pixels = 100'000'000;
};

// Throws AnalysisError (kInvalidArgument, kResourceExhausted, kUnimplemented).
std::shared_ptr<const DecodedImage> decode_image(std::span<const std::uint8_t> bytes,
                                                 const DecodeLimits& limits);

}  // namespace visionfs::analysis
