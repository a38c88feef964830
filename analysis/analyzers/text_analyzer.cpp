// The text analyzer: runs every TextEngine (Tesseract for documents; PP-OCR
// for scene text when its model is installed) and merges their lines.
//
// Merging: where two engines read the same line (boxes with IoU > 0.3, or
// more than 60% of the smaller box inside the larger), one line is kept,
// with its words, and the other dropped whole. Engines are listed in
// priority order, and their confidences are not comparable: on
// imageTextN.png PP-OCR reports 0.97..1.00 for lines it reads worse than
// Tesseract does at 0.85..0.96 (lost spaces, "comrses" for "courses"). So:
//  - a trusted line (confidence >= kTrusted) beats any untrusted one;
//  - between trusted lines, the engine listed first wins;
//  - between untrusted lines, the higher confidence wins.
// Documents thus come from Tesseract, which reads them confidently; signs in
// photos, which Tesseract misses or reads at low confidence, from PP-OCR.
// Lines of one engine never suppress each other: an engine does not report
// the same line twice.
//
// Reading order: the first engine's own order (Tesseract follows its layout
// analysis: columns, then lines), with each surviving line of a later engine
// inserted before the first line that starts below its vertical centre.
//
// Thread-safety: analyze() is const; engines are thread-safe by contract.

#include "analysis/core/factories.h"
#include "analysis/engines/tesseract_engine.h"
#include "analysis/core/json_values.h"
#include "analysis/analyzers/text_layout.h"
#include "analysis/engines/region_geometry.h"

#include <algorithm>
#include <tuple>

namespace visionfs::analysis {

namespace {

constexpr float kTrusted = 0.7f;
constexpr float kSameLineIou = 0.3f;
constexpr float kSameLineContainment = 0.6f;

struct Candidate {
  std::size_t engine = 0;  // index into engines_
  std::size_t order = 0;   // position in that engine's output
  TextLine line;
};

bool same_line(const TextLine& a, const TextLine& b) {
  const cv::Rect2f ra(a.box), rb(b.box);
  return box_iou(ra, rb) > kSameLineIou || box_containment(ra, rb) > kSameLineContainment;
}

// boundingPoly: the quad in reading order (turned with rotated text), as
// Google's; box: the axis-aligned pixels around it.
nlohmann::json word_json(const TextWord& word, const cv::Rect& frame) {
  return {{"text", word.text},
          {"boundingPoly", quad_poly(word.quad, word.box, frame)},
          {"box", box_json(cv::Rect2f(word.box))},
          {"confidence", score_value(word.confidence)},
          {"engine", word.engine}};
}

nlohmann::json line_json(const TextLine& line, const cv::Rect& frame) {
  auto words = nlohmann::json::array();
  for (const auto& w : line.words) words.push_back(word_json(w, frame));
  return {{"text", line.text},
          {"boundingPoly", quad_poly(line.quad, line.box, frame)},
          {"box", box_json(cv::Rect2f(line.box))},
          {"confidence", score_value(line.confidence)},
          {"engine", line.engine},
          {"words", std::move(words)}};
}

class TextAnalyzer final : public Analyzer {
 public:
  explicit TextAnalyzer(std::vector<TextEnginePtr> engines) : engines_(std::move(engines)) {}

