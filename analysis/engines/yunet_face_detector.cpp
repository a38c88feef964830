#include "analysis/engines/yunet_face_detector.h"

#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/model_files.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

constexpr const char* k2023Model = "face/face_detection_yunet_2023mar.onnx";
constexpr const char* k2021Model = "face/face_detection_yunet_2021_120x160.onnx";

// YuNet's landmark order mapped to Google's names (see the header).
constexpr std::array<const char*, 5> kLandmarkTypes = {"LEFT_EYE", "RIGHT_EYE", "NOSE_TIP", "MOUTH_LEFT",
                                                       "MOUTH_RIGHT"};

// Shrinks `bgr` so its long side is at most kYunetMaxSide; returns the factor
// from the detector's frame back to the image's.
double limit_size(const cv::Mat& bgr, cv::Mat* out) {
  const int long_side = std::max(bgr.cols, bgr.rows);
  if (long_side <= kYunetMaxSide) {
    *out = bgr;
    return 1.0;
  }
  const double s = static_cast<double>(kYunetMaxSide) / long_side;
  cv::resize(bgr, *out, cv::Size(std::max(1, static_cast<int>(std::lround(bgr.cols * s))),
                                 std::max(1, static_cast<int>(std::lround(bgr.rows * s)))),
             0, 0, cv::INTER_AREA);
  return 1.0 / s;
}

// Scales a face found in the detector's frame back into the image and
// clips it to the image.
DetectedFace finish_face(cv::Rect2f box, float score, const std::array<cv::Point2f, 5>& points, double back,
                         const cv::Size& image) {
  const auto clip_x = [&](double x) { return static_cast<float>(std::clamp(x * back, 0.0, double(image.width))); };
  const auto clip_y = [&](double y) { return static_cast<float>(std::clamp(y * back, 0.0, double(image.height))); };
  DetectedFace face;
  const float x0 = clip_x(box.x), y0 = clip_y(box.y);
  const float x1 = clip_x(box.x + box.width), y1 = clip_y(box.y + box.height);
  face.box = cv::Rect2f(x0, y0, x1 - x0, y1 - y0);
  face.score = std::clamp(score, 0.0f, 1.0f);
  for (std::size_t i = 0; i < points.size(); ++i) {
    face.landmarks.push_back({kLandmarkTypes[i], cv::Point2f(clip_x(points[i].x), clip_y(points[i].y))});
  }
  return face;
}

void sort_faces(std::vector<DetectedFace>* faces) {
  std::stable_sort(faces->begin(), faces->end(), [](const DetectedFace& a, const DetectedFace& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.box.y != b.box.y) return a.box.y < b.box.y;
    return a.box.x < b.box.x;
  });
}

// The 2023mar model through cv::dnn, decoded as OpenCV 4.8's FaceDetectorYN
// does: per stride, score = sqrt(cls * obj), box centre = (cell + d) * stride,
// size = exp(d) * stride, landmarks = (cell + d) * stride; then NMS.
class Yunet2023Detector final : public FaceDetector {
 public:
  explicit Yunet2023Detector(std::unique_ptr<NetPool> nets) : nets_(std::move(nets)) {}

  std::string name() const override { return "yunet-2023mar"; }

