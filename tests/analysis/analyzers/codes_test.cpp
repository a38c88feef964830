// The codes analyzer over the OpenCV QR and barcode readers, on codes made
// by the real qrencode and zint commands (in a scratch directory: tests may
// write files, the daemon never does).

#include "analysis/engines/barcode_reader.h"
#include "analysis/core/factories.h"
#include "analysis/engines/opencv_qr_reader.h"
#include "engine_test_util.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <thread>

namespace visionfs::analysis {
namespace {

using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

class CodesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    analyzer_ = make_codes_analyzer({make_opencv_qr_reader({}), make_barcode_reader({})});
  }
  static void TearDownTestSuite() { analyzer_.reset(); }

  void SetUp() override {
    if (!testing::have_command("qrencode") || !testing::have_command("zint")) {
      GTEST_SKIP() << "qrencode and zint are needed (Debian packages qrencode, zint)";
    }
  }

  // A QR code image from qrencode: 6-pixel modules, 4-module quiet zone.
  cv::Mat qr(const std::string& payload, int module = 6) {
    const auto file = dir_.path() / ("qr" + std::to_string(count_++) + ".png");
    EXPECT_EQ(testing::run_command("qrencode -s " + std::to_string(module) + " -o '" + file.string() + "' '" +
                                   payload + "'"),
              0);
    return read_bgr(file);
  }

  // An EAN-13 image from zint, with quiet zones, at the given module width.
  cv::Mat ean13(const std::string& digits, int scale) {
    const auto file = dir_.path() / ("ean" + std::to_string(count_++) + ".png");
    EXPECT_EQ(testing::run_command("zint -b 13 --quietzones --scale=" + std::to_string(scale) + " -d " + digits +
                                   " -o '" + file.string() + "'"),
              0);
    return read_bgr(file);
  }

  static AnalyzerPtr analyzer_;
  testing::ScratchDir dir_;
  int count_ = 0;
};
AnalyzerPtr CodesTest::analyzer_;

cv::Mat on_canvas(const std::vector<std::pair<cv::Mat, cv::Point>>& parts, cv::Size size, cv::Mat canvas = {}) {
  if (canvas.empty()) canvas = cv::Mat(size, CV_8UC3, cv::Scalar::all(255));
  for (const auto& [image, at] : parts) image.copyTo(canvas(cv::Rect(at, image.size())));
  return canvas;
}

cv::Rect rect_of(const nlohmann::json& code) {
  std::vector<cv::Point> points;
  for (const auto& v : code.at("boundingPoly").at("vertices")) points.emplace_back(v.at("x"), v.at("y"));
  return cv::boundingRect(points);
}

