// The codes analyzer: QR codes and barcodes from its CodeReaders (ZBar),
// and, only when those find nothing, from its fallback readers (WeChat's
// CNN QR reader, for QR codes ZBar cannot read). The fallback costs 10-35
// ms per image: run on every image it made the sidecar slower than
// `zbarimg` (docs/PERFORMANCE.md); an image with a code ZBar read pays
// nothing for it. A photo with both a barcode and a QR code only WeChat
// can read loses that QR code.
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
  CodesAnalyzer(std::vector<CodeReaderPtr> readers, std::vector<CodeReaderPtr> fallbacks)
      : readers_(std::move(readers)), fallbacks_(std::move(fallbacks)) {}

  std::string name() const override { return "codes"; }
  std::string version() const override { return "2"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 2, 1.0);  // ZBar's grey copy at full size
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& pixels = input.image.pixels;
    if (pixels.empty() || pixels.type() != CV_8UC3) {
      throw AnalysisError(ErrorCode::kInvalidArgument, "codes: expected a non-empty 8-bit BGR image");
    }
    std::vector<DetectedCode> codes;
    auto engines = nlohmann::json::array();
    for (const auto& reader : readers_) engines.push_back(reader->name());
    for (const auto& reader : fallbacks_) engines.push_back(reader->name());
    for (const auto& reader : readers_) read_with(*reader, pixels, codes);
    if (codes.empty()) {
      for (const auto& reader : fallbacks_) read_with(*reader, pixels, codes);
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
  // Adds the reader's codes that are not already in `codes` (same payload,
  // same place: from the reader that ran first), clipped to the frame.
  static void read_with(const CodeReader& reader, const cv::Mat& pixels, std::vector<DetectedCode>& codes) {
    const float max_x = static_cast<float>(pixels.cols), max_y = static_cast<float>(pixels.rows);
    for (auto& code : reader.read(pixels)) {
      if (code.payload.empty() || code.polygon.size() < 3) continue;
      for (auto& p : code.polygon) p = {std::clamp(p.x, 0.0f, max_x), std::clamp(p.y, 0.0f, max_y)};
      const bool duplicate = std::any_of(codes.begin(), codes.end(), [&](const DetectedCode& kept) {
        return kept.payload == code.payload && same_place(kept.polygon, code.polygon);
      });
      if (!duplicate) codes.push_back(std::move(code));
    }
  }

  std::vector<CodeReaderPtr> readers_;
  std::vector<CodeReaderPtr> fallbacks_;
};

}  // namespace

AnalyzerPtr make_codes_analyzer(std::vector<CodeReaderPtr> readers, std::vector<CodeReaderPtr> fallbacks) {
  readers.erase(std::remove(readers.begin(), readers.end(), nullptr), readers.end());
  fallbacks.erase(std::remove(fallbacks.begin(), fallbacks.end(), nullptr), fallbacks.end());
  if (readers.empty()) throw AnalyzerUnavailable("codes: no code reader available");
  return std::make_shared<const CodesAnalyzer>(std::move(readers), std::move(fallbacks));
}

}  // namespace visionfs::analysis
