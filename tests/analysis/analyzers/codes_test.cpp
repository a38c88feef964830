// The codes analyzer over ZBar, on codes made by the real qrencode, zint
// and GNU barcode commands (in a scratch directory: tests may write files,
// the daemon never does).

#include "analysis/core/factories.h"
#include "analysis/engines/zbar_reader.h"
#include "engine_test_util.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace visionfs::analysis {
namespace {

using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

class CodesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    analyzer_ = make_codes_analyzer({make_zbar_reader({})});
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

  // Any symbology zint knows (-b NUMBER), at 2 pixels per module.
  cv::Mat zint(int symbology, const std::string& data) {
    const auto file = dir_.path() / ("zint" + std::to_string(count_++) + ".png");
    EXPECT_EQ(testing::run_command("zint -b " + std::to_string(symbology) + " --quietzones --scale=1 -d '" + data +
                                   "' -o '" + file.string() + "'"),
              0);
    return read_bgr(file);
  }

  // An EAN-13 from GNU barcode, whose SVG is one <line> per bar: drawn
  // here at 2 pixels per point (no SVG renderer is needed for that).
  cv::Mat gnu_barcode_ean13(const std::string& digits) {
    const auto file = dir_.path() / ("gnu" + std::to_string(count_++) + ".svg");
    EXPECT_EQ(testing::run_command("barcode -e ean13 -S -n -g 200x80 -b " + digits + " -o '" + file.string() + "'"), 0);
    std::ifstream in(file);
    std::stringstream svg;
    svg << in.rdbuf();
    const std::string text = svg.str();
    cv::Mat image(200, 440, CV_8UC3, cv::Scalar::all(255));
    const std::regex bar(R"re(x1="([0-9.]+)pt" y1="([0-9.]+)pt" x2="[0-9.]+pt" y2="([0-9.]+)pt".*?stroke-width:([0-9.]+)pt)re");
    int bars = 0;
    for (std::sregex_iterator it(text.begin(), text.end(), bar), end; it != end; ++it, ++bars) {
      const double x = std::stod((*it)[1]), y1 = std::stod((*it)[2]), y0 = std::stod((*it)[3]);
      const double w = std::stod((*it)[4]);
      cv::rectangle(image, cv::Point2d(2 * (x - w / 2), 2 * y0), cv::Point2d(2 * (x + w / 2), 2 * y1),
                    cv::Scalar::all(0), cv::FILLED);
    }
    EXPECT_EQ(bars, 30) << "EAN-13 has 30 bars: " << text.substr(0, 300);
    return image;
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
  EXPECT_EQ(code.at("engine"), "zbar");
  EXPECT_EQ(code.at("boundingPoly").at("vertices").size(), 4u);
  // qrencode's 4-module quiet zone is 24 pixels: the polygon is the code.
  const cv::Rect box = rect_of(code);
  EXPECT_NEAR(box.x, 24, 3);
  EXPECT_NEAR(box.y, 24, 3);
  EXPECT_NEAR(box.x + box.width, image.cols - 24, 3);
  EXPECT_EQ(result.at("engines"), nlohmann::json::array({"zbar"}));
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
  EXPECT_EQ(result.at("codes")[0].at("engine"), "zbar");
  const cv::Rect box = rect_of(result.at("codes")[0]);
  EXPECT_GT((box & cv::Rect({40, 40}, barcode.size())).area(), box.area() / 2);
}

TEST_F(CodesTest, DecodesEan13WithBarsOneToFourPixelsWide) {
  for (int scale : {1, 2, 3, 4}) {
    const cv::Mat barcode = ean13("4006381333931", scale);
    const cv::Mat image = on_canvas({{barcode, {30, 30}}}, {barcode.cols + 60, barcode.rows + 60});
    const auto result = run_on(*analyzer_, image);
    EXPECT_EQ(payloads(result), std::vector<std::string>{"4006381333931"}) << "scale " << scale << result.dump();
  }
}

TEST_F(CodesTest, DecodesEverySymbologyZintWritesExactly) {
  // zint's symbology numbers: Code 128, Code 39, Code 93, Codabar,
  // Interleaved 2 of 5, GS1 DataBar Omnidirectional, EAN-8, UPC-A. The
  // payloads carry the check digits (worked by hand: DataBar's GTIN-14
  // 09501101530010 after AI 01; UPC-A's 3).
  const struct {
    int zint;
    std::string data, payload, symbology;
  } cases[] = {{20, "VISIONFS-128/x", "VISIONFS-128/x", "CODE_128"},
               {8, "CODE39 TEST", "CODE39 TEST", "CODE_39"},
               {25, "CODE93", "CODE93", "CODE_93"},
               {18, "A40156B", "A40156B", "CODABAR"},
               {3, "1234567890", "1234567890", "ITF"},
               {29, "0950110153001", "0109501101530010", "DATABAR"},
               {13, "1234567", "12345670", "EAN_8"},
               {34, "72527270270", "725272702703", "UPC_A"}};
  for (const auto& c : cases) {
    const cv::Mat code = zint(c.zint, c.data);
    const cv::Mat image = on_canvas({{code, {30, 30}}}, {code.cols + 60, code.rows + 60});
    const auto result = run_on(*analyzer_, image);
    ASSERT_EQ(result.at("codes").size(), 1u) << c.symbology << ": " << result.dump();
    EXPECT_EQ(result.at("codes")[0].at("payload"), c.payload) << c.symbology;
    EXPECT_EQ(result.at("codes")[0].at("symbology"), c.symbology);
  }
}

TEST_F(CodesTest, DecodesAnEan13MadeByGnuBarcodeExactly) {
  if (!testing::have_command("barcode")) GTEST_SKIP() << "GNU barcode is needed (Debian package barcode)";
  const auto result = run_on(*analyzer_, gnu_barcode_ean13("5901234123457"));
  ASSERT_EQ(result.at("codes").size(), 1u) << result.dump();
  EXPECT_EQ(result.at("codes")[0].at("payload"), "5901234123457");
  EXPECT_EQ(result.at("codes")[0].at("symbology"), "EAN_13");
}

// The real ZBar reader, counting the images it is asked to read.
class CountingReader final : public CodeReader {
 public:
  std::string name() const override { return "counted-zbar"; }
  std::vector<DetectedCode> read(const cv::Mat& bgr) const override {
    ++reads;
    return zbar_.read(bgr);
  }
  mutable std::atomic<int> reads{0};

