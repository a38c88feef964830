#include "analysis/engines/opencv_qr_reader.h"

#include "analysis/core/factories.h"
#include "analysis/engines/region_geometry.h"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/wechat_qrcode.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

namespace visionfs::analysis {

namespace {

constexpr std::uint64_t kRngSeed = 0x5eed0f0c0de5ULL;
constexpr float kSameCodeIou = 0.3f;

using Quad = std::vector<cv::Point2f>;

// Restores the thread's cv::theRNG() state on scope exit.
class SeededRng {
 public:
  SeededRng() : saved_(cv::theRNG().state) { cv::theRNG().state = kRngSeed; }
  ~SeededRng() { cv::theRNG().state = saved_; }
  SeededRng(const SeededRng&) = delete;
  SeededRng& operator=(const SeededRng&) = delete;

 private:
  std::uint64_t saved_;
};

bool overlaps_any(const Quad& quad, const std::vector<Quad>& others) {
  return std::any_of(others.begin(), others.end(),
                     [&](const Quad& o) { return polygon_iou(quad, o) > kSameCodeIou; });
}

// Decodes the first QR code ZXing finds in `region` of `gray`.
std::optional<std::string> decode_region(const cv::Mat& gray, cv::Rect region) {
  region &= cv::Rect(0, 0, gray.cols, gray.rows);
  if (region.width <= 20 || region.height <= 20) return std::nullopt;  // ZXing's own minimum
  cv::wechat_qrcode::WeChatQRCode zxing;  // no models: decodes the whole crop
  std::vector<cv::Mat> points;
  try {
    for (const auto& text : zxing.detectAndDecode(gray(region), points)) {
      if (!text.empty()) return text;
    }
  } catch (const cv::Exception&) {
    // A decoder assertion on odd pixels means "not readable here", not a
    // failed analysis: the other regions and readers still count.
  }
  return std::nullopt;
}

// The quad's bounding box with a quiet zone around it (ZXing needs one).
cv::Rect padded_box(const Quad& quad) {
  const cv::Rect box = cv::boundingRect(quad);
  const int pad = std::max(16, static_cast<int>(0.15 * std::max(box.width, box.height)));
  return cv::Rect(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad);
}

// A perspective-corrected copy of the quad with a white quiet zone, for
// codes whose padded box does not decode (strong perspective, clutter).
std::optional<std::string> decode_rectified(const cv::Mat& gray, const Quad& quad) {
  const float side = static_cast<float>(std::max({cv::norm(quad[0] - quad[1]), cv::norm(quad[1] - quad[2]),
                                                 cv::norm(quad[2] - quad[3]), cv::norm(quad[3] - quad[0]), 64.0}));
  const float pad = side * 0.15f;
  const std::vector<cv::Point2f> target = {
      {pad, pad}, {pad + side, pad}, {pad + side, pad + side}, {pad, pad + side}};
  cv::Mat straight;
  const int size = static_cast<int>(std::ceil(side + 2 * pad));
  cv::warpPerspective(gray, straight, cv::getPerspectiveTransform(quad, target), cv::Size(size, size),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
  return decode_region(straight, cv::Rect(0, 0, straight.cols, straight.rows));
}

// Shrinks `region` while `payload` still decodes in it: tries the four
// corner sub-regions of 60% width and height, then the centre one.
cv::Rect narrow_down(const cv::Mat& gray, cv::Rect region, const std::string& payload) {
  for (int depth = 0; depth < 8; ++depth) {
    const int w = region.width * 3 / 5, h = region.height * 3 / 5;
    if (w <= 40 || h <= 40) break;
    const cv::Rect children[] = {
        {region.x, region.y, w, h},
        {region.x + region.width - w, region.y, w, h},
        {region.x, region.y + region.height - h, w, h},
        {region.x + region.width - w, region.y + region.height - h, w, h},
        {region.x + (region.width - w) / 2, region.y + (region.height - h) / 2, w, h},
    };
    bool narrowed = false;
    for (const auto& child : children) {
      if (decode_region(gray, child) == payload) {
        region = child;
        narrowed = true;
        break;
      }
    }
    if (!narrowed) break;
  }
  return region;
}

void paint_out(cv::Mat& gray, const Quad& quad) {
  std::vector<cv::Point> corners;
  for (const auto& p : quad) corners.emplace_back(cvRound(p.x), cvRound(p.y));
  cv::fillConvexPoly(gray, corners, cv::Scalar(255));
}

Quad rect_quad(const cv::Rect& r) {
  const float x0 = static_cast<float>(r.x), y0 = static_cast<float>(r.y);
  const float x1 = static_cast<float>(r.x + r.width), y1 = static_cast<float>(r.y + r.height);
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

// Corners the locator finds on a (possibly downscaled) copy of `full`, in
// full-size pixels.
std::vector<Quad> locate_quads(cv::QRCodeDetector& locator, const cv::Mat& full, bool multi, double scale) {
  cv::Mat small = full;
  if (scale < 1.0) cv::resize(full, small, cv::Size(), scale, scale, cv::INTER_AREA);
  std::vector<cv::Point2f> points;
  std::vector<Quad> quads;
  bool found = false;
  try {
    found = multi ? locator.detectMulti(small, points) : locator.detect(small, points);
  } catch (const cv::Exception&) {
    // 4.6's locator has assertions that some images trip; treat as none found.
  }
  if (!found) return quads;
  for (std::size_t i = 0; i + 4 <= points.size(); i += 4) {
    Quad q(points.begin() + static_cast<long>(i), points.begin() + static_cast<long>(i) + 4);
    for (auto& p : q) p *= static_cast<float>(1.0 / scale);
    if (cv::contourArea(q) > 0) quads.push_back(std::move(q));
  }
  return quads;
}

// Codes the locator missed altogether: ZXing on the whole image, with the
// decoded codes painted out so it can only find a new one; each code found
// this way is painted out in turn. Located codes that did not decode stay
// visible: ZXing may read them as a whole.
void read_unlocated(const cv::Mat& gray, const std::string& engine, std::vector<DetectedCode>& codes) {
  cv::Mat unread = gray.clone();
  for (const auto& code : codes) paint_out(unread, code.polygon);
  const cv::Rect whole(0, 0, unread.cols, unread.rows);
  for (int round = 0; round < OpenCvQrReader::kMaxRounds; ++round) {
    const auto payload = decode_region(unread, whole);
    if (!payload) break;
    const cv::Rect region = narrow_down(unread, whole, *payload);
    const bool known = std::any_of(codes.begin(), codes.end(), [&](const DetectedCode& c) {
      return c.payload == *payload && box_containment(cv::boundingRect(c.polygon), cv::Rect2f(region)) > 0.5f;
    });
    if (known || region == whole) {
      // Not narrowed (it needs the whole picture) or already listed:
      // painting it out would not help another round.
      if (!known) codes.push_back({*payload, "QR_CODE", rect_quad(region), engine});
      break;
    }
    codes.push_back({*payload, "QR_CODE", rect_quad(region), engine});
    paint_out(unread, rect_quad(region));
  }
}

}  // namespace

std::vector<DetectedCode> OpenCvQrReader::read(const cv::Mat& bgr) const {
  if (bgr.empty() || bgr.cols <= 20 || bgr.rows <= 20) return {};
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  const int long_side = std::max(gray.cols, gray.rows);
  const double scale = long_side > kMaxLocateSide ? static_cast<double>(kMaxLocateSide) / long_side : 1.0;

  SeededRng seeded;
  cv::QRCodeDetector locator;
  auto locate = [&](const cv::Mat& full, bool multi) { return locate_quads(locator, full, multi, scale); };

  std::vector<DetectedCode> codes;
  std::vector<Quad> tried;  // every located quad, decoded or not
  auto try_quad = [&](const Quad& quad) {
    tried.push_back(quad);
    auto payload = decode_region(gray, padded_box(quad));
    if (!payload) payload = decode_rectified(gray, quad);
    if (payload) codes.push_back({*payload, "QR_CODE", quad, name()});
  };

  for (const auto& quad : locate(gray, true)) {
    if (!overlaps_any(quad, tried)) try_quad(quad);
  }
  cv::Mat masked = gray.clone();
  for (int round = 0; round < kMaxRounds; ++round) {
    for (const auto& quad : tried) paint_out(masked, quad);
    bool added = false;
    for (const auto& quad : locate(masked, false)) {
      if (!overlaps_any(quad, tried)) {
        try_quad(quad);
        added = true;
      }
    }
    if (!added) break;
  }

  read_unlocated(gray, name(), codes);
  return codes;
}

CodeReaderPtr make_opencv_qr_reader(const AnalysisOptions& /*options*/) {
  return std::make_shared<const OpenCvQrReader>();
}

}  // namespace visionfs::analysis
