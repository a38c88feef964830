#include "sidecars/annotated.h"

#include "analysis/core/errors.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>

namespace visionfs::sidecars {

namespace {

using nlohmann::json;

// Colours (BGR) that stay apart from each other and from skin and sky.
const cv::Scalar kFace(0, 230, 255);     // yellow
const cv::Scalar kObject(255, 160, 0);   // azure
const cv::Scalar kText(60, 255, 60);     // green
const cv::Scalar kCode(255, 60, 255);    // magenta
const cv::Scalar kHalo(0, 0, 0);

struct Canvas {
  cv::Mat image;
  double scale = 1.0;  // result pixels to canvas pixels
  int line = 2;

  cv::Point at(double x, double y) const {
    return {static_cast<int>(x * scale + 0.5), static_cast<int>(y * scale + 0.5)};
  }
  void polyline(const std::vector<cv::Point>& points, const cv::Scalar& colour) {
    const std::vector<std::vector<cv::Point>> shapes{points};
    cv::polylines(image, shapes, true, kHalo, line + 2, cv::LINE_AA);
    cv::polylines(image, shapes, true, colour, line, cv::LINE_AA);
  }
  void label(const std::string& text, cv::Point where, const cv::Scalar& colour) {
    const double size = 0.45 + line * 0.05;
    int baseline = 0;
    const cv::Size box = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, size, 1, &baseline);
    where.y = std::max(where.y, box.height + 4);
    cv::rectangle(image, {where.x, where.y - box.height - 4}, {where.x + box.width + 4, where.y + baseline},
                  kHalo, cv::FILLED);
    cv::putText(image, text, {where.x + 2, where.y - 2}, cv::FONT_HERSHEY_SIMPLEX, size, colour, 1, cv::LINE_AA);
  }
};

double num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::vector<cv::Point> outline(const Canvas& c, const json& item) {
  std::vector<cv::Point> points;
  if (item.contains("boundingPoly") && item["boundingPoly"].contains("vertices")) {
    for (const json& v : item["boundingPoly"]["vertices"]) points.push_back(c.at(num(v, "x"), num(v, "y")));
  }
  if (points.size() < 3 && item.contains("box")) {
    const json& b = item["box"];
    const double x = num(b, "x"), y = num(b, "y"), w = num(b, "width"), h = num(b, "height");
    points = {c.at(x, y), c.at(x + w, y), c.at(x + w, y + h), c.at(x, y + h)};
  }
  return points;
}

const json& list_of(const json& combined, const char* analyzer, const char* key) {
  static const json empty = json::array();
  if (!combined.contains(analyzer) || !combined[analyzer].is_object()) return empty;
  const json& result = combined[analyzer];
  return result.contains(key) && result[key].is_array() ? result[key] : empty;
}

void draw_results(Canvas& c, const json& combined) {
  for (const json& line : list_of(combined, "text", "lines")) c.polyline(outline(c, line), kText);
  for (const json& code : list_of(combined, "codes", "codes")) {
    const auto points = outline(c, code);
    if (points.empty()) continue;
    c.polyline(points, kCode);
    std::string payload = code.value("payload", "");
    if (payload.size() > 40) payload = payload.substr(0, 37) + "...";
    c.label(payload, points.front(), kCode);
  }
  for (const json& object : list_of(combined, "objects", "objects")) {
    const auto points = outline(c, object);
    if (points.empty()) continue;
    c.polyline(points, kObject);
    char score[16];
    std::snprintf(score, sizeof score, " %.2f", num(object, "score"));
    c.label(object.value("name", "") + score, points.front(), kObject);
  }
  for (const json& face : list_of(combined, "faces", "faces")) {
    c.polyline(outline(c, face), kFace);
    if (!face.contains("landmarks") || !face["landmarks"].is_array()) continue;
    for (const json& mark : face["landmarks"]) {
      if (!mark.contains("position")) continue;
      const cv::Point p = c.at(num(mark["position"], "x"), num(mark["position"], "y"));
      cv::circle(c.image, p, c.line + 2, kHalo, cv::FILLED, cv::LINE_AA);
      cv::circle(c.image, p, c.line + 1, kFace, cv::FILLED, cv::LINE_AA);
    }
  }
}

void draw_legend(Canvas& c) {
  int y = 8;
  for (const auto& [name, colour] : {std::pair{"face", kFace}, {"object", kObject}, {"text", kText}, {"code", kCode}}) {
    c.label(name, {8, y + 18}, colour);
    y += 22;
  }
}

std::string encode(const cv::Mat& image) {
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, kAnnotatedQuality});
  std::string out(jpeg.begin(), jpeg.end());
  std::fill(jpeg.begin(), jpeg.end(), 0);
  return out;
}

std::string error_picture(const std::string& message) {
  Canvas c{cv::Mat(120, 720, CV_8UC3, cv::Scalar(60, 60, 60))};
  c.label("visionfs could not read this image:", {10, 40}, cv::Scalar(255, 255, 255));
  c.label(message.substr(0, 90), {10, 80}, cv::Scalar(255, 255, 255));
  return encode(c.image);
}

}  // namespace

const std::vector<std::string>& annotated_analyzers() {
  static const std::vector<std::string> names = {"faces", "objects", "text", "codes"};
  return names;
}

std::string draw_annotated(const analysis::DecodedImage* decoded, const std::string& decode_error,
                           const std::vector<Part>& parts) {
  if (!decoded) return error_picture(decode_error);
  Canvas c;
  const int long_side = std::max(decoded->width, decoded->height);
  c.scale = long_side > kAnnotatedLongSide ? static_cast<double>(kAnnotatedLongSide) / long_side : 1.0;
  if (c.scale < 1.0) {
    cv::resize(decoded->pixels, c.image, {}, c.scale, c.scale, cv::INTER_AREA);
  } else {
    c.image = decoded->pixels.clone();
  }
  c.line = std::max(1, std::max(c.image.cols, c.image.rows) / 400);
  const json combined = merge_parts(parts);
  if (combined.is_object()) draw_results(c, combined);
  draw_legend(c);
  return encode(c.image);
}

}  // namespace visionfs::sidecars
