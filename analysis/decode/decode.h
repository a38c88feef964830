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

// What decode_image() of these bytes will allocate, from the header alone,
// so the memory budget can be charged before a pixel exists (-o
// max_memory bounds the daemon, docs/design.md "Budget").
struct DecodeCost {
  int width = 0, height = 0;     // as stored (the orientation may swap them)
  std::uint64_t pixels = 0;      // the decoded image kept: width x height x 3
  std::uint64_t decode_peak = 0; // everything alive at once while decoding, pixels included
};
// Zero cost when the header cannot be read (decode_image then fails at
// once, allocating nothing). Never throws.
DecodeCost decoded_bytes(std::span<const std::uint8_t> bytes);

}  // namespace visionfs::analysis
