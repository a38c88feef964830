// objects: YOLOX-nano (COCO, 80 classes) object detection, shaped like
// Google's localizedObjectAnnotations. See docs/analyzers/objects.md.
//
// Owns: the class names and a pool of networks (one per concurrent worker,
// loaded on first use). Thread-safety: analyze() is const; each call leases
// its own cv::dnn::Net.

#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/core/model_files.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

constexpr int kInputSize = 416;
constexpr float kNmsIou = 0.45f;
constexpr std::array<int, 3> kStrides = {8, 16, 32};
constexpr int kClasses = 80;

struct Detection {
  int class_id;
  float score;
  cv::Rect2d box;  // pixels in the input image
};

class ObjectsAnalyzer final : public Analyzer {
 public:
  ObjectsAnalyzer(std::unique_ptr<NetPool> nets, std::vector<std::string> names, float min_score)
      : nets_(std::move(nets)), names_(std::move(names)), min_score_(min_score) {}

  std::string name() const override { return "objects"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 8, 0);  // a 416x416 network input
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& bgr = input.image.pixels;
    const auto detections = detect(bgr);
    auto objects = nlohmann::json::array();
    const double w = bgr.cols, h = bgr.rows;
    for (const auto& d : detections) {
      const int x = static_cast<int>(std::lround(d.box.x)), y = static_cast<int>(std::lround(d.box.y));
      const int bw = static_cast<int>(std::lround(d.box.x + d.box.width)) - x;
      const int bh = static_cast<int>(std::lround(d.box.y + d.box.height)) - y;
      auto vertex = [&](int px, int py) {
        return nlohmann::json{{"x", score_value(static_cast<float>(px / w))},
                              {"y", score_value(static_cast<float>(py / h))}};
      };
      objects.push_back({
          {"name", names_[static_cast<std::size_t>(d.class_id)]},
          {"score", score_value(d.score)},
          {"box", {{"x", x}, {"y", y}, {"width", bw}, {"height", bh}}},
          {"boundingPoly",
           {{"normalizedVertices",
             {vertex(x, y), vertex(x + bw, y), vertex(x + bw, y + bh), vertex(x, y + bh)}}}},
      });
    }
    return {{"model", "yolox-nano-coco80"}, {"objects", std::move(objects)}};
  }

 private:
  std::vector<Detection> detect(const cv::Mat& bgr) const {
    // Letterbox: scale to fit 416x416, image at the top-left, grey 114
    // padding, as YOLOX was trained.
    const double r = std::min(static_cast<double>(kInputSize) / bgr.cols, static_cast<double>(kInputSize) / bgr.rows);
    const cv::Size scaled(std::max(1, static_cast<int>(bgr.cols * r)), std::max(1, static_cast<int>(bgr.rows * r)));
    cv::Mat canvas(kInputSize, kInputSize, CV_8UC3, cv::Scalar::all(114));
    cv::Mat top_left = canvas(cv::Rect(cv::Point(0, 0), scaled));
    cv::resize(bgr, top_left, scaled, 0, 0, cv::INTER_LINEAR);
    const cv::Mat blob = cv::dnn::blobFromImage(canvas, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F);

    cv::Mat out;
    {
      auto net = nets_->acquire();
      net->setInput(blob);
      out = net->forward().clone();
    }
    // [1, 3549, 85]: (dx, dy, log w, log h, objectness, 80 class scores),
    // sigmoids applied, grid offsets not.
    const int rows = out.size[1], cols = out.size[2];
    CV_Assert(cols == 5 + kClasses);
    const float* data = out.ptr<float>();

    std::map<int, std::vector<Detection>> by_class;
    int row = 0;
    for (int stride : kStrides) {
      const int grid = kInputSize / stride;
      for (int gy = 0; gy < grid; ++gy) {
        for (int gx = 0; gx < grid; ++gx, ++row) {
          CV_Assert(row < rows);
          const float* p = data + static_cast<std::ptrdiff_t>(row) * cols;
          const float* cls = p + 5;
          const int best = static_cast<int>(std::max_element(cls, cls + kClasses) - cls);
          const float score = p[4] * cls[best];
          if (score < min_score_) continue;
          const double cx = (p[0] + gx) * stride, cy = (p[1] + gy) * stride;
          const double bw = std::exp(p[2]) * stride, bh = std::exp(p[3]) * stride;
          // Back to input pixels, clipped to the image.
          const double x0 = std::clamp((cx - bw / 2) / r, 0.0, static_cast<double>(bgr.cols));
          const double y0 = std::clamp((cy - bh / 2) / r, 0.0, static_cast<double>(bgr.rows));
          const double x1 = std::clamp((cx + bw / 2) / r, 0.0, static_cast<double>(bgr.cols));
          const double y1 = std::clamp((cy + bh / 2) / r, 0.0, static_cast<double>(bgr.rows));
          if (x1 <= x0 || y1 <= y0) continue;
          by_class[best].push_back({best, score, cv::Rect2d(x0, y0, x1 - x0, y1 - y0)});
        }
      }
    }

    // Class-wise NMS: a person standing in front of a person is two people,
    // but a person box never suppresses a ball box.
    std::vector<Detection> kept;
    for (const auto& [class_id, candidates] : by_class) {
      std::vector<cv::Rect2d> boxes;
      std::vector<float> scores;
      for (const auto& c : candidates) {
        boxes.push_back(c.box);
        scores.push_back(c.score);
      }
      std::vector<int> indices;
      cv::dnn::NMSBoxes(boxes, scores, min_score_, kNmsIou, indices);
      for (int i : indices) kept.push_back(candidates[static_cast<std::size_t>(i)]);
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Detection& a, const Detection& b) {
      if (a.score != b.score) return a.score > b.score;
      if (a.class_id != b.class_id) return a.class_id < b.class_id;
      if (a.box.y != b.box.y) return a.box.y < b.box.y;
      return a.box.x < b.box.x;
    });
    return kept;
  }

  std::unique_ptr<NetPool> nets_;
  std::vector<std::string> names_;
  float min_score_;
};

}  // namespace

AnalyzerPtr make_objects_analyzer(const AnalysisOptions& options) {
  const auto model = require_model_file(options, "objects/yolox_nano.onnx");
  auto names = read_model_lines(require_model_file(options, "objects/coco80.names"), kClasses);
  names.resize(kClasses);
  // Scores below 0.05 are noise for YOLOX; a min_score outside 0..1 would
  // either drown the output or hide everything, so clamp it.
  const float min_score = std::clamp(options.min_score, 0.05f, 1.0f);
  return std::make_shared<ObjectsAnalyzer>(make_net_pool(model), std::move(names), min_score);
}

}  // namespace visionfs::analysis