 private:
  ZbarReader zbar_;
};

TEST_F(CodesTest, TheFallbackReaderRunsOnlyWhereTheFirstFoundNothing) {
  auto fallback = std::make_shared<CountingReader>();
  const auto analyzer = make_codes_analyzer({make_zbar_reader({})}, {fallback});
  const auto with_code = run_on(*analyzer, qr("found first"));
  EXPECT_EQ(payloads(with_code), std::vector<std::string>{"found first"});
  EXPECT_EQ(fallback->reads, 0);
  EXPECT_EQ(with_code.at("engines"), nlohmann::json::array({"zbar", "counted-zbar"}));
  EXPECT_TRUE(run_on(*analyzer, read_bgr(opencv_doc_image("fruits.jpg"))).at("codes").empty());
  EXPECT_EQ(fallback->reads, 1);
}

TEST(ZbarSymbology, GoogleStyleNames) {
  EXPECT_EQ(zbar_symbology("CODE-128"), "CODE_128");
  EXPECT_EQ(zbar_symbology("QR-Code"), "QR_CODE");
  EXPECT_EQ(zbar_symbology("I2/5"), "ITF");
  EXPECT_EQ(zbar_symbology("Something-New"), "Something-New") << "unknown names pass through";
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
  // Tiny images: below every reader's minimum.
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
  const auto single = make_codes_analyzer({make_zbar_reader({})});
  const auto doubled = make_codes_analyzer({make_zbar_reader({}), make_zbar_reader({})});
  testing::ScratchDir dir;
  const auto file = dir.path() / "qr.png";
  if (!testing::have_command("qrencode")) GTEST_SKIP() << "qrencode is needed";
  ASSERT_EQ(testing::run_command("qrencode -s 6 -o '" + file.string() + "' 'same code'"), 0);
  const cv::Mat image = read_bgr(file);
  EXPECT_EQ(run_on(*doubled, image).at("codes"), run_on(*single, image).at("codes"));
}

}  // namespace
}  // namespace visionfs::analysis
