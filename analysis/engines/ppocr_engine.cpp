#include "analysis/engines/ppocr_engine.h"

#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/model_files.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

constexpr int kRecHeight = 32;
constexpr int kRecWidth = 320;
constexpr int kMinBoxSide = 3;            // PaddleOCR's min_size
constexpr std::size_t kMaxCandidates = 1000;
constexpr std::size_t kDictSize = 95;     // en_dict.txt lines; class 96 is a space

using Quad = std::array<cv::Point2f, 4>;  // top-left, top-right, bottom-right, bottom-left

// The corners of a rotated rectangle ordered as PaddleOCR's get_mini_boxes
// orders them, and its short side.
Quad ordered_corners(const cv::RotatedRect& rect, float* short_side) {
  std::array<cv::Point2f, 4> p;
  rect.points(p.data());
  std::sort(p.begin(), p.end(), [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  const auto [tl, bl] = p[0].y <= p[1].y ? std::pair(p[0], p[1]) : std::pair(p[1], p[0]);
  const auto [tr, br] = p[2].y <= p[3].y ? std::pair(p[2], p[3]) : std::pair(p[3], p[2]);
  *short_side = std::min(rect.size.width, rect.size.height);
  return {tl, tr, br, bl};
}

// Mean probability inside the quad (PaddleOCR's box_score_fast).
float box_score(const cv::Mat& prob, const Quad& q) {
  float min_x = q[0].x, max_x = q[0].x, min_y = q[0].y, max_y = q[0].y;
  for (const auto& p : q) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y);
    max_y = std::max(max_y, p.y);
  }
  const int x0 = std::clamp(static_cast<int>(std::floor(min_x)), 0, prob.cols - 1);
  const int x1 = std::clamp(static_cast<int>(std::ceil(max_x)), 0, prob.cols - 1);
  const int y0 = std::clamp(static_cast<int>(std::floor(min_y)), 0, prob.rows - 1);
  const int y1 = std::clamp(static_cast<int>(std::ceil(max_y)), 0, prob.rows - 1);
  cv::Mat mask = cv::Mat::zeros(y1 - y0 + 1, x1 - x0 + 1, CV_8U);
  std::vector<cv::Point> poly;
  for (const auto& p : q) poly.emplace_back(static_cast<int>(p.x) - x0, static_cast<int>(p.y) - y0);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{poly}, cv::Scalar(1));
  return static_cast<float>(cv::mean(prob(cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1)), mask)[0]);
}

// One recognised character: the label and where the CTC decoder emitted it.
struct Glyph {
  std::string text;
  float probability;
  float center;  // x in the region's upright crop, pixels
};

// Where a crop wider than the recogniser's 10:1 window is cut into pieces.
// Each cut lies in the second half of a window, at the column whose
// neighbourhood (a third of the text height either side) has the least
// horizontal gradient: the middle of the widest gap there, a word space when
// there is one, so a cut rarely splits a character. A cut through a blank
// run at least a quarter of the text height wide is a word space, which
// neither piece would otherwise read.
struct Cut {
  int x;
  bool space;
};

std::vector<Cut> piece_cuts(const cv::Mat& crop) {
  const int window = kRecWidth * crop.rows / kRecHeight;
  std::vector<Cut> cuts = {{0, false}};
  if (crop.cols > window) {
    cv::Mat gray, grad, energy, smooth;
    cv::cvtColor(crop, gray, cv::COLOR_BGR2GRAY);
    cv::Sobel(gray, grad, CV_32F, 1, 0);
    cv::reduce(cv::abs(grad), energy, 0, cv::REDUCE_SUM, CV_32F);
    const int reach = std::max(1, crop.rows / 3);
    cv::blur(energy, smooth, cv::Size(2 * reach + 1, 1), cv::Point(-1, -1), cv::BORDER_REPLICATE);
    double max_energy = 0;
    cv::minMaxLoc(energy, nullptr, &max_energy);
    const auto blank = [&](int x) { return energy.at<float>(0, x) < 0.05 * max_energy; };
    int start = 0;
    while (crop.cols - start > window) {
      const int from = start + window / 2, to = start + window;
      int best = from;
      for (int x = from + 1; x < to; ++x) {
        if (smooth.at<float>(0, x) < smooth.at<float>(0, best)) best = x;
      }
      int left = best, right = best;
      while (left > 0 && blank(left - 1)) --left;
      while (right < crop.cols && blank(right)) ++right;
      cuts.push_back({best, right - left >= std::max(2, crop.rows / 4)});
      start = best;
    }
  }
  cuts.push_back({crop.cols, false});
  return cuts;
}

