#pragma once
// Boxes and polygons as the faces, text and codes sidecars write them, and
// the overlap measures their analyzers merge duplicates with.
//
// Vertices are integer pixels in the oriented frame (DecodedImage::pixels),
// rounded to nearest, as Google Vision's `boundingPoly.vertices` are. A box
// {x, y, width, height} becomes the four corners (x, y), (x+width, y),
// (x+width, y+height), (x, y+height): clockwise from the top-left, with the
// right and bottom edges exclusive, like cv::Rect.
// Thread-safety: pure functions; reentrant.

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <vector>

namespace visionfs::analysis {

// {"vertices": [{"x": .., "y": ..} x4]} for an axis-aligned box.
nlohmann::json bounding_poly(const cv::Rect2f& box);

// {"vertices": [...]} for a polygon, in the given order.
nlohmann::json bounding_poly(const std::vector<cv::Point2f>& polygon);

// {"x", "y", "width", "height"} in integers: the rounded corners of
// bounding_poly(box), so both always describe the same pixels.
nlohmann::json box_json(const cv::Rect2f& box);

// Intersection over union of two boxes; 0 when either is empty.
float box_iou(const cv::Rect2f& a, const cv::Rect2f& b);

// Intersection over the smaller box's area: 1 when one box lies inside the
// other, whatever their sizes; 0 when either is empty.
float box_containment(const cv::Rect2f& a, const cv::Rect2f& b);

// Intersection over union of two polygons' convex hulls; 0 for degenerate ones.
float polygon_iou(const std::vector<cv::Point2f>& a, const std::vector<cv::Point2f>& b);

// True when two polygons mark the same object: IoU > 0.3, or more than half
// of the smaller one's bounding box inside the other's (detectors disagree
// on margins more than on position).
bool same_place(const std::vector<cv::Point2f>& a, const std::vector<cv::Point2f>& b);

}  // namespace visionfs::analysis
