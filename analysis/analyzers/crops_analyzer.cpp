// crops: Google's crop hints (analysis/engines/crop_hints.h) from the
// picture's saliency alone, plus the saliency grid itself, from which
// NAME.json's cropHintsAnnotation is made again with the faces and objects
// added (sidecars/google_response.cpp). Needs only OpenCV contrib.
//
// Thread-safety: analyze() is const and keeps no state.

#include "analysis/core/factories.h"
#include "analysis/engines/crop_hints.h"

namespace visionfs::analysis {

namespace {

class CropsAnalyzer final : public Analyzer {
 public:
  std::string name() const override { return "crops"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 3, 0);  // saliency on a 256-pixel copy
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& pixels = input.image.pixels;
    if (pixels.empty() || pixels.type() != CV_8UC3) {
      throw AnalysisError(ErrorCode::kInvalidArgument, "crops: expected a non-empty 8-bit BGR image");
    }
    const cv::Mat saliency = saliency_grid(pixels);
    return {{"cropHints", crop_hints_json(crop_hints(saliency, pixels.size()))},
            {"saliency", grid_json(saliency)},
            {"method", "fine-grained-saliency"}};
  }
};

}  // namespace

AnalyzerPtr make_crops_analyzer(const AnalysisOptions& /*options*/) { return std::make_shared<const CropsAnalyzer>(); }

}  // namespace visionfs::analysis
