// The faces analyzer: locates faces with one FaceDetector (YuNet when its
// model is installed, Haar cascades otherwise) and writes them in Google
// Vision's faceAnnotations shape. Faces are located, never identified: no
// embeddings, no descriptors, nothing that could match a face across images.
//
// Thread-safety: analyze() is const; the detector is thread-safe by contract.

#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/engines/face_measures.h"
#include "analysis/engines/region_geometry.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace visionfs::analysis {

namespace {

class FacesAnalyzer final : public Analyzer {
 public:
  explicit FacesAnalyzer(FaceDetectorPtr detector) : detector_(std::move(detector)) {}

  std::string name() const override { return "faces"; }
  std::string version() const override { return "2"; }
  std::uint64_t working_bytes(int width, int height) const override {
    // The detectors work on copies at most 1024 (cascades) or 640 (YuNet)
    // pixels long, whose buffers they keep; the landmarks and measures read
    // the full image.
    return working_estimate(width, height, 60, 0.35);
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& pixels = input.image.pixels;
    if (pixels.empty() || pixels.type() != CV_8UC3) {
      throw AnalysisError(ErrorCode::kInvalidArgument, "faces: expected a non-empty 8-bit BGR image");
    }
    auto detected = detector_->detect(pixels);
    const cv::Rect2f frame(0, 0, static_cast<float>(pixels.cols), static_cast<float>(pixels.rows));
    // Highest confidence first; position breaks ties so equal scores keep
    // one order from run to run.
    std::stable_sort(detected.begin(), detected.end(), [](const DetectedFace& a, const DetectedFace& b) {
      return std::make_tuple(-a.score, a.box.y, a.box.x) < std::make_tuple(-b.score, b.box.y, b.box.x);
    });

    auto faces = nlohmann::json::array();
    for (const auto& face : detected) {
      // Detectors may report boxes reaching past the border; clip to the frame.
      const cv::Rect2f box = face.box & frame;
      if (box.width <= 0 || box.height <= 0) continue;
      auto landmarks = nlohmann::json::array();
      for (const auto& l : face.landmarks) {
        landmarks.push_back({{"type", l.type},
                             {"position",
                              {{"x", static_cast<int>(std::lround(l.position.x))},
                               {"y", static_cast<int>(std::lround(l.position.y))}}}});
      }
      nlohmann::json out = {{"boundingPoly", bounding_poly(box)},
                            {"box", box_json(box)},
                            {"detectionConfidence", score_value(face.score)},
                            {"landmarks", std::move(landmarks)}};
      add_measures(pixels, box, face.landmarks, out);
      faces.push_back(std::move(out));
    }
    return {{"detector", detector_->name()}, {"faces", std::move(faces)}};
  }

 private:
  // Google's angles and the two likelihoods visionfs can estimate
  // (face_measures.h); the measures behind the likelihoods stay here only.
  static void add_measures(const cv::Mat& pixels, const cv::Rect2f& box, const std::vector<Landmark>& landmarks,
                           nlohmann::json& out) {
    if (const auto angles = estimate_face_angles(landmarks)) {
      out["rollAngle"] = angles->roll;
      out["panAngle"] = angles->pan;
      out["tiltAngle"] = angles->tilt;
    }
    const cv::Rect pixel_box(box);
    const double sharpness = face_sharpness(pixels, pixel_box), brightness = face_brightness(pixels, pixel_box);
    out["blurredLikelihood"] = blurred_likelihood(sharpness);
    out["underExposedLikelihood"] = under_exposed_likelihood(brightness);
    out["measures"] = {{"sharpness", std::round(sharpness * 10) / 10}, {"brightness", std::round(brightness * 10) / 10}};
  }

  FaceDetectorPtr detector_;
};

}  // namespace

AnalyzerPtr make_faces_analyzer(FaceDetectorPtr detector) {
  if (!detector) throw AnalyzerUnavailable("faces: no face detector");
  return std::make_shared<const FacesAnalyzer>(std::move(detector));
}

}  // namespace visionfs::analysis
