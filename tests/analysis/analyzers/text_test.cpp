// The text analyzer over Tesseract, on real images, and its merging of
// several engines' lines.

#include "analysis/core/factories.h"
#include "analysis/engines/tesseract_engine.h"
#include "engine_test_util.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <thread>

namespace visionfs::analysis {
namespace {

using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

cv::Rect rect_of(const nlohmann::json& poly) {
  const auto& v = poly.at("vertices");
  return cv::Rect(cv::Point(v[0].at("x").get<int>(), v[0].at("y").get<int>()),
                  cv::Point(v[2].at("x").get<int>(), v[2].at("y").get<int>()));
}

class TextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = make_text_analyzer({make_tesseract_engine({})}); }
  static void TearDownTestSuite() { analyzer_.reset(); }
  static AnalyzerPtr analyzer_;
};
AnalyzerPtr TextTest::analyzer_;

TEST_F(TextTest, ReadsThePrintedParagraph) {
  const cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png"));
  const auto result = run_on(*analyzer_, page);
  testing::maybe_print_example("text imageTextN.png", result);
  const std::string text = lower(result.at("text"));
  // Words visible in the image, across its first, middle and last lines.
  for (const char* word : {"technical", "teaching", "implementation", "real-world", "conference", "exercises",
                           "photographs", "algorithms", "formulating", "computer vision", "inspiration",
                           "high-level approaches"}) {
    EXPECT_NE(text.find(word), std::string::npos) << word << " not in: " << text;
  }
  EXPECT_EQ(result.at("locale"), "en");
  EXPECT_EQ(result.at("engines"), nlohmann::json::array({"tesseract"}));
  // 13 printed lines; a few more or fewer would be a layout change, not noise.
  EXPECT_GE(result.at("lines").size(), 12u);
  EXPECT_LE(result.at("lines").size(), 14u);
}

TEST_F(TextTest, LinesAndWordsAreWellFormed) {
  const cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png"));
  const cv::Rect frame(0, 0, page.cols, page.rows);
  const auto result = run_on(*analyzer_, page);
  std::string joined;
  int previous_bottom = 0;
  for (const auto& line : result.at("lines")) {
    const cv::Rect box = rect_of(line.at("boundingPoly"));
    EXPECT_GT(box.area(), 0);
    EXPECT_EQ(box & frame, box) << "line box outside the image";
    EXPECT_GE(line.at("confidence").get<double>(), 0.0);
    EXPECT_LE(line.at("confidence").get<double>(), 1.0);
    EXPECT_EQ(line.at("engine"), "tesseract");
    // One column: lines follow each other top to bottom without overlapping.
    EXPECT_GE(box.y, previous_bottom) << line.at("text");
    previous_bottom = box.y + box.height;
    std::string words;
    for (const auto& word : line.at("words")) {
      const cv::Rect wbox = rect_of(word.at("boundingPoly"));
      EXPECT_EQ(wbox & box, wbox) << "word box outside its line";
      EXPECT_GE(word.at("confidence").get<double>(), TesseractEngine::kMinWordConfidence);
      EXPECT_LE(word.at("confidence").get<double>(), 1.0);
      words += (words.empty() ? "" : " ") + word.at("text").get<std::string>();
    }
    EXPECT_EQ(words, line.at("text"));
    joined += (joined.empty() ? "" : "\n") + line.at("text").get<std::string>();
  }
  EXPECT_EQ(joined, result.at("text"));
}

TEST_F(TextTest, NoTextInAPlainImage) {
  const auto result = run_on(*analyzer_, cv::Mat(200, 300, CV_8UC3, cv::Scalar::all(255)));
  EXPECT_EQ(result.at("text"), "");
  EXPECT_TRUE(result.at("lines").empty());
  EXPECT_TRUE(run_on(*analyzer_, cv::Mat(5, 5, CV_8UC3, cv::Scalar::all(0))).at("lines").empty());
}

TEST_F(TextTest, NoTextInPhotosWithoutText) {
  // Tesseract reports blank "words" and texture as low-confidence words on
  // these; none of that may reach the sidecar.
  for (const char* name : {"messi5.jpg", "fruits.jpg", "home.jpg", "starry_night.jpg", "board.jpg"}) {
    const auto result = run_on(*analyzer_, read_bgr(opencv_doc_image(name)));
    EXPECT_EQ(result.at("text"), "") << name;
    EXPECT_TRUE(result.at("lines").empty()) << name;
  }
}

TEST_F(TextTest, AVeryLargeImageIsReadFromADownscaledCopy) {
  // A 4400-pixel wide page: the engine reads a copy 4096 wide and scales
  // the boxes back.
  cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png")), big;
  cv::resize(page, big, cv::Size(4400, page.rows * 4400 / page.cols), 0, 0, cv::INTER_CUBIC);
  const auto result = run_on(*analyzer_, big);
  const std::string text = lower(result.at("text"));
  EXPECT_NE(text.find("photographs"), std::string::npos) << text;
  for (const auto& line : result.at("lines")) {
    const cv::Rect box = rect_of(line.at("boundingPoly"));
    EXPECT_EQ(box & cv::Rect(0, 0, big.cols, big.rows), box);
  }
}

