// The codes analyzer: QR codes and barcodes from every CodeReader (a QR
// reader, WeChat's CNN one or OpenCV's, plus the EAN/UPC barcode reader).
// Google Vision has no such feature; the output follows its conventions
// (boundingPoly.vertices in pixels).
//
// Two readers finding the same code (same payload, same place: see
// same_place()) give one entry, from the reader listed first. Codes are
// listed top to bottom, then left to right, by their polygon's top-left.
//
// Thread-safety: analyze() is const; readers are thread-safe by contract.

#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/engines/region_geometry.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <tuple>

namespace visionfs::analysis {

namespace {

class CodesAnalyzer final : public Analyzer {
 public:
  explicit CodesAnalyzer(std::vector<CodeReaderPtr> readers) : readers_(std::move(readers)) {}

  std::string name() const override { return "codes"; }
  std::string version() const override { return "1"; }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& pixels = input.image.pixels;
    if (pixels.empty() || pixels.type() != CV_8UC3) {
      throw AnalysisError(ErrorCode::kInvalidArgument, "codes: expected a non-empty 8-bit BGR image");
    }
    const float max_x = static_cast<float>(pixels.cols), max_y = static_cast<float>(pixels.rows);

    std::vector<DetectedCode> codes;
    auto engines = nlohmann::json::array();
    for (const auto& reader : readers_) {
      engines.push_back(reader->name());
      for (auto& code : reader->read(pixels)) {
        if (code.payload.empty() || code.polygon.size() < 3) continue;
        for (auto& p : code.polygon) p = {std::clamp(p.x, 0.0f, max_x), std::clamp(p.y, 0.0f, max_y)};
        const bool duplicate = std::any_of(codes.begin(), codes.end(), [&](const DetectedCode& kept) {
          return kept.payload == code.payload && same_place(kept.polygon, code.polygon);
        });
        if (!duplicate) codes.push_back(std::move(code));
      }
    }

    auto top_left = [](const DetectedCode& c) {
      const cv::Rect box = cv::boundingRect(c.polygon);
      return std::make_tuple(box.y, box.x, c.payload);
    };
    std::stable_sort(codes.begin(), codes.end(),
                     [&](const DetectedCode& a, const DetectedCode& b) { return top_left(a) < top_left(b); });

    auto out = nlohmann::json::array();
    for (const auto& code : codes) {
      out.push_back({{"payload", valid_utf8(code.payload)},
                     {"symbology", code.symbology},
                     {"boundingPoly", bounding_poly(code.polygon)},
                     {"engine", code.engine}});
    }
    return {{"codes", std::move(out)}, {"engines", std::move(engines)}};
  }

 private:
  std::vector<CodeReaderPtr> readers_;
};

}  // namespace

AnalyzerPtr make_codes_analyzer(std::vector<CodeReaderPtr> readers) {
  readers.erase(std::remove(readers.begin(), readers.end(), nullptr), readers.end());
  if (readers.empty()) throw AnalyzerUnavailable("codes: no code reader available");
  return std::make_shared<const CodesAnalyzer>(std::move(readers));
}

}  // namespace visionfs::analysis
