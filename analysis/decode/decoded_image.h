#pragma once
// DecodedImage: the pixels of one version of one image, decoded once and
// shared (read-only) by every analyzer that runs on that version.
//
// Owns: its pixel buffer. The destructor wipes the pixels (explicit_bzero)
// when it holds the last reference, because decoded pixels are the user's
// image as much as the file bytes are.
// Thread-safety: immutable after decode; share it as
// std::shared_ptr<const DecodedImage> across threads freely.

#include <opencv2/core.hpp>

#include <string>

namespace visionfs::analysis {

struct DecodedImage {
  // 8-bit BGR, EXIF orientation already applied. Every coordinate any
  // analyzer reports is in this frame (see docs/analyzers/README.md).
  cv::Mat pixels;
  std::string format;       // "jpeg", "png", "gif", "bmp", "webp", "tiff"
  int width = 0;            // pixels.cols (after orientation)
  int height = 0;           // pixels.rows (after orientation)
  int stored_width = 0;     // as stored in the file, before orientation
  int stored_height = 0;
  int channels = 0;         // in the file: 1 gray, 2 gray+alpha, 3, 4 with alpha
  int bit_depth = 8;        // bits per channel in the file
  int frame_count = 1;      // GIF frames, TIFF pages; 1 otherwise
  int exif_orientation = 1; // 1..8; 1 when absent

  DecodedImage() = default;
  DecodedImage(const DecodedImage&) = delete;
  DecodedImage& operator=(const DecodedImage&) = delete;
  DecodedImage(DecodedImage&&) = default;
  DecodedImage& operator=(DecodedImage&&) = default;
  ~DecodedImage();
};

}  // namespace visionfs::analysis
