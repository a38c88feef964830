#include "analysis/engines/crop_hints.h"

#include "analysis/core/json_values.h"
#include "analysis/engines/region_geometry.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/saliency.hpp>

#include <algorithm>
#include <cmath>

namespace visionfs::analysis {

namespace {

// Fine-grained saliency (centre-surround contrast at several scales) costs
// per pixel: a small copy is enough for a 24x24 grid.
constexpr int kSaliencySide = 256;
constexpr double kMaxShape = 2.0;  // window sides at most 2:1 either way

cv::Mat normalized(cv::Mat grid) {
  const double sum = cv::sum(grid)[0];
  if (!(sum > 0) || !std::isfinite(sum)) return cv::Mat(grid.size(), CV_64F, cv::Scalar(1.0 / grid.total()));
  return grid / sum;
}

// Sum over cells [x0, x1) x [y0, y1) from an integral image.
double window_sum(const cv::Mat& integral, int x0, int y0, int x1, int y1) {
  return integral.at<double>(y1, x1) - integral.at<double>(y0, x1) - integral.at<double>(y1, x0) +
         integral.at<double>(y0, x0);
}

struct Window {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double sum = 0;
};

// The best and worst placement of a w x h window.
std::pair<Window, Window> placements(const cv::Mat& integral, int w, int h) {
  const int cols = integral.cols - 1, rows = integral.rows - 1;
  Window best{0, 0, w, h, -1}, worst{0, 0, w, h, 2};
  for (int y = 0; y + h <= rows; ++y) {
    for (int x = 0; x + w <= cols; ++x) {
      const double s = window_sum(integral, x, y, x + w, y + h);
      if (s > best.sum) best = {x, y, x + w, y + h, s};
      if (s < worst.sum) worst = {x, y, x + w, y + h, s};
    }
  }
  return {best, worst};
}

CropHint to_hint(const Window& best, const Window& worst, cv::Size image, int side) {
  const double cw = static_cast<double>(image.width) / side, ch = static_cast<double>(image.height) / side;
  const cv::Point tl(static_cast<int>(std::lround(best.x0 * cw)), static_cast<int>(std::lround(best.y0 * ch)));
  const cv::Point br(static_cast<int>(std::lround(best.x1 * cw)), static_cast<int>(std::lround(best.y1 * ch)));
  CropHint hint;
  hint.box = cv::Rect(tl, br) & cv::Rect(cv::Point(0, 0), image);
  hint.importance_fraction = std::clamp(best.sum, 0.0, 1.0);
  hint.confidence = best.sum > 0 ? std::clamp((best.sum - worst.sum) / best.sum, 0.0, 1.0) : 0.0;
  return hint;
}

}  // namespace

cv::Mat saliency_grid(const cv::Mat& bgr) {
  cv::Mat small = bgr;
  const int long_side = std::max(bgr.cols, bgr.rows);
  if (long_side > kSaliencySide) {
    const double scale = static_cast<double>(kSaliencySide) / long_side;
    cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  cv::Mat map;
  auto detector = cv::saliency::StaticSaliencyFineGrained::create();
  if (small.cols < 2 || small.rows < 2 || !detector->computeSaliency(small, map) || map.empty()) {
    return normalized(cv::Mat::zeros(kGridSide, kGridSide, CV_64F));
  }
  cv::Mat grid;
  map.convertTo(map, CV_64F);
  cv::resize(map, grid, cv::Size(kGridSide, kGridSide), 0, 0, cv::INTER_AREA);
  return normalized(cv::max(grid, 0.0));
}

cv::Mat importance_grid(const cv::Mat& saliency, const std::vector<ImportantRegion>& regions, cv::Size image) {
  if (regions.empty() || image.area() == 0) return saliency.clone();
  cv::Mat from_regions = cv::Mat::zeros(saliency.size(), CV_64F);
  const double cw = static_cast<double>(image.width) / saliency.cols;
  const double ch = static_cast<double>(image.height) / saliency.rows;
  for (const auto& r : regions) {
    const int x0 = std::clamp(static_cast<int>(r.box.x / cw), 0, saliency.cols - 1);
    const int y0 = std::clamp(static_cast<int>(r.box.y / ch), 0, saliency.rows - 1);
    const int x1 = std::clamp(static_cast<int>(std::ceil(r.box.br().x / cw)), x0 + 1, saliency.cols);
    const int y1 = std::clamp(static_cast<int>(std::ceil(r.box.br().y / ch)), y0 + 1, saliency.rows);
    from_regions(cv::Rect(x0, y0, x1 - x0, y1 - y0)) += r.weight / ((x1 - x0) * (y1 - y0));
  }
  return normalized((1 - kRegionsShare) * normalized(saliency) + kRegionsShare * normalized(from_regions));
}

std::vector<CropHint> crop_hints(const cv::Mat& importance, cv::Size image) {
  if (importance.empty() || image.area() == 0) return {};
  const int side = importance.cols;
  cv::Mat integral;
  cv::integral(importance, integral, CV_64F);
  // 1: the smallest window keeping kKeptImportance.
  std::pair<Window, Window> tight{{0, 0, side, side, 1}, {0, 0, side, side, 1}};
  int tight_area = side * side;
  for (int h = 1; h <= side; ++h) {
    for (int w = 1; w <= side; ++w) {
      if (w * h >= tight_area || w > kMaxShape * h || h > kMaxShape * w) continue;
      const auto p = placements(integral, w, h);
      if (p.first.sum >= kKeptImportance) tight = p, tight_area = w * h;
    }
  }
  // 2: the largest square of the picture, in cells of its own grid.
  const double cw = static_cast<double>(image.width) / side, ch = static_cast<double>(image.height) / side;
  const double square = std::min(image.width, image.height);
  const int sw = std::clamp(static_cast<int>(std::lround(square / cw)), 1, side);
  const int sh = std::clamp(static_cast<int>(std::lround(square / ch)), 1, side);
  const auto sq = placements(integral, sw, sh);
  CropHint square_hint = to_hint(sq.first, sq.second, image, side);
  // Exactly square in pixels: the grid's cells need not be.
  const int s = static_cast<int>(square);
  square_hint.box = cv::Rect(std::clamp(square_hint.box.x, 0, image.width - s),
                             std::clamp(square_hint.box.y, 0, image.height - s), s, s);
  return {to_hint(tight.first, tight.second, image, side), square_hint};
}

nlohmann::json crop_hints_json(const std::vector<CropHint>& hints) {
  auto out = nlohmann::json::array();
  for (const auto& h : hints) {
    out.push_back({{"boundingPoly", bounding_poly(cv::Rect2f(h.box))},
                   {"confidence", score_value(static_cast<float>(h.confidence))},
                   {"importanceFraction", score_value(static_cast<float>(h.importance_fraction))}});
  }
  return out;
}

nlohmann::json grid_json(const cv::Mat& grid) {
  auto values = nlohmann::json::array();
  for (int y = 0; y < grid.rows; ++y) {
    for (int x = 0; x < grid.cols; ++x) values.push_back(std::round(grid.at<double>(y, x) * 1e4) / 1e4);
  }
  return {{"side", grid.cols}, {"values", std::move(values)}};
}

cv::Mat grid_from_json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("side") || !json["side"].is_number_integer()) return {};
  const int side = json["side"].get<int>();
  const auto& values = json.value("values", nlohmann::json::array());
  if (side < 1 || side > 256 || !values.is_array() || values.size() != static_cast<std::size_t>(side * side)) return {};
  cv::Mat grid(side, side, CV_64F);
  for (int i = 0; i < side * side; ++i) {
    const auto& v = values[static_cast<std::size_t>(i)];
    grid.at<double>(i / side, i % side) = v.is_number() ? std::max(0.0, v.get<double>()) : 0.0;
  }
  return normalized(grid);
}

}  // namespace visionfs::analysis
