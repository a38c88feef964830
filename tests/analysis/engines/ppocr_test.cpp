// The PP-OCR scene-text engine on real photos.

#include "analysis/core/factories.h"
#include "analysis/engines/ppocr_engine.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <thread>

namespace visionfs::analysis {
namespace {

using testing::model_options;
using testing::opencv_doc_image;
using testing::read_bgr;

constexpr const char* kDetector = "text/en_PP-OCRv3_det_cv46.onnx";
constexpr const char* kRecogniser = "text/en_number_mobile_v2.0_rec_cv46.onnx";

std::filesystem::path scene_text(const std::string& name) {
  return std::filesystem::path("/usr/share/doc/opencv-doc/examples/text") / name;
}

const TextLine* find_line(const std::vector<TextLine>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.text == text) return &line;
  }
  return nullptr;
}

std::string all_text(const std::vector<TextLine>& lines) {
  std::string s;
  for (const auto& l : lines) s += "[" + l.text + "] ";
  return s;
}

class PpocrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VISIONFS_REQUIRE_MODEL(kDetector);
    VISIONFS_REQUIRE_MODEL(kRecogniser);
    VISIONFS_REQUIRE_MODEL("text/en_dict.txt");
    engine_ = make_ppocr_engine(model_options());
  }
  TextEnginePtr engine_;
};

TEST_F(PpocrTest, ReadsTheParkingSign) {
  EXPECT_EQ(engine_->name(), "pp-ocr");
  const auto lines = engine_->read(read_bgr(scene_text("scenetext01.jpg")));
  const TextLine* notice = find_line(lines, "NOTICE");
  const TextLine* parking = find_line(lines, "PARKING");
  ASSERT_NE(notice, nullptr) << all_text(lines);
  ASSERT_NE(parking, nullptr) << all_text(lines);
  // Reading order: the sign from top to bottom.
  EXPECT_LT(notice, parking);
  // Where the words are on the sign (checked by eye).
  EXPECT_GT(testing::iou(cv::Rect2d(notice->box), cv::Rect2d(276, 34, 152, 42)), 0.7);
  EXPECT_GT(testing::iou(cv::Rect2d(parking->box), cv::Rect2d(278, 130, 145, 33)), 0.7);
  EXPECT_GT(parking->confidence, 0.9f);
  for (const char* text : {"DOUBLE", "PROHIBITED"}) EXPECT_NE(find_line(lines, text), nullptr) << all_text(lines);
}

TEST_F(PpocrTest, SplitsLinesIntoWordsWithBoxesInOrder) {
  const cv::Mat photo = read_bgr(scene_text("scenetext01.jpg"));
  const auto lines = engine_->read(photo);
  const TextLine* times = find_line(lines, "AT ALL TIMES");
  ASSERT_NE(times, nullptr) << all_text(lines);
  ASSERT_EQ(times->words.size(), 3u);
  EXPECT_EQ(times->words[0].text, "AT");
  EXPECT_EQ(times->words[1].text, "ALL");
  EXPECT_EQ(times->words[2].text, "TIMES");
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& w = times->words[i];
    EXPECT_EQ(w.engine, "pp-ocr");
    EXPECT_EQ(w.box & times->box, w.box) << "word box outside its line";
    if (i > 0) {
      // Consecutive, not overlapping by more than a pixel or two.
      EXPECT_LE(times->words[i - 1].box.x + times->words[i - 1].box.width, w.box.x + 2);
    }
  }
  for (const auto& line : lines) {
    EXPECT_EQ(line.engine, "pp-ocr");
    EXPECT_GE(line.confidence, 0.5f);
    EXPECT_LE(line.confidence, 1.0f);
    EXPECT_EQ(line.box & cv::Rect(0, 0, photo.cols, photo.rows), line.box);
    for (const auto& w : line.words) {
      EXPECT_GE(w.confidence, 0.0f);
      EXPECT_LE(w.confidence, 1.0f);
      EXPECT_FALSE(w.text.empty());
      EXPECT_EQ(w.text.find(' '), std::string::npos);
    }
  }
}

TEST_F(PpocrTest, ReadsTextTurnedAQuarter) {
  cv::Mat turned;
  cv::rotate(read_bgr(scene_text("scenetext01.jpg")), turned, cv::ROTATE_90_CLOCKWISE);
  const auto lines = engine_->read(turned);
  EXPECT_NE(find_line(lines, "PARKING"), nullptr) << all_text(lines);
}

TEST_F(PpocrTest, ReadsALineLongerThanTheRecognisersWindow) {
  // About 30:1, so it is read in pieces.
  cv::Mat banner(200, 960, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(banner, "QUICK BROWN FOXES JUMP OVER 1234 LAZY DOGS", cv::Point(20, 110), cv::FONT_HERSHEY_SIMPLEX,
              1.0, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
  const auto lines = engine_->read(banner);
  std::string words;
  for (const auto& l : lines) {
    for (const auto& w : l.words) words += w.text + " ";
  }
  for (const char* word : {"QUICK", "BROWN", "OVER", "1234", "LAZY", "DOGS"}) {
    EXPECT_NE(words.find(word), std::string::npos) << word << " not in: " << words;
  }
}

TEST_F(PpocrTest, BlankAndTinyImagesHaveNoText) {
  EXPECT_TRUE(engine_->read(cv::Mat(480, 640, CV_8UC3, cv::Scalar(200, 200, 200))).empty());
  EXPECT_TRUE(engine_->read(cv::Mat(1, 1, CV_8UC3, cv::Scalar(0, 0, 0))).empty());
  EXPECT_NO_THROW(engine_->read(cv::Mat(3, 3000, CV_8UC3, cv::Scalar(0, 0, 0))));
}

// The detector's input size follows the image; OpenCV 4.6 got a net's
// ConvTranspose wrong after a size change when layer fusion was on, so the
// text on messi5.jpg's shirt vanished once a squirrel had been read.
TEST_F(PpocrTest, ResultDoesNotDependOnEarlierImageSizes) {
  const cv::Mat messi = read_bgr(opencv_doc_image("messi5.jpg"));
  const std::string first = all_text(engine_->read(messi));
  EXPECT_FALSE(first.empty());
  engine_->read(read_bgr(opencv_doc_image("squirrel_cls.jpg")));
  engine_->read(read_bgr(scene_text("scenetext01.jpg")));
  EXPECT_EQ(all_text(engine_->read(messi)), first);
}

TEST_F(PpocrTest, ConcurrentCallsAgree) {
  const cv::Mat photo = read_bgr(scene_text("scenetext01.jpg"));
  const auto expected = all_text(engine_->read(photo));
  std::vector<std::string> results(3);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = all_text(engine_->read(photo)); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace visionfs::analysis