  std::string name() const override { return "text"; }
  std::string version() const override { return "2"; }
  std::uint64_t working_bytes(int width, int height) const override {
    // Tesseract reads a copy at most TesseractEngine::kMaxSide long (about
    // 6 bytes a pixel of it: its own grey, binary and 32-bit images); the
    // grey copy at full size comes on top; PP-OCR's detector works on a
    // bounded copy (part of the fixed 52 MiB).
    const double side = std::max(width, height);
    const double scale = side > TesseractEngine::kMaxSide ? TesseractEngine::kMaxSide / side : 1.0;
    const double read = static_cast<double>(width) * height * scale * scale;
    return working_estimate(width, height, 52, 1.2) + static_cast<std::uint64_t>(6.0 * read);
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& pixels = input.image.pixels;
    if (pixels.empty() || pixels.type() != CV_8UC3) {
      throw AnalysisError(ErrorCode::kInvalidArgument, "text: expected a non-empty 8-bit BGR image");
    }
    const cv::Rect frame(0, 0, pixels.cols, pixels.rows);

    std::vector<Candidate> candidates;
    auto engine_names = nlohmann::json::array();
    for (std::size_t e = 0; e < engines_.size(); ++e) {
      engine_names.push_back(engines_[e]->name());
      auto lines = engines_[e]->read(pixels);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        TextLine& line = lines[i];
        line.text = valid_utf8(line.text);
        line.box &= frame;
        for (auto& w : line.words) {
          w.text = valid_utf8(w.text);
          w.box &= frame;
        }
        if (line.text.find_first_not_of(" \t\n\r") == std::string::npos || line.box.area() == 0) continue;
        candidates.push_back({e, i, std::move(line)});
      }
    }

    const auto kept = resolve_overlaps(std::move(candidates));
    const auto ordered = reading_order(kept);

    std::string full_text;
    auto lines_json = nlohmann::json::array();
    std::vector<const TextLine*> lines;
    for (const auto* c : ordered) {
      if (!full_text.empty()) full_text += '\n';
      full_text += c->line.text;
      lines_json.push_back(line_json(c->line, frame));
      lines.push_back(&c->line);
    }
    nlohmann::json out = {
        {"text", full_text}, {"locale", "en"}, {"lines", std::move(lines_json)}, {"engines", std::move(engine_names)}};
    if (auto full = full_text_annotation(lines, frame, "en"); !full.is_null()) out["fullTextAnnotation"] = std::move(full);
    return out;
  }

 private:
  // Candidates in the order they claim their region (see the file comment);
  // a line reading the same region as a kept line of another engine is dropped.
  static std::vector<Candidate> resolve_overlaps(std::vector<Candidate> candidates) {
    auto rank = [](const Candidate& c) {
      const bool trusted = c.line.confidence >= kTrusted;
      // Trusted lines by engine priority, untrusted ones by confidence.
      return std::make_tuple(trusted ? 0 : 1, trusted ? c.engine : 0, -c.line.confidence, c.engine, c.order);
    };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&](const Candidate& a, const Candidate& b) { return rank(a) < rank(b); });
    std::vector<Candidate> kept;
    for (auto& c : candidates) {
      const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const Candidate& k) {
        return k.engine != c.engine && same_line(k.line, c.line);
      });
      if (!duplicate) kept.push_back(std::move(c));
    }
    return kept;
  }

  static std::vector<const Candidate*> reading_order(const std::vector<Candidate>& kept) {
    std::vector<const Candidate*> sorted;
    for (const auto& c : kept) sorted.push_back(&c);
    std::sort(sorted.begin(), sorted.end(), [](const Candidate* a, const Candidate* b) {
      return std::tie(a->engine, a->order) < std::tie(b->engine, b->order);
    });
    if (sorted.empty()) return sorted;
    // The first engine with surviving lines is the backbone.
    const std::size_t backbone = sorted.front()->engine;
    std::vector<const Candidate*> ordered;
    for (const auto* c : sorted) {
      if (c->engine == backbone) ordered.push_back(c);
    }
    for (const auto* c : sorted) {
      if (c->engine == backbone) continue;
      const int centre_y = c->line.box.y + c->line.box.height / 2;
      auto at = std::find_if(ordered.begin(), ordered.end(), [&](const Candidate* o) {
        return o->engine == backbone && o->line.box.y > centre_y;
      });
      ordered.insert(at, c);
    }
    return ordered;
  }

  std::vector<TextEnginePtr> engines_;
};

}  // namespace

AnalyzerPtr make_text_analyzer(std::vector<TextEnginePtr> engines) {
  engines.erase(std::remove(engines.begin(), engines.end(), nullptr), engines.end());
  if (engines.empty()) throw AnalyzerUnavailable("text: no OCR engine available");
  return std::make_shared<const TextAnalyzer>(std::move(engines));
}

}  // namespace visionfs::analysis