std::vector<std::string> payloads(const nlohmann::json& result) {
  std::vector<std::string> out;
  for (const auto& code : result.at("codes")) out.push_back(code.at("payload"));
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(CodesTest, DecodesAQrCodeExactly) {
  const std::string payload = "https://example.org/visionfs?q=1&lang=en";
  const cv::Mat image = qr(payload);
  const auto result = run_on(*analyzer_, image);
  ASSERT_EQ(result.at("codes").size(), 1u) << result.dump();
  const auto& code = result.at("codes")[0];
  EXPECT_EQ(code.at("payload"), payload);
  EXPECT_EQ(code.at("symbology"), "QR_CODE");
  EXPECT_EQ(code.at("engine"), "opencv-qrcode");
  EXPECT_EQ(code.at("boundingPoly").at("vertices").size(), 4u);
  // qrencode's 4-module quiet zone is 24 pixels: the polygon is the code.
  const cv::Rect box = rect_of(code);
  EXPECT_NEAR(box.x, 24, 3);
  EXPECT_NEAR(box.y, 24, 3);
  EXPECT_NEAR(box.x + box.width, image.cols - 24, 3);
  EXPECT_EQ(result.at("engines"), nlohmann::json::array({"opencv-qrcode", "opencv-barcode"}));
}

TEST_F(CodesTest, DecodesUtf8Payloads) {
  const std::string payload = "Grüße aus Zürich, 東京";
  const auto result = run_on(*analyzer_, qr(payload));
  EXPECT_EQ(payloads(result), std::vector<std::string>{payload}) << result.dump();
}

TEST_F(CodesTest, DecodesTwoQrCodesInOneImage) {
  const cv::Mat a = qr("first code: alpha"), b = qr("second code: 42");
  const cv::Mat image = on_canvas({{a, {20, 30}}, {b, {a.cols + 60, 50}}}, {a.cols + b.cols + 100, 320});
  const auto result = run_on(*analyzer_, image);
  EXPECT_EQ(payloads(result), (std::vector<std::string>{"first code: alpha", "second code: 42"})) << result.dump();
  // Listed left to right here (same band, the first one higher).
  ASSERT_EQ(result.at("codes").size(), 2u);
  EXPECT_EQ(result.at("codes")[0].at("payload"), "first code: alpha");
  EXPECT_LT(rect_of(result.at("codes")[0]).x, rect_of(result.at("codes")[1]).x);
}

TEST_F(CodesTest, DecodesQrCodesOfDifferentSizesOnAPhoto) {
  // On messi5.jpg: a small code the multi-code locator tends to miss beside
  // a larger one, and a code rotated by 20 degrees.
  cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const cv::Mat small = qr("small one", 3), large = qr("large one", 5);
  on_canvas({{small, {30, 200}}, {large, {360, 150}}}, {}, photo);
  const auto result = run_on(*analyzer_, photo);
  testing::maybe_print_example("codes messi5.jpg with two QR codes", result);
  EXPECT_EQ(payloads(result), (std::vector<std::string>{"large one", "small one"})) << result.dump();
  for (const auto& code : result.at("codes")) {
    const cv::Rect truth = code.at("payload") == "small one" ? cv::Rect({30, 200}, small.size())
                                                             : cv::Rect({360, 150}, large.size());
    const cv::Rect box = rect_of(code);
    EXPECT_GT((box & truth).area(), box.area() / 2) << code.dump();
  }

  cv::Mat canvas(600, 600, CV_8UC3, cv::Scalar::all(255)), rotated;
  const cv::Mat code = qr("rotated");
  code.copyTo(canvas(cv::Rect({200, 200}, code.size())));
  cv::warpAffine(canvas, rotated, cv::getRotationMatrix2D({300, 300}, 20, 1.0), canvas.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar::all(255));
  EXPECT_EQ(payloads(run_on(*analyzer_, rotated)), std::vector<std::string>{"rotated"});
}

TEST_F(CodesTest, DecodesAnEan13Exactly) {
  const cv::Mat barcode = ean13("5901234123457", 1);
  const cv::Mat image = on_canvas({{barcode, {40, 40}}}, {barcode.cols + 80, barcode.rows + 80});
  const auto result = run_on(*analyzer_, image);
  ASSERT_EQ(result.at("codes").size(), 1u) << result.dump();
  EXPECT_EQ(result.at("codes")[0].at("payload"), "5901234123457");
  EXPECT_EQ(result.at("codes")[0].at("symbology"), "EAN_13");
  EXPECT_EQ(result.at("codes")[0].at("engine"), "opencv-barcode");
  const cv::Rect box = rect_of(result.at("codes")[0]);
  EXPECT_GT((box & cv::Rect({40, 40}, barcode.size())).area(), box.area() / 2);
}

TEST_F(CodesTest, DecodesEan13WithWideBarsThroughThePyramid) {
  // Bars 3 and 4 pixels wide: the 4.6 detector alone finds none of these.
  for (int scale : {3, 4}) {
    const cv::Mat barcode = ean13("4006381333931", scale);
    const cv::Mat image = on_canvas({{barcode, {30, 30}}}, {barcode.cols + 60, barcode.rows + 60});
    const auto result = run_on(*analyzer_, image);
    EXPECT_EQ(payloads(result), std::vector<std::string>{"4006381333931"}) << "scale " << scale << result.dump();
  }
}

TEST_F(CodesTest, DecodesAnEan13PastedOnAPhoto) {
  cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const cv::Mat barcode = ean13("5901234123457", 1);
  on_canvas({{barcode, {310, 10}}}, {}, photo);
  const auto result = run_on(*analyzer_, photo);
  EXPECT_EQ(payloads(result), std::vector<std::string>{"5901234123457"}) << result.dump();
}

TEST_F(CodesTest, NothingInPhotosWithoutCodes) {
  for (const char* name : {"messi5.jpg", "building.jpg", "fruits.jpg", "baboon.jpg"}) {
    EXPECT_TRUE(run_on(*analyzer_, read_bgr(opencv_doc_image(name))).at("codes").empty()) << name;
  }
  // Tiny images: below every reader's minimum (and 45 px wide, which would
  // crash the 4.6 barcode detector with a division by zero).
  for (int side : {8, 21, 45, 60}) {
    EXPECT_TRUE(run_on(*analyzer_, cv::Mat(side, side, CV_8UC3, cv::Scalar::all(255))).at("codes").empty());
  }
}

TEST_F(CodesTest, SameInputSameOutputAcrossThreads) {
  cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  on_canvas({{qr("one", 3), {30, 200}}, {qr("two", 4), {360, 150}}, {ean13("5901234123457", 1), {300, 10}}}, {},
            photo);
  const auto first = run_on(*analyzer_, photo);
  EXPECT_EQ(first.at("codes").size(), 3u) << first.dump();
  nlohmann::json results[3];
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = run_on(*analyzer_, photo); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, first);
}

TEST(CodesMerge, TheSameCodeFromTwoReadersIsListedOnce) {
  const auto single = make_codes_analyzer({make_opencv_qr_reader({})});
  const auto doubled = make_codes_analyzer({make_opencv_qr_reader({}), make_opencv_qr_reader({})});
  testing::ScratchDir dir;
  const auto file = dir.path() / "qr.png";
  if (!testing::have_command("qrencode")) GTEST_SKIP() << "qrencode is needed";
  ASSERT_EQ(testing::run_command("qrencode -s 6 -o '" + file.string() + "' 'same code'"), 0);
  const cv::Mat image = read_bgr(file);
  EXPECT_EQ(run_on(*doubled, image).at("codes"), run_on(*single, image).at("codes"));
}

}  // namespace
}  // namespace visionfs::analysis
