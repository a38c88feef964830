#include "analysis/engines/zbar_reader.h"

#include "analysis/core/factories.h"

#include <opencv2/imgproc.hpp>
#include <zbar.h>

#include <algorithm>
#include <map>

namespace visionfs::analysis {

namespace {

// Clockwise on screen (y down), from the corner nearest the top-left, as
// Google's boundingPoly vertices run.
std::vector<cv::Point2f> clockwise_from_top_left(std::vector<cv::Point2f> polygon) {
  double twice_area = 0;
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const auto& a = polygon[i];
    const auto& b = polygon[(i + 1) % polygon.size()];
    twice_area += static_cast<double>(a.x) * b.y - static_cast<double>(b.x) * a.y;
  }
  if (twice_area < 0) std::reverse(polygon.begin(), polygon.end());
  const auto first = std::min_element(polygon.begin(), polygon.end(), [](const auto& a, const auto& b) {
    return a.x + a.y < b.x + b.y;
  });
  std::rotate(polygon.begin(), first, polygon.end());
  return polygon;
}

// A polygon of at least three corners and some area around ZBar's location
// points (for a linear code: points along the scan lines that crossed it).
std::vector<cv::Point2f> region_of(const std::vector<cv::Point2f>& points, const cv::Size& frame) {
  if (points.empty()) return {};
  constexpr float kMinHalfSide = 2.0f;
  std::vector<cv::Point2f> hull;
  cv::convexHull(points, hull);
  const cv::Rect2f box = cv::boundingRect(points);
  if (hull.size() >= 4 && box.width > 2 * kMinHalfSide && box.height > 2 * kMinHalfSide) {
    return clockwise_from_top_left(hull);
  }
  const float x0 = std::max(0.0f, box.x - kMinHalfSide), y0 = std::max(0.0f, box.y - kMinHalfSide);
  const float x1 = std::min(static_cast<float>(frame.width), box.br().x + kMinHalfSide);
  const float y1 = std::min(static_cast<float>(frame.height), box.br().y + kMinHalfSide);
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

}  // namespace

std::string zbar_symbology(const std::string& zbar_name) {
  static const std::map<std::string, std::string> kNames = {
      {"EAN-8", "EAN_8"},        {"EAN-13", "EAN_13"},     {"UPC-A", "UPC_A"},
      {"UPC-E", "UPC_E"},        {"EAN-2", "EAN_2"},       {"EAN-5", "EAN_5"},
      {"ISBN-10", "ISBN_10"},    {"ISBN-13", "ISBN_13"},   {"CODE-128", "CODE_128"},
      {"CODE-39", "CODE_39"},    {"CODE-93", "CODE_93"},   {"Codabar", "CODABAR"},
      {"I2/5", "ITF"},           {"DataBar", "DATABAR"},   {"DataBar-Exp", "DATABAR_EXPANDED"},
      {"QR-Code", "QR_CODE"},    {"PDF417", "PDF417"},     {"SQ-Code", "SQ_CODE"}};
  const auto it = kNames.find(zbar_name);
  return it != kNames.end() ? it->second : zbar_name;
}

std::vector<DetectedCode> ZbarReader::read(const cv::Mat& bgr) const {
  if (bgr.empty() || bgr.cols < 8 || bgr.rows < 8) return {};
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  zbar::ImageScanner scanner;
  scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 1);
  // ISBNs are EAN-13s; report them as the digits under the bars say.
  scanner.set_config(zbar::ZBAR_ISBN10, zbar::ZBAR_CFG_ENABLE, 0);
  scanner.set_config(zbar::ZBAR_ISBN13, zbar::ZBAR_CFG_ENABLE, 0);
  // Off as zbarimg has them: SQ-Code (ZBar's own symbology) leaks 192 bytes
  // on some photos without any code (fuzz_codes found it on opencv-doc's
  // text_motion.jpg), and ZBar's PDF417 decoder never returns data.
  scanner.set_config(zbar::ZBAR_SQCODE, zbar::ZBAR_CFG_ENABLE, 0);
  scanner.set_config(zbar::ZBAR_PDF417, zbar::ZBAR_CFG_ENABLE, 0);
  // A QR code's bytes as they are: without an ECI marker ZBar guesses a
  // legacy encoding and turns UTF-8 (what every phone writes) into
  // Shift-JIS mojibake. The analyzer makes the bytes valid UTF-8.
  scanner.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_BINARY, 1);
  // "Y800" is 8-bit grey; ZBar reads the pixels in place and frees nothing.
  zbar::Image image(static_cast<unsigned>(gray.cols), static_cast<unsigned>(gray.rows), "Y800", gray.data,
                    gray.total());
  if (scanner.scan(image) < 0) throw AnalysisError(ErrorCode::kInternal, "ZBar could not scan the image");
  std::vector<DetectedCode> codes;
  for (auto symbol = image.symbol_begin(); symbol != image.symbol_end(); ++symbol) {
    std::vector<cv::Point2f> points;
    for (int i = 0; i < symbol->get_location_size(); ++i) {
      points.emplace_back(static_cast<float>(symbol->get_location_x(static_cast<unsigned>(i))),
                          static_cast<float>(symbol->get_location_y(static_cast<unsigned>(i))));
    }
    DetectedCode code;
    code.payload = symbol->get_data();
    code.symbology = zbar_symbology(symbol->get_type_name());
    code.polygon = region_of(points, gray.size());
    code.engine = name();
    codes.push_back(std::move(code));
  }
  image.set_data(nullptr, 0);
  return codes;
}

CodeReaderPtr make_zbar_reader(const AnalysisOptions& /*options*/) { return std::make_shared<const ZbarReader>(); }

}  // namespace visionfs::analysis
