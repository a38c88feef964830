#include "analysis/analyzers/text_layout.h"

#include "analysis/core/json_values.h"
#include "analysis/engines/region_geometry.h"

#include <algorithm>
#include <cmath>

namespace visionfs::analysis {

namespace {

using json = nlohmann::json;

// Mean of the children's confidences (0 without children).
double mean_confidence(const json& children) {
  if (children.empty()) return 0;
  double sum = 0;
  for (const auto& c : children) sum += c.value("confidence", 0.0);
  return score_value(static_cast<float>(sum / static_cast<double>(children.size())));
}

struct Builder {
  const cv::Rect frame;
  std::string text;

  // `end`: the break after the word (SPACE, EOL_SURE_SPACE or LINE_BREAK).
  json word(const TextWord& w, const char* end) {
    auto symbols = json::array();
    std::vector<TextSymbol> chars = w.symbols;
    if (chars.empty()) chars.push_back({w.text, w.quad, w.confidence});
    for (std::size_t i = 0; i < chars.size(); ++i) {
      json s = {{"boundingBox", quad_poly(chars[i].quad, w.box, frame)},
                {"text", chars[i].text},
                {"confidence", score_value(chars[i].confidence)}};
      text += chars[i].text;
      if (i + 1 == chars.size()) {
        s["property"] = {{"detectedBreak", {{"type", end}}}};
        text += std::string(end) == "SPACE" ? " " : "\n";
      }
      symbols.push_back(std::move(s));
    }
    return {{"boundingBox", quad_poly(w.quad, w.box, frame)},
            {"symbols", std::move(symbols)},
            {"confidence", score_value(w.confidence)}};
  }

  // Lines [first, last) of one paragraph.
  json paragraph(const std::vector<const TextLine*>& lines, std::size_t first, std::size_t last) {
    auto words = json::array();
    std::vector<json> polys;
    for (std::size_t l = first; l < last; ++l) {
      const auto& ws = lines[l]->words;
      for (std::size_t i = 0; i < ws.size(); ++i) {
        const char* end = i + 1 < ws.size() ? "SPACE" : (l + 1 < last ? "EOL_SURE_SPACE" : "LINE_BREAK");
        words.push_back(word(ws[i], end));
        polys.push_back(words.back()["boundingBox"]);
      }
    }
    const bool one_line = last == first + 1 && !lines[first]->quad.empty();
    json box = one_line ? quad_poly(lines[first]->quad, lines[first]->box, frame) : hull_poly(polys);
    const double confidence = mean_confidence(words);
    return {{"boundingBox", std::move(box)}, {"words", std::move(words)}, {"confidence", confidence}};
  }
};

bool same_group(const TextLine& a, const TextLine& b, bool paragraph) {
  if (a.block < 0 || a.engine != b.engine || a.block != b.block) return false;
  return !paragraph || a.paragraph == b.paragraph;
}

}  // namespace

json hull_poly(const std::vector<json>& polys) {
  int x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
  for (const auto& poly : polys) {
    for (const auto& v : poly["vertices"]) {
      x0 = std::min(x0, v["x"].get<int>()), x1 = std::max(x1, v["x"].get<int>());
      y0 = std::min(y0, v["y"].get<int>()), y1 = std::max(y1, v["y"].get<int>());
    }
  }
  if (x0 > x1) x0 = y0 = x1 = y1 = 0;
  return {{"vertices", {{{"x", x0}, {"y", y0}}, {{"x", x1}, {"y", y0}}, {{"x", x1}, {"y", y1}}, {{"x", x0}, {"y", y1}}}}};
}

json quad_poly(const TextQuad& quad, const cv::Rect& box, const cv::Rect& frame) {
  if (quad.size() != 4) return bounding_poly(cv::Rect2f(box & frame));
  std::vector<cv::Point2f> corners;
  for (const auto& p : quad) {
    corners.emplace_back(std::clamp(p.x, static_cast<float>(frame.x), static_cast<float>(frame.br().x)),
                         std::clamp(p.y, static_cast<float>(frame.y), static_cast<float>(frame.br().y)));
  }
  return bounding_poly(corners);
}

json full_text_annotation(const std::vector<const TextLine*>& lines, const cv::Rect& frame,
                          const std::string& language) {
  Builder b{frame, {}};
  auto blocks = json::array();
  for (std::size_t first = 0; first < lines.size();) {
    std::size_t end = first + 1;
    while (end < lines.size() && same_group(*lines[first], *lines[end], false)) ++end;
    auto paragraphs = json::array();
    std::vector<json> polys;
    for (std::size_t p = first; p < end;) {
      std::size_t p_end = p + 1;
      while (p_end < end && same_group(*lines[p], *lines[p_end], true)) ++p_end;
      paragraphs.push_back(b.paragraph(lines, p, p_end));
      polys.push_back(paragraphs.back()["boundingBox"]);
      p = p_end;
    }
    const double confidence = mean_confidence(paragraphs);
    blocks.push_back({{"boundingBox", paragraphs.size() == 1 ? paragraphs[0]["boundingBox"] : hull_poly(polys)},
                      {"paragraphs", std::move(paragraphs)},
                      {"blockType", "TEXT"},
                      {"confidence", confidence}});
    first = end;
  }
  if (blocks.empty()) return nullptr;
  const double confidence = mean_confidence(blocks);
  json page = {{"property", {{"detectedLanguages", {{{"languageCode", language}}}}}},
               {"width", frame.width},
               {"height", frame.height},
               {"blocks", std::move(blocks)},
               {"confidence", confidence}};
  return {{"pages", json::array({std::move(page)})}, {"text", b.text}};
}

}  // namespace visionfs::analysis
