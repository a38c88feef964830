#include "analysis/engines/region_geometry.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace visionfs::analysis {

namespace {

nlohmann::json vertex(float x, float y) {
  return {{"x", static_cast<int>(std::lround(x))}, {"y", static_cast<int>(std::lround(y))}};
}

float area(const cv::Rect2f& r) { return r.width > 0 && r.height > 0 ? r.area() : 0.0f; }

float intersection_area(const cv::Rect2f& a, const cv::Rect2f& b) { return area(a & b); }

}  // namespace

nlohmann::json bounding_poly(const cv::Rect2f& box) {
  auto vertices = nlohmann::json::array();
  vertices.push_back(vertex(box.x, box.y));
  vertices.push_back(vertex(box.x + box.width, box.y));
  vertices.push_back(vertex(box.x + box.width, box.y + box.height));
  vertices.push_back(vertex(box.x, box.y + box.height));
  return {{"vertices", std::move(vertices)}};
}

nlohmann::json bounding_poly(const std::vector<cv::Point2f>& polygon) {
  auto vertices = nlohmann::json::array();
  for (const auto& p : polygon) vertices.push_back(vertex(p.x, p.y));
  return {{"vertices", std::move(vertices)}};
}

nlohmann::json box_json(const cv::Rect2f& box) {
  // Width and height from the rounded corners, so the box and its
  // boundingPoly always agree to the pixel.
  const long x0 = std::lround(box.x), y0 = std::lround(box.y);
  const long x1 = std::lround(box.x + box.width), y1 = std::lround(box.y + box.height);
  return {{"x", x0}, {"y", y0}, {"width", x1 - x0}, {"height", y1 - y0}};
}

float box_iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = intersection_area(a, b);
  const float uni = area(a) + area(b) - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

float box_containment(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float smaller = std::min(area(a), area(b));
  return smaller > 0 ? intersection_area(a, b) / smaller : 0.0f;
}

float polygon_iou(const std::vector<cv::Point2f>& a, const std::vector<cv::Point2f>& b) {
  if (a.size() < 3 || b.size() < 3) return 0.0f;
  std::vector<cv::Point2f> hull_a, hull_b, common;
  cv::convexHull(a, hull_a);
  cv::convexHull(b, hull_b);
  const double area_a = cv::contourArea(hull_a);
  const double area_b = cv::contourArea(hull_b);
  if (area_a <= 0 || area_b <= 0) return 0.0f;
  // Disjoint hulls give 0 (or a negative value in some OpenCV versions).
  const double inter = std::max(0.0f, cv::intersectConvexConvex(hull_a, hull_b, common, true));
  const double uni = area_a + area_b - inter;
  return uni > 0 ? static_cast<float>(inter / uni) : 0.0f;
}

bool same_place(const std::vector<cv::Point2f>& a, const std::vector<cv::Point2f>& b) {
  if (a.empty() || b.empty()) return false;
  return polygon_iou(a, b) > 0.3f || box_containment(cv::boundingRect(a), cv::boundingRect(b)) > 0.5f;
}

}  // namespace visionfs::analysis