  std::vector<DetectedFace> detect(const cv::Mat& bgr) const override {
    cv::Mat image;
    const double back = limit_size(bgr, &image);
    // Pad right and bottom to multiples of 32 (the largest stride).
    const int pad_w = (image.cols + 31) / 32 * 32, pad_h = (image.rows + 31) / 32 * 32;
    cv::Mat padded;
    cv::copyMakeBorder(image, padded, 0, pad_h - image.rows, 0, pad_w - image.cols, cv::BORDER_CONSTANT,
                       cv::Scalar::all(0));
    const cv::Mat blob = cv::dnn::blobFromImage(padded, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F);

    static const std::vector<std::string> kOutputs = {"cls_8",  "cls_16",  "cls_32",  "obj_8",
                                                      "obj_16", "obj_32",  "bbox_8",  "bbox_16",
                                                      "bbox_32", "kps_8",  "kps_16",  "kps_32"};
    std::vector<cv::Mat> outs;
    {
      auto net = nets_->acquire();
      net->setInput(blob);
      net->forward(outs, kOutputs);
      for (auto& m : outs) m = m.clone();
    }

    std::vector<cv::Rect2f> boxes;
    std::vector<float> scores;
    std::vector<std::array<cv::Point2f, 5>> points;
    const int strides[3] = {8, 16, 32};
    for (int k = 0; k < 3; ++k) {
      const int stride = strides[k];
      const int cols = pad_w / stride, rows = pad_h / stride;
      const float* cls = outs[static_cast<std::size_t>(k)].ptr<float>();
      const float* obj = outs[static_cast<std::size_t>(k + 3)].ptr<float>();
      const float* bbox = outs[static_cast<std::size_t>(k + 6)].ptr<float>();
      const float* kps = outs[static_cast<std::size_t>(k + 9)].ptr<float>();
      CV_Assert(outs[static_cast<std::size_t>(k)].total() == static_cast<std::size_t>(rows) * cols);
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
          const std::size_t i = static_cast<std::size_t>(r) * cols + c;
          const float score = std::sqrt(std::clamp(cls[i], 0.0f, 1.0f) * std::clamp(obj[i], 0.0f, 1.0f));
          if (score < kYunet2023ScoreThreshold) continue;
          const float cx = (c + bbox[i * 4 + 0]) * stride, cy = (r + bbox[i * 4 + 1]) * stride;
          const float w = std::exp(bbox[i * 4 + 2]) * stride, h = std::exp(bbox[i * 4 + 3]) * stride;
          boxes.emplace_back(cx - w / 2, cy - h / 2, w, h);
          scores.push_back(score);
          std::array<cv::Point2f, 5> p;
          for (std::size_t n = 0; n < 5; ++n) {
            p[n] = cv::Point2f((c + kps[i * 10 + 2 * n]) * stride, (r + kps[i * 10 + 2 * n + 1]) * stride);
          }
          points.push_back(p);
        }
      }
    }
    std::vector<cv::Rect2d> nms_boxes(boxes.begin(), boxes.end());
    std::vector<int> keep;
    cv::dnn::NMSBoxes(nms_boxes, scores, kYunet2023ScoreThreshold, kYunetNmsIou, keep);
    std::vector<DetectedFace> faces;
    for (int i : keep) {
      const auto u = static_cast<std::size_t>(i);
      faces.push_back(finish_face(boxes[u], scores[u], points[u], back, bgr.size()));
    }
    sort_faces(&faces);
    return faces;
  }

 private:
  std::unique_ptr<NetPool> nets_;
};

// The 2021 model through cv::FaceDetectorYN, which decodes it natively.
class Yunet2021Detector final : public FaceDetector {
 public:
  explicit Yunet2021Detector(std::filesystem::path model)
      : detectors_(std::make_unique<InstancePool<cv::Ptr<cv::FaceDetectorYN>>>([model] {
          try {
            return std::unique_ptr<cv::Ptr<cv::FaceDetectorYN>>(new cv::Ptr<cv::FaceDetectorYN>(
                cv::FaceDetectorYN::create(model.string(), "", cv::Size(320, 320), kYunet2021ScoreThreshold,
                                           kYunetNmsIou, 5000)));
          } catch (const cv::Exception& e) {
            throw AnalysisError(ErrorCode::kUnavailable,
                                "model failed to load: " + model.filename().string() + ": " + e.err);
          }
        })) {}

  std::string name() const override { return "yunet-2021"; }

  std::vector<DetectedFace> detect(const cv::Mat& bgr) const override {
    cv::Mat image;
    const double back = limit_size(bgr, &image);
    cv::Mat rows;
    {
      auto detector = detectors_->acquire();
      (*detector)->setInputSize(image.size());
      (*detector)->detect(image, rows);
    }
    // Each row: x, y, w, h, five (x, y) landmarks, score.
    std::vector<DetectedFace> faces;
    for (int r = 0; r < rows.rows; ++r) {
      const float* v = rows.ptr<float>(r);
      std::array<cv::Point2f, 5> p;
      for (int n = 0; n < 5; ++n) p[static_cast<std::size_t>(n)] = cv::Point2f(v[4 + 2 * n], v[5 + 2 * n]);
      faces.push_back(finish_face(cv::Rect2f(v[0], v[1], v[2], v[3]), v[14], p, back, bgr.size()));
    }
    sort_faces(&faces);
    return faces;
  }

 private:
  std::unique_ptr<InstancePool<cv::Ptr<cv::FaceDetectorYN>>> detectors_;
};

}  // namespace

FaceDetectorPtr make_yunet_face_detector(const AnalysisOptions& options) {
  // Only a missing 2023 file selects the 2021 model; a damaged one is an
  // error to fix, not a reason to quietly detect worse.
  std::error_code ec;
  if (!options.models_dir.empty() && std::filesystem::exists(options.models_dir / k2023Model, ec)) {
    return std::make_shared<Yunet2023Detector>(make_net_pool(require_model_file(options, k2023Model)));
  }
  if (!options.models_dir.empty() && std::filesystem::exists(options.models_dir / k2021Model, ec)) {
    return std::make_shared<Yunet2021Detector>(require_model_file(options, k2021Model));
  }
  return std::make_shared<Yunet2023Detector>(make_net_pool(require_model_file(options, k2023Model)));
}

}  // namespace visionfs::analysis
