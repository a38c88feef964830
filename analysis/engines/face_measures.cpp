#include "analysis/engines/face_measures.h"

#include "analysis/core/json_values.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace visionfs::analysis {

namespace {

constexpr double kDegrees = 180.0 / 3.14159265358979323846;
// Where the nose tip sits between the eye line (0) and the mouth line (1)
// on a face looking straight ahead: 0.5 over the opencv-doc faces and the
// YuNet landmarks of frontal portraits.
constexpr double kNeutralNoseHeight = 0.5;
// The width a larger face is scaled down to before sharpness is measured,
// so large faces compare with small ones.
constexpr int kMeasureWidth = 128;

double clamped_asin(double v) { return std::asin(std::clamp(v, -1.0, 1.0)) * kDegrees; }

double round1(double v) { return std::round(v * 10) / 10; }

cv::Mat face_gray(const cv::Mat& bgr, const cv::Rect& face) {
  const cv::Rect box = face & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (box.width < 4 || box.height < 4) return {};
  cv::Mat gray;
  cv::cvtColor(bgr(box), gray, cv::COLOR_BGR2GRAY);
  return gray;
}

}  // namespace

std::optional<FaceAngles> estimate_face_angles(const std::vector<Landmark>& landmarks) {
  std::map<std::string, cv::Point2d> at;
  for (const auto& l : landmarks) at[l.type] = cv::Point2d(l.position.x, l.position.y);
  for (const char* needed : {"LEFT_EYE", "RIGHT_EYE", "NOSE_TIP", "MOUTH_LEFT", "MOUTH_RIGHT"}) {
    if (!at.count(needed)) return std::nullopt;
  }
  const cv::Point2d eyes = (at["LEFT_EYE"] + at["RIGHT_EYE"]) * 0.5;
  const cv::Point2d mouth = (at["MOUTH_LEFT"] + at["MOUTH_RIGHT"]) * 0.5;
  const cv::Point2d across = at["RIGHT_EYE"] - at["LEFT_EYE"];
  const double eye_distance = std::hypot(across.x, across.y);
  if (eye_distance < 1e-6) return std::nullopt;
  FaceAngles a;
  a.roll = std::atan2(across.y, across.x) * kDegrees;
  // The face's own axes: x along the eyes, y from the eyes down.
  const cv::Point2d ux = across / eye_distance, uy(-ux.y, ux.x);
  const cv::Point2d nose = at["NOSE_TIP"] - eyes;
  const double face_height = (mouth - eyes).dot(uy);
  // Turning the head moves the nose tip sideways by about half the eye
  // distance at 90 degrees (the nose sticks out about that far).
  a.pan = clamped_asin(nose.dot(ux) / (eye_distance / 2));
  a.tilt = face_height > 1e-6 ? clamped_asin(2 * (kNeutralNoseHeight - nose.dot(uy) / face_height)) : 0;
  a.roll = round1(a.roll), a.pan = round1(a.pan), a.tilt = round1(a.tilt);
  return a;
}

double face_sharpness(const cv::Mat& bgr, const cv::Rect& face) {
  cv::Mat gray = face_gray(bgr, face);
  if (gray.empty()) return 0;
  // Down to kMeasureWidth, never up: enlarging a small face would blur it
  // and call it blurred.
  if (gray.cols > kMeasureWidth) {
    const double scale = static_cast<double>(kMeasureWidth) / gray.cols;
    cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

std::string blurred_likelihood(double sharpness) {
  static const double kCuts[4] = {25, 50, 100, 200};
  return google_likelihood(sharpness, kCuts, /*rising=*/false);
}

double face_brightness(const cv::Mat& bgr, const cv::Rect& face) {
  const cv::Mat gray = face_gray(bgr, face);
  return gray.empty() ? 0 : cv::mean(gray)[0];
}

std::string under_exposed_likelihood(double brightness) {
  static const double kCuts[4] = {40, 60, 80, 100};
  return google_likelihood(brightness, kCuts, /*rising=*/false);
}

}  // namespace visionfs::analysis
