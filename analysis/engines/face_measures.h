#pragma once
// What Google's FaceAnnotation says of a face beyond its box, estimated from
// what visionfs has: the head's angles from the five landmarks (eyes, nose
// tip, mouth corners), and blur and under-exposure from the pixels of the
// face's box, as Google's likelihood buckets.
//
// Angles are geometric estimates, not a fitted 3D head model: good to about
// 10-15 degrees on frontal to three-quarter faces, and saturating near 60
// degrees of pan or tilt, where the landmarks themselves get unreliable.
// Pure functions; thread-safe.

#include "analysis/engines/detectors.h"

#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

namespace visionfs::analysis {

struct FaceAngles {
  double roll = 0;  // degrees; positive: the face turned clockwise in the picture
  double pan = 0;   // degrees; positive: the nose points to the picture's right
  double tilt = 0;  // degrees; positive: the face looks up
};

// Nothing when a landmark is missing (the Haar cascade detector finds none).
std::optional<FaceAngles> estimate_face_angles(const std::vector<Landmark>& landmarks);

// The variance of the Laplacian of the face, scaled down to 128 px wide if
// larger: below 25 very likely blurred, 200 and above very unlikely
// (measured: messi5.jpg's face 4350 as is, 48.5 after a Gaussian blur of
// sigma 2, LIKELY).
double face_sharpness(const cv::Mat& bgr, const cv::Rect& face);
std::string blurred_likelihood(double sharpness);

// Mean luma (0..255) of the face; below 40 very likely under-exposed.
double face_brightness(const cv::Mat& bgr, const cv::Rect& face);
std::string under_exposed_likelihood(double brightness);

}  // namespace visionfs::analysis
