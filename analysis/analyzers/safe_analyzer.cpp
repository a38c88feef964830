// safe: the nsfwjs MobileNetV2 classifier (Drawing, Hentai, Neutral, Porn,
// Sexy), reported like Google's safeSearchAnnotation. See docs/analyzers/safe.md.
//
// Owns: a pool of networks (one per concurrent worker, loaded on first use).
// Thread-safety: analyze() is const; each call leases its own cv::dnn::Net.

#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/core/model_files.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

constexpr int kInput = 224;
constexpr std::array<const char*, 5> kExpectedClasses = {"Drawing", "Hentai", "Neutral", "Porn", "Sexy"};
enum Class { kDrawing, kHentai, kNeutral, kPorn, kSexy };

// Where Google's Likelihood buckets start, for a probability, calibrated on
// 454 benign pictures (opencv-doc's examples and tutorial images; the table
// is in docs/analyzers/safe.md): the model gives ordinary pictures high
// scores often enough (a footballer in his kit: sexy 0.84; an apple: porn
// 0.66; skin-toned textures and hands: porn 0.8-0.96) that LIKELY must
// start above what benign pictures reach, at 0.93.
constexpr double kLikelihoodCuts[4] = {0.2, 0.5, 0.93, 0.98};

class SafeAnalyzer final : public Analyzer {
 public:
  explicit SafeAnalyzer(std::unique_ptr<NetPool> nets) : nets_(std::move(nets)) {}

  std::string name() const override { return "safe"; }
  std::string version() const override { return "2"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 4, 0);  // a 224x224 network input
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const std::array<float, 5> p = classify(input.image.pixels);
    // adult: explicit content, photographed or drawn. racy: anything sexual,
    // so every adult image is at least as racy as it is adult.
    const double adult = std::min(1.0, static_cast<double>(p[kPorn]) + p[kHentai]);
    const double racy = std::min(1.0, adult + p[kSexy]);
    nlohmann::json scores = nlohmann::json::object();
    for (std::size_t i = 0; i < p.size(); ++i) {
      std::string key = kExpectedClasses[i];
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      scores[key] = score_value(p[i]);
    }
    return {{"model", "nsfwjs-mobilenetv2-224"},
            {"safe",
             {{"adult", google_likelihood(adult, kLikelihoodCuts)},
              {"racy", google_likelihood(racy, kLikelihoodCuts)},
              {"spoof", "UNKNOWN"},
              {"medical", "UNKNOWN"},
              {"violence", "UNKNOWN"}}},
            {"scores", std::move(scores)}};
  }

 private:
  std::array<float, 5> classify(const cv::Mat& bgr) const {
    // The whole image stretched to 224x224, RGB, x/255, as nsfwjs feeds it.
    // INTER_AREA when shrinking so a large photo is averaged, not sampled.
    cv::Mat resized;
    const bool shrinking = bgr.cols > kInput || bgr.rows > kInput;
    cv::resize(bgr, resized, cv::Size(kInput, kInput), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    const cv::Mat blob = cv::dnn::blobFromImage(resized, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true,
                                                false, CV_32F);
    cv::Mat out;
    {
      auto net = nets_->acquire();
      net->setInput(blob);
      out = net->forward().clone();
    }
    CV_Assert(out.total() == 5);
    std::array<float, 5> p{};
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = std::clamp(out.ptr<float>()[i], 0.0f, 1.0f);
    return p;
  }

  std::unique_ptr<NetPool> nets_;
};

}  // namespace

AnalyzerPtr make_safe_analyzer(const AnalysisOptions& options) {
  const auto model = require_model_file(options, "nsfw/nsfwjs_mobilenet_v2_224.onnx");
  // The class order is fixed by the network; the names file only confirms
  // that the installed model is the five-class one this code decodes.
  const auto names = read_model_lines(require_model_file(options, "nsfw/nsfw5.names"), kExpectedClasses.size());
  for (std::size_t i = 0; i < kExpectedClasses.size(); ++i) {
    if (names[i] != kExpectedClasses[i]) {
      throw AnalyzerUnavailable("model file damaged: nsfw/nsfw5.names line " + std::to_string(i + 1) + " is not " +
                                kExpectedClasses[i]);
    }
  }
  return std::make_shared<SafeAnalyzer>(make_net_pool(model));
}

}  // namespace visionfs::analysis
