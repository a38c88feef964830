// quality: sharpness, exposure clipping, noise and BRISQUE, each as a raw
// measurement in its natural unit plus a 0..1 score (1 = good), and one
// combined score. See docs/analyzers/quality.md for every curve and weight.
//
// Owns a pool of cv::quality::QualityBRISQUE objects (each holds the loaded
// SVM model; analysis/engines/instance_pool.h), so concurrent calls never
// share one object. Everything else is stateless.

#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/engines/instance_pool.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/quality/qualitybrisque.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

// Sharpness, exposure and noise are measured on the image scaled (down only)
// to this long side: what a viewer sees on a screen, and independent of the
// camera's resolution, so photos of different sizes compare.
constexpr int kMeasureSide = 1024;
// BRISQUE was trained on LIVE images of about 768x512 and is slow on large
// inputs; it runs at this long side.
constexpr int kBrisqueSide = 512;
// Laplacian variance at which the sharpness score reaches 1 - 1/e (0.63).
// Measured on the opencv-doc photos at 1024 px: sharp photos of smooth
// subjects 190-270, detailed ones 800-4800, Gaussian blur sigma 1.5 3-47.
constexpr double kSharpnessScale = 100.0;
// Exposure score falls by 1 for every third of the picture clipped.
constexpr double kClippingPenalty = 3.0;
// Noise sigma (8-bit grey levels) at which the noise score is 0.5.
constexpr double kNoiseHalfScore = 6.0;
// Weights of the combined score, a weighted geometric mean: one bad aspect
// (a blurred or half-clipped picture) pulls the whole score down, which a
// weighted sum would hide behind the good ones.
constexpr double kWeightSharpness = 0.35;
constexpr double kWeightBrisque = 0.35;
constexpr double kWeightExposure = 0.15;
constexpr double kWeightNoise = 0.15;
constexpr double kScoreFloor = 0.01;

// Raw measurements keep their units; three decimals is below their noise.
double raw_value(double value) { return std::round(value * 1000.0) / 1000.0; }

// A 0..1 value as every sidecar writes it (four decimals).
double unit_value(double value) { return score_value(static_cast<float>(value)); }

cv::Mat shrink_to(const cv::Mat& image, int long_side) {
  const int side = std::max(image.cols, image.rows);
  if (side <= long_side) return image;
  const double scale = static_cast<double>(long_side) / side;
  cv::Mat out;
  cv::resize(image, out, cv::Size(), scale, scale, cv::INTER_AREA);
  return out;
}

double laplacian_variance(const cv::Mat& gray) {
  cv::Mat laplacian;
  cv::Laplacian(gray, laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

// J. Immerkaer, "Fast Noise Variance Estimation", CVIU 64(2), 1996: the
// response to a mask that cancels first and second derivatives is mostly
// noise; sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * N|. Fine texture
// counts as noise too, so this is an upper bound on sensor noise.
double immerkaer_sigma(const cv::Mat& gray) {
  if (gray.cols < 3 || gray.rows < 3) return 0;
  const cv::Mat mask = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response;
  cv::filter2D(gray, response, CV_32F, mask);
  const cv::Rect inner(1, 1, gray.cols - 2, gray.rows - 2);
  const double sum = cv::norm(response(inner), cv::NORM_L1);
  return std::sqrt(CV_PI / 2.0) * sum / (6.0 * inner.width * inner.height);
}

class QualityAnalyzer final : public Analyzer {
 public:
  QualityAnalyzer(std::string model_path, std::string range_path)
      : pool_([model = std::move(model_path), range = std::move(range_path)] {
          return std::make_unique<Brisque>(cv::quality::QualityBRISQUE::create(model, range));
        }) {}

  std::string name() const override { return "quality"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 10, 0);  // measured on 1024- and 512-pixel copies
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat measured = shrink_to(input.image.pixels, kMeasureSide);
    cv::Mat gray;
    cv::cvtColor(measured, gray, cv::COLOR_BGR2GRAY);

    const double variance = laplacian_variance(gray);
    const double sharpness = 1.0 - std::exp(-variance / kSharpnessScale);

    const double n = static_cast<double>(gray.total());
    const double shadows = cv::countNonZero(gray <= 2) / n;
    const double highlights = cv::countNonZero(gray >= 253) / n;
    const double exposure = std::clamp(1.0 - kClippingPenalty * (shadows + highlights), 0.0, 1.0);

    const double sigma = immerkaer_sigma(gray);
    const double noise = 1.0 / (1.0 + (sigma / kNoiseHalfScore) * (sigma / kNoiseHalfScore));

    const double brisque = brisque_value(shrink_to(measured, kBrisqueSide));
    // BRISQUE is about 0 (pristine) to 100 (worst) but can leave that range.
    const double brisque_score = std::clamp(1.0 - brisque / 100.0, 0.0, 1.0);

    // The floor keeps one zero from erasing the differences in the others.
    auto factor = [](double value, double weight) { return std::pow(std::max(value, kScoreFloor), weight); };
    const double score = factor(sharpness, kWeightSharpness) * factor(brisque_score, kWeightBrisque) *
                         factor(exposure, kWeightExposure) * factor(noise, kWeightNoise);
    return {
        {"score", unit_value(score)},
        {"sharpness", {{"laplacianVariance", raw_value(variance)}, {"score", unit_value(sharpness)}}},
        {"exposure",
         {{"shadowClipping", unit_value(shadows)},
          {"highlightClipping", unit_value(highlights)},
          {"score", unit_value(exposure)}}},
        {"noise", {{"sigma", raw_value(sigma)}, {"score", unit_value(noise)}}},
        {"brisque", {{"value", raw_value(brisque)}, {"score", unit_value(brisque_score)}}},
    };
  }

 private:
  double brisque_value(const cv::Mat& bgr) const {
    auto brisque = pool_.acquire();
    return (*brisque)->compute(bgr)[0];
  }

  // Loading the model parses a 0.5 MB YAML file: done once per concurrent
  // caller, on first use, not in the factory.
  using Brisque = cv::Ptr<cv::quality::QualityBRISQUE>;
  mutable InstancePool<Brisque> pool_;
};

}  // namespace

AnalyzerPtr make_quality_analyzer(const AnalysisOptions&) {
  const std::filesystem::path dir = std::filesystem::path(VISIONFS_OPENCV_DATA_DIR) / "quality";
  const auto model = dir / "brisque_model_live.yml";
  const auto range = dir / "brisque_range_live.yml";
  for (const auto& file : {model, range}) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
      throw AnalyzerUnavailable("BRISQUE data not found: " + file.string() +
                                " (Debian package opencv-data)");
    }
  }
  return std::make_shared<QualityAnalyzer>(model.string(), range.string());
}

}  // namespace visionfs::analysis
