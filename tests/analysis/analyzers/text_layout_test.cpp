#include "analysis/analyzers/text_layout.h"

#include <gtest/gtest.h>

namespace visionfs::analysis {
namespace {

TextWord word(const std::string& text, int x, int y) {
  TextWord w;
  w.text = text;
  w.box = cv::Rect(x, y, 10 * static_cast<int>(text.size()), 10);
  w.confidence = 0.8f;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const float left = static_cast<float>(x + 10 * static_cast<int>(i));
    w.symbols.push_back({text.substr(i, 1), {{left, float(y)}, {left + 10, float(y)}, {left + 10, float(y + 10)},
                                             {left, float(y + 10)}}, 0.9f});
  }
  return w;
}

TextLine line(std::vector<TextWord> words, int block, int paragraph) {
  TextLine l;
  l.words = std::move(words);
  l.engine = block < 0 ? "pp-ocr" : "tesseract";
  l.block = block;
  l.paragraph = paragraph;
  l.box = l.words.front().box;
  for (const auto& w : l.words) l.box |= w.box;
  return l;
}

TEST(FullTextAnnotation, BlocksParagraphsWordsSymbolsWithTheirBreaks) {
  const TextLine a = line({word("ab", 0, 0), word("c", 30, 0)}, 0, 0);
  const TextLine b = line({word("de", 0, 20)}, 0, 0);
  const TextLine c = line({word("f", 0, 40)}, 0, 1);
  const TextLine sign = line({word("gh", 50, 80)}, -1, -1);
  const auto full = full_text_annotation({&a, &b, &c, &sign}, cv::Rect(0, 0, 100, 100), "en");
  EXPECT_EQ(full["text"], "ab c\nde\nf\ngh\n");
  const auto& page = full["pages"][0];
  EXPECT_EQ(page["width"], 100);
  ASSERT_EQ(page["blocks"].size(), 2u) << "Tesseract's block, then the scene text's own";
  const auto& paragraphs = page["blocks"][0]["paragraphs"];
  ASSERT_EQ(paragraphs.size(), 2u);
  EXPECT_EQ(paragraphs[0]["words"].size(), 3u);
  const auto break_after = [&](int w) {
    return paragraphs[0]["words"][w]["symbols"].back()["property"]["detectedBreak"]["type"];
  };
  EXPECT_EQ(break_after(0), "SPACE");
  EXPECT_EQ(break_after(1), "EOL_SURE_SPACE");
  EXPECT_EQ(break_after(2), "LINE_BREAK");
  EXPECT_FALSE(paragraphs[0]["words"][0]["symbols"][0].contains("property")) << "no break inside a word";
  EXPECT_EQ(paragraphs[0]["boundingBox"]["vertices"][2], nlohmann::json::parse(R"({"x": 40, "y": 30})"));
  EXPECT_EQ(page["blocks"][1]["blockType"], "TEXT");
  EXPECT_NEAR(page["confidence"].get<double>(), 0.8, 1e-6);
}

TEST(FullTextAnnotation, NothingForNoLines) { EXPECT_TRUE(full_text_annotation({}, cv::Rect(0, 0, 9, 9), "en").is_null()); }

TEST(QuadPoly, TheQuadInReadingOrderClampedToTheFrameElseTheBox) {
  const TextQuad turned = {{5, 90}, {5, 10}, {20, 10}, {20, 120}};
  const auto poly = quad_poly(turned, cv::Rect(), cv::Rect(0, 0, 100, 100));
  EXPECT_EQ(poly["vertices"][0], nlohmann::json::parse(R"({"x": 5, "y": 90})"));
  EXPECT_EQ(poly["vertices"][3], nlohmann::json::parse(R"({"x": 20, "y": 100})"));
  const auto box = quad_poly({}, cv::Rect(1, 2, 3, 4), cv::Rect(0, 0, 100, 100));
  EXPECT_EQ(box["vertices"][2], nlohmann::json::parse(R"({"x": 4, "y": 6})"));
}

}  // namespace
}  // namespace visionfs::analysis
