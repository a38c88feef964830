#include "analysis/engines/barcode_reader.h"

#include "analysis/core/factories.h"
#include "analysis/engines/region_geometry.h"

#include <opencv2/barcode.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace visionfs::analysis {

namespace {

const char* symbology(cv::barcode::BarcodeType type) {
  switch (type) {
    case cv::barcode::EAN_8: return "EAN_8";
    case cv::barcode::EAN_13: return "EAN_13";
    case cv::barcode::UPC_A: return "UPC_A";
    case cv::barcode::UPC_E: return "UPC_E";
    case cv::barcode::UPC_EAN_EXTENSION: return "UPC_EAN_EXTENSION";
    default: return nullptr;
  }
}

}  // namespace

std::vector<DetectedCode> BarcodeReader::read(const cv::Mat& bgr) const {
  if (bgr.empty()) return {};
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  const int short_side = std::min(gray.cols, gray.rows);
  const double base = short_side > kBaseSide ? static_cast<double>(kBaseSide) / short_side : 1.0;

  const cv::barcode::BarcodeDetector detector;
  std::vector<DetectedCode> codes;
  double scale = base;
  for (int step = 0; step < kPyramidSteps; ++step, scale *= M_SQRT1_2) {
    if (short_side * scale < kMinSide) break;
    cv::Mat level = gray;
    if (scale < 1.0) cv::resize(gray, level, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::Mat blurred;
    cv::GaussianBlur(level, blurred, cv::Size(0, 0), 1.0);
    for (const cv::Mat* input : {&level, &blurred}) {
      std::vector<std::string> payloads;
      std::vector<cv::barcode::BarcodeType> types;
      std::vector<cv::Point2f> points;
      try {
        if (!detector.detectAndDecode(*input, payloads, types, points)) continue;
      } catch (const cv::Exception&) {
        continue;  // an assertion inside the detector on this level: nothing read here
      }
      for (std::size_t i = 0; i < payloads.size() && i < types.size() && 4 * i + 4 <= points.size(); ++i) {
        const char* type = symbology(types[i]);
        if (type == nullptr || payloads[i].empty()) continue;
        // The detector's corner order is bottom-left, top-left, top-right,
        // bottom-right; report top-left first, clockwise, like the QR readers.
        std::vector<cv::Point2f> polygon = {points[4 * i + 1], points[4 * i + 2], points[4 * i + 3], points[4 * i]};
        for (auto& p : polygon) p *= static_cast<float>(1.0 / scale);
        const bool seen = std::any_of(codes.begin(), codes.end(), [&](const DetectedCode& c) {
          return c.payload == payloads[i] && same_place(c.polygon, polygon);
        });
        if (!seen) codes.push_back({payloads[i], type, std::move(polygon), name()});
      }
    }
  }
  return codes;
}

CodeReaderPtr make_barcode_reader(const AnalysisOptions& /*options*/) {
  return std::make_shared<const BarcodeReader>();
}

}  // namespace visionfs::analysis