TEST_F(TextTest, SameInputSameOutputAcrossThreads) {
  const cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png"));
  const auto first = run_on(*analyzer_, page);
  nlohmann::json results[2];
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = run_on(*analyzer_, page); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, first);
}

TEST(TextMerge, TwoEnginesReadingTheSameLinesGiveEachLineOnce) {
  const cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png"));
  auto tesseract = make_tesseract_engine({});
  const auto single = run_on(*make_text_analyzer({tesseract}), page);
  const auto twice = run_on(*make_text_analyzer({tesseract, make_tesseract_engine({})}), page);
  EXPECT_EQ(twice.at("text"), single.at("text"));
  EXPECT_EQ(twice.at("lines"), single.at("lines"));
  EXPECT_EQ(twice.at("engines"), nlohmann::json::array({"tesseract", "tesseract"}));
}

// An engine that returns fixed lines: it stands in for a second OCR engine
// (PP-OCR) so the merge policy can be checked line by line.
class FixedLinesEngine final : public TextEngine {
 public:
  FixedLinesEngine(std::string name, std::vector<TextLine> lines) : name_(std::move(name)), lines_(std::move(lines)) {}
  std::string name() const override { return name_; }
  std::vector<TextLine> read(const cv::Mat&) const override { return lines_; }

 private:
  std::string name_;
  std::vector<TextLine> lines_;
};

TextLine line(const std::string& text, cv::Rect box, float confidence, const std::string& engine) {
  return {text, box, confidence, engine, {{text, box, confidence, engine}}};
}

TEST(TextMerge, OverlappingLinesFollowTrustThenPriorityThenConfidence) {
  auto document = std::make_shared<FixedLinesEngine>(
      "doc", std::vector<TextLine>{line("Title", {10, 10, 200, 20}, 0.8f, "doc"),
                                   line("blurred sign", {10, 100, 200, 20}, 0.55f, "doc"),
                                   line("faint", {10, 240, 100, 20}, 0.6f, "doc"),
                                   line("footer", {10, 200, 200, 20}, 0.8f, "doc")});
  auto scene = std::make_shared<FixedLinesEngine>(
      "scene", std::vector<TextLine>{line("TITLE", {12, 12, 190, 18}, 0.99f, "scene"),
                                     line("OPEN 24 HOURS", {15, 98, 190, 24}, 0.93f, "scene"),
                                     line("EXIT", {10, 150, 60, 20}, 0.8f, "scene"),
                                     line("FAINT", {12, 241, 90, 18}, 0.65f, "scene")});
  const auto result = run_on(*make_text_analyzer({document, scene}), cv::Mat(300, 300, CV_8UC3, cv::Scalar::all(0)));
  // Title: both trusted, the first engine wins although the second is surer.
  // The sign: only the second engine's reading is trusted. FAINT: neither is
  // trusted, the surer one wins. EXIT overlaps nothing and is inserted in
  // reading order before the first line below it.
  EXPECT_EQ(result.at("text"), "Title\nOPEN 24 HOURS\nEXIT\nfooter\nFAINT");
  ASSERT_EQ(result.at("lines").size(), 5u);
  EXPECT_EQ(result.at("lines")[0].at("engine"), "doc");
  EXPECT_EQ(result.at("lines")[1].at("engine"), "scene");
  EXPECT_EQ(result.at("lines")[1].at("words")[0].at("engine"), "scene");
  EXPECT_EQ(result.at("engines"), nlohmann::json::array({"doc", "scene"}));
}

TEST(TextMerge, DocumentLinesComeFromTesseractBesidePpOcr) {
  AnalysisOptions options;
  options.models_dir = testing::test_models_dir();
  TextEnginePtr ppocr;
  try {
    ppocr = make_ppocr_engine(options);
  } catch (const AnalyzerUnavailable& e) {
    GTEST_SKIP() << "PP-OCR model not installed: " << e.what();
  }
  const cv::Mat page = read_bgr(opencv_doc_image("imageTextN.png"));
  auto tesseract = make_tesseract_engine(options);
  const auto alone = run_on(*make_text_analyzer({tesseract}), page);
  const auto merged = run_on(*make_text_analyzer({tesseract, ppocr}), page);
  // PP-OCR reads every line of this page too, with higher confidences but
  // worse text; Tesseract's confident lines must win all of them.
  EXPECT_EQ(merged.at("text"), alone.at("text"));
  for (const auto& l : merged.at("lines")) EXPECT_EQ(l.at("engine"), "tesseract") << l.at("text");
}

TEST(TextMerge, LinesAreClippedToTheImageAndInvalidUtf8IsReplaced) {
  auto engine = std::make_shared<FixedLinesEngine>(
      "doc", std::vector<TextLine>{line("caf\xC3", {-5, 250, 100, 80}, 0.9f, "doc")});
  const auto result = run_on(*make_text_analyzer({engine}), cv::Mat(300, 300, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_EQ(result.at("lines").size(), 1u);
  EXPECT_EQ(result.at("text"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(rect_of(result.at("lines")[0].at("boundingPoly")), cv::Rect(0, 250, 95, 50));
  EXPECT_NO_THROW((void)result.dump());
}

}  // namespace
}  // namespace visionfs::analysis
