#pragma once
// Turning stored pixels into the orientation the camera recorded in EXIF
// (tag 0x0112, values 1..8), the way image viewers display them.
// Pure function; thread-safe.

#include <opencv2/core.hpp>

namespace visionfs::analysis {

// Returns `stored` transformed for `orientation`; `stored` itself when the
// orientation is 1 or outside 1..8. Orientations 5..8 swap width and height.
cv::Mat apply_exif_orientation(const cv::Mat& stored, int orientation);

}  // namespace visionfs::analysis
