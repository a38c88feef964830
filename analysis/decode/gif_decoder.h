#pragma once
// The first frame of a GIF, decoded from memory with giflib (OpenCV 4.6 has
// no GIF decoder), drawn on the canvas read_image_header() measured.
//
// Transparent pixels, and canvas outside the first frame, are white: the
// same background the other decoders use for alpha (see decode.cpp).
// Thread-safety: reentrant (giflib 5 keeps no global state).

#include "analysis/decode/image_header.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <span>

namespace visionfs::analysis {

// REQUIRES: header == read_image_header(ImageFormat::kGif, bytes), and its
// size already checked against the pixel limit.
// Returns CV_8UC3 BGR of header.width x header.height. Throws AnalysisError
// kInvalidArgument for corrupt or truncated data.
cv::Mat decode_gif_first_frame(std::span<const std::uint8_t> bytes, const ImageHeader& header);

}  // namespace visionfs::analysis