class PpocrEngine final : public TextEngine {
 public:
  PpocrEngine(std::unique_ptr<NetPool> detectors, std::unique_ptr<NetPool> recognisers,
              std::vector<std::string> alphabet)
      : detectors_(std::move(detectors)), recognisers_(std::move(recognisers)), alphabet_(std::move(alphabet)) {}

  std::string name() const override { return "pp-ocr"; }

  std::vector<TextLine> read(const cv::Mat& bgr) const override {
    std::vector<TextLine> lines;
    for (const Quad& quad : detect(bgr)) {
      const bool rotated = is_vertical(quad);
      const cv::Mat crop = upright_crop(bgr, quad, rotated);
      std::vector<Glyph> glyphs;
      const auto cuts = piece_cuts(crop);
      for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        const cv::Mat piece = crop(cv::Range::all(), cv::Range(cuts[i].x, cuts[i + 1].x));
        auto piece_glyphs = recognise(piece);
        if (cuts[i].space && !glyphs.empty() && glyphs.back().text != " " && !piece_glyphs.empty() &&
            piece_glyphs[0].text != " ") {
          glyphs.push_back({" ", 1.0f, static_cast<float>(cuts[i].x)});
        }
        for (auto& g : piece_glyphs) {
          g.center += static_cast<float>(cuts[i].x);
          glyphs.push_back(std::move(g));
        }
      }
      auto line = make_line(glyphs, quad, rotated, crop.cols, bgr.size());
      if (line.words.empty() || line.confidence < kPpocrMinLineConfidence) continue;
      lines.push_back(std::move(line));
    }
    return lines;
  }

 private:
  // Text regions as quads in image pixels, in reading order.
  std::vector<Quad> detect(const cv::Mat& bgr) const {
    const double limit = std::min(1.0, static_cast<double>(kPpocrMaxSide) / std::max(bgr.cols, bgr.rows));
    const auto to32 = [](double v) { return std::max(32, static_cast<int>(std::lround(v / 32.0)) * 32); };
    const cv::Size size(to32(bgr.cols * limit), to32(bgr.rows * limit));
    cv::Mat resized;
    cv::resize(bgr, resized, size, 0, 0, limit < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    // x/255, then the ImageNet mean and deviation applied to B, G, R in that
    // order (PaddleOCR normalises OpenCV's BGR array with the RGB constants).
    cv::Mat blob = cv::dnn::blobFromImage(resized, 1.0 / 255.0, cv::Size(), cv::Scalar(), false, false, CV_32F);
    const float mean[3] = {0.485f, 0.456f, 0.406f};
    const float stddev[3] = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; ++c) {
      cv::Mat plane(size.height, size.width, CV_32F, blob.ptr<float>(0, c));
      plane.convertTo(plane, CV_32F, 1.0 / stddev[c], -mean[c] / stddev[c]);
    }
    cv::Mat out;
    {
      auto net = detectors_->acquire();
      net->setInput(blob);
      out = net->forward().clone();
    }
    const cv::Mat prob(size.height, size.width, CV_32F, out.ptr<float>());
    cv::Mat bitmap = prob > kPpocrBinaryThreshold;

    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
    const double sx = static_cast<double>(bgr.cols) / size.width, sy = static_cast<double>(bgr.rows) / size.height;
    std::vector<Quad> quads;
    for (std::size_t i = 0; i < contours.size() && i < kMaxCandidates; ++i) {
      float side = 0;
      const cv::RotatedRect rect = cv::minAreaRect(contours[i]);
      const Quad box = ordered_corners(rect, &side);
      if (side < kMinBoxSide) continue;
      if (box_score(prob, box) < kPpocrBoxThreshold) continue;
      // Unclip: offsetting a w x h rectangle outwards by d = area * ratio /
      // perimeter gives one whose minimum-area rectangle is (w+2d) x (h+2d).
      const double area = static_cast<double>(rect.size.width) * rect.size.height;
      const double perimeter = 2.0 * (rect.size.width + rect.size.height);
      const float d = static_cast<float>(area * kPpocrUnclipRatio / perimeter);
      const cv::RotatedRect grown(rect.center, cv::Size2f(rect.size.width + 2 * d, rect.size.height + 2 * d),
                                  rect.angle);
      Quad q = ordered_corners(grown, &side);
      if (side < kMinBoxSide + 2) continue;
      for (auto& p : q) {
        p.x = std::clamp(static_cast<float>(std::round(p.x * sx)), 0.0f, static_cast<float>(bgr.cols - 1));
        p.y = std::clamp(static_cast<float>(std::round(p.y * sy)), 0.0f, static_cast<float>(bgr.rows - 1));
      }
      if (cv::norm(q[1] - q[0]) <= 3 || cv::norm(q[3] - q[0]) <= 3) continue;
      quads.push_back(q);
    }
    // Reading order, as PaddleOCR's sorted_boxes: by top-left corner, then
    // boxes on the same line (within 10 px) left to right.
    std::stable_sort(quads.begin(), quads.end(), [](const Quad& a, const Quad& b) {
      if (a[0].y != b[0].y) return a[0].y < b[0].y;
      return a[0].x < b[0].x;
    });
    for (std::size_t i = 0; i + 1 < quads.size(); ++i) {
      for (std::size_t j = i + 1; j > 0; --j) {
        if (std::abs(quads[j][0].y - quads[j - 1][0].y) < 10 && quads[j][0].x < quads[j - 1][0].x) {
          std::swap(quads[j], quads[j - 1]);
        } else {
          break;
        }
      }
    }
    return quads;
  }

  // Taller than 1.5 times its width: read as vertical text, turned a quarter
  // anticlockwise as PaddleOCR does.
  static bool is_vertical(const Quad& q) {
    const double w = std::max(cv::norm(q[0] - q[1]), cv::norm(q[2] - q[3]));
    const double h = std::max(cv::norm(q[0] - q[3]), cv::norm(q[1] - q[2]));
    return w > 0 && h / w >= 1.5;
  }

  static cv::Mat upright_crop(const cv::Mat& bgr, const Quad& q, bool rotated) {
    const int w = std::max(1, static_cast<int>(std::max(cv::norm(q[0] - q[1]), cv::norm(q[2] - q[3]))));
    const int h = std::max(1, static_cast<int>(std::max(cv::norm(q[0] - q[3]), cv::norm(q[1] - q[2]))));
    const std::array<cv::Point2f, 4> dst = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(w), 0),
                                            cv::Point2f(static_cast<float>(w), static_cast<float>(h)),
                                            cv::Point2f(0, static_cast<float>(h))};
    const cv::Mat m = cv::getPerspectiveTransform(q.data(), dst.data());
    cv::Mat crop;
    cv::warpPerspective(bgr, crop, m, cv::Size(w, h), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
    if (rotated) cv::rotate(crop, crop, cv::ROTATE_90_COUNTERCLOCKWISE);
    return crop;
  }

  // CTC-greedy reading of one piece (at most 10:1) of an upright crop.
  std::vector<Glyph> recognise(const cv::Mat& piece) const {
    const int width = std::clamp(
        static_cast<int>(std::ceil(kRecHeight * static_cast<double>(piece.cols) / piece.rows)), 1, kRecWidth);
    cv::Mat resized;
    cv::resize(piece, resized, cv::Size(width, kRecHeight), 0, 0, cv::INTER_LINEAR);
    // (x/127.5 - 1), then zeros to the right: the padding is mid-grey after
    // normalisation, which read better than stretching the word (MANIFEST).
    cv::Mat blob(std::vector<int>{1, 3, kRecHeight, kRecWidth}, CV_32F, cv::Scalar(0));
    std::vector<cv::Mat> channels;
    cv::split(resized, channels);
    for (int c = 0; c < 3; ++c) {
      cv::Mat plane(kRecHeight, kRecWidth, CV_32F, blob.ptr<float>(0, c));
      cv::Mat target = plane(cv::Rect(0, 0, width, kRecHeight));
      channels[static_cast<std::size_t>(c)].convertTo(target, CV_32F, 1.0 / 127.5, -1.0);
    }
    cv::Mat out;
    {
      auto net = recognisers_->acquire();
      net->setInput(blob);
      out = net->forward().clone();
    }
    // [T, 1, C]: T time steps of C class probabilities; class 0 is the CTC
    // blank, 1..95 en_dict.txt, 96 a space.
    const int steps = out.size[0], classes = out.size[2];
    const float step_px = static_cast<float>(kRecWidth) / steps;
    const float to_piece = static_cast<float>(piece.cols) / width;
    std::vector<Glyph> glyphs;
    int previous = 0;
    for (int t = 0; t < steps; ++t) {
      const float* p = out.ptr<float>(t);
      const int best = static_cast<int>(std::max_element(p, p + classes) - p);
      if (best != 0 && best != previous) {
        const auto index = static_cast<std::size_t>(best - 1);
        const std::string text = index < alphabet_.size() ? alphabet_[index] : std::string(" ");
        glyphs.push_back({text, std::clamp(p[best], 0.0f, 1.0f), (t + 0.5f) * step_px * to_piece});
      }
      previous = best;
    }
    return glyphs;
  }

  // The line's text, confidence and words; word boxes come from the glyph
  // positions mapped back through the region's quad.
  static TextLine make_line(const std::vector<Glyph>& glyphs, const Quad& q, bool rotated, int crop_width,
                            const cv::Size& image) {
    TextLine line;
    line.engine = "pp-ocr";
    std::vector<cv::Point> corners(q.begin(), q.end());
    line.box = cv::boundingRect(corners) & cv::Rect(0, 0, image.width, image.height);

    // Boundaries halfway between neighbouring glyphs; the outer ones half a
    // glyph spacing outside the first and last.
    const std::size_t n = glyphs.size();
    std::vector<float> left(n), right(n);
    for (std::size_t i = 0; i < n; ++i) {
      const float spacing = n > 1 ? (i + 1 < n ? glyphs[i + 1].center - glyphs[i].center
                                               : glyphs[i].center - glyphs[i - 1].center)
                                  : static_cast<float>(crop_width) / 2;
      left[i] = i > 0 ? (glyphs[i - 1].center + glyphs[i].center) / 2 : glyphs[i].center - spacing / 2;
      right[i] = i + 1 < n ? (glyphs[i].center + glyphs[i + 1].center) / 2 : glyphs[i].center + spacing / 2;
    }
    const auto fraction = [&](float x) { return std::clamp(x / static_cast<float>(crop_width), 0.0f, 1.0f); };
    // The part of the quad from f0 to f1 along the text, as a quad in
    // reading order. Along the crop's x axis: the quad's top edge, or its
    // left edge when the crop was turned a quarter.
    const auto part_quad = [&](float f0, float f1) -> TextQuad {
      const cv::Point2f a0 = rotated ? q[0] + f0 * (q[3] - q[0]) : q[0] + f0 * (q[1] - q[0]);
      const cv::Point2f a1 = rotated ? q[0] + f1 * (q[3] - q[0]) : q[0] + f1 * (q[1] - q[0]);
      const cv::Point2f b0 = rotated ? q[1] + f0 * (q[2] - q[1]) : q[3] + f0 * (q[2] - q[3]);
      const cv::Point2f b1 = rotated ? q[1] + f1 * (q[2] - q[1]) : q[3] + f1 * (q[2] - q[3]);
      return {a0, a1, b1, b0};
    };
    const auto word_box = [&](float f0, float f1) {
      return cv::boundingRect(part_quad(f0, f1)) & cv::Rect(0, 0, image.width, image.height);
    };
    line.quad = part_quad(0, 1);

    double line_sum = 0;
    std::size_t counted = 0;
    std::size_t i = 0;
    while (i < n) {
      if (glyphs[i].text == " ") {
        if (!line.text.empty() && line.text.back() != ' ') line.text += ' ';
        ++i;
        continue;
      }
      TextWord word;
      word.engine = "pp-ocr";
      double sum = 0;
      const std::size_t first = i;
      for (; i < n && glyphs[i].text != " "; ++i) {
        word.text += glyphs[i].text;
        sum += glyphs[i].probability;
        word.symbols.push_back({glyphs[i].text, part_quad(fraction(left[i]), fraction(right[i])),
                                static_cast<float>(glyphs[i].probability)});
      }
      const std::size_t count = i - first;
      word.confidence = static_cast<float>(sum / static_cast<double>(count));
      word.box = word_box(fraction(left[first]), fraction(right[i - 1]));
      word.quad = part_quad(fraction(left[first]), fraction(right[i - 1]));
      line.text += word.text;
      line_sum += sum;
      counted += count;
      line.words.push_back(std::move(word));
    }
    while (!line.text.empty() && line.text.back() == ' ') line.text.pop_back();
    line.confidence = counted > 0 ? static_cast<float>(line_sum / static_cast<double>(counted)) : 0.0f;
    return line;
  }

  std::unique_ptr<NetPool> detectors_;
  std::unique_ptr<NetPool> recognisers_;
  std::vector<std::string> alphabet_;
};

}  // namespace

TextEnginePtr make_ppocr_engine(const AnalysisOptions& options) {
  const auto detector = require_model_file(options, "text/en_PP-OCRv3_det_cv46.onnx");
  const auto recogniser = require_model_file(options, "text/en_number_mobile_v2.0_rec_cv46.onnx");
  auto alphabet = read_model_lines(require_model_file(options, "text/en_dict.txt"), kDictSize);
  alphabet.resize(kDictSize);
  // The detector sees a different input size for almost every image; see
  // LayerFusion for why that rules out layer fusion in OpenCV 4.6.
  return std::make_shared<PpocrEngine>(make_net_pool(detector, LayerFusion::kOff), make_net_pool(recogniser),
                                       std::move(alphabet));
}

}  // namespace visionfs::analysis
