#pragma once
// Decoding an image file held in memory into a DecodedImage.
//
// Only decoders that read from memory are used (the allow-list and its
// reasons: decoders.h). Before any decoder sees the data, the header guards
// refuse what they cannot bound: the pixel count of the image and of a TIFF
// tile or strip (-o max_pixels), a JPEG's number of scans, PNG chunks that
// run past the end of the file. EXIF (and TIFF) orientation is applied.
// Thread-safety: reentrant.

#include "analysis/decode/decoded_image.h"

#include <cstdint>
#include <memory>
#include <span>

namespace visionfs::analysis {

// A progressive JPEG from libjpeg, ImageMagick or jpegtran has about 10
// scans, mozjpeg's at most a dozen; each scan costs a pass over all the
// coefficients, so a file with thousands of empty scans is a CPU bomb.
inline constexpr int kMaxJpegScans = 100;

struct DecodeLimits {
  std::uint64_t max_pixels = 100'000'000;
};

// Throws AnalysisError (kInvalidArgument, kResourceExhausted, kUnimplemented).
std::shared_ptr<const DecodedImage> decode_image(std::span<const std::uint8_t> bytes,
                                                 const DecodeLimits& limits);

}  // namespace visionfs::analysis
