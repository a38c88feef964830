#pragma once
// Crop hints, as Google's cropHintsAnnotation gives them: where to crop a
// picture so that what matters stays in it.
//
// What matters is an importance map on a coarse grid (kGridSide squared
// cells, summing to 1): OpenCV contrib's fine-grained saliency (what
// stands out from its surroundings, at several scales), and, when the caller knows
// them, faces and objects (each spread over its box). Two hints are made
// from it:
//   1. the smallest window (whole cells, any shape between 1:2 and 2:1)
//      holding at least kKeptImportance of the importance: the picture with
//      the dull margins cut;
//   2. the largest square that fits, placed where it holds the most
//      importance: a thumbnail or avatar.
// importanceFraction is the importance inside the window. confidence says
// how much the placement matters: the importance inside the chosen window
// minus the least any window of that size could hold, over the most it
// could hold (0 for a uniform picture, where every placement is as good;
// 1 when no other placement keeps anything).
//
// Pure functions; thread-safe.

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <vector>

namespace visionfs::analysis {

inline constexpr int kGridSide = 24;
inline constexpr double kKeptImportance = 0.85;

struct CropHint {
  cv::Rect box;  // pixels of the image
  double confidence = 0;
  double importance_fraction = 0;
};

// Saliency of the picture on the grid (CV_64F, kGridSide x kGridSide, sum 1;
// uniform when the picture has no salient part at all).
cv::Mat saliency_grid(const cv::Mat& bgr);

// A region that matters: a face or an object, in pixels, with its weight.
struct ImportantRegion {
  cv::Rect2f box;
  double weight = 1;
};

// kRegionsShare of the importance from the regions (each spread evenly
// over the cells its box covers), the rest from `saliency`; just
// `saliency` without regions. Faces and objects outweigh saliency: a crop
// that keeps a busy background and cuts the person is the wrong one.
inline constexpr double kRegionsShare = 0.7;
cv::Mat importance_grid(const cv::Mat& saliency, const std::vector<ImportantRegion>& regions, cv::Size image);

std::vector<CropHint> crop_hints(const cv::Mat& importance, cv::Size image);

// {"cropHints": [{"boundingPoly", "confidence", "importanceFraction"}]}
// members, as an array.
nlohmann::json crop_hints_json(const std::vector<CropHint>& hints);

// The grid as JSON ({"side": N, "values": [row-major, 4 decimals]}) and back
// (an empty Mat for anything malformed): how NAME.crops.json hands the
// saliency to NAME.json, which adds the faces and objects.
nlohmann::json grid_json(const cv::Mat& grid);
cv::Mat grid_from_json(const nlohmann::json& json);

}  // namespace visionfs::analysis
