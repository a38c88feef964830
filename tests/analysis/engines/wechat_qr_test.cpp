// The WeChat CNN QR reader: a small QR code pasted into a real photo.

#include "analysis/core/factories.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <thread>

namespace visionfs::analysis {
namespace {

using testing::model_options;
using testing::opencv_doc_image;
using testing::read_bgr;

constexpr const char* kDetector = "wechat_qrcode/detect.caffemodel";
constexpr const char* kPayload = "visionfs wechat test 42";

// messi5.jpg with a QR code of kPayload, `side` pixels square (a 4-module
// quiet zone included), pasted with its top-left corner at `at`.
cv::Mat photo_with_qr(int side, cv::Point at) {
  cv::Mat modules;
  cv::QRCodeEncoder::create()->encode(kPayload, modules);
  cv::Mat quiet;
  cv::copyMakeBorder(modules, quiet, 4, 4, 4, 4, cv::BORDER_CONSTANT, cv::Scalar(255));
  cv::Mat small, bgr;
  cv::resize(quiet, small, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, bgr, cv::COLOR_GRAY2BGR);
  cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  bgr.copyTo(photo(cv::Rect(at, cv::Size(side, side))));
  return photo;
}

class WeChatQrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"wechat_qrcode/detect.prototxt", kDetector, "wechat_qrcode/sr.prototxt",
                          "wechat_qrcode/sr.caffemodel"}) {
      VISIONFS_REQUIRE_MODEL(f);
    }
    reader_ = make_wechat_qr_reader(model_options());
  }
  CodeReaderPtr reader_;
};

TEST_F(WeChatQrTest, DecodesASmallCodeInAPhoto) {
  EXPECT_EQ(reader_->name(), "wechat-qrcode");
  const cv::Point at(420, 40);
  const int side = 80;
  const auto codes = reader_->read(photo_with_qr(side, at));
  ASSERT_EQ(codes.size(), 1u);
  const auto& code = codes[0];
  EXPECT_EQ(code.payload, kPayload);
  EXPECT_EQ(code.symbology, "QR_CODE");
  EXPECT_EQ(code.engine, "wechat-qrcode");
  ASSERT_EQ(code.polygon.size(), 4u);
  // The corners lie on the pasted square (quiet zone included), give or take
  // a module.
  const cv::Rect2f pasted(static_cast<float>(at.x) - 4, static_cast<float>(at.y) - 4, side + 8.0f, side + 8.0f);
  for (const auto& p : code.polygon) EXPECT_TRUE(pasted.contains(p)) << p;
  const cv::Rect bounds = cv::boundingRect(code.polygon);
  EXPECT_GT(bounds.width, side / 2);
  EXPECT_GT(bounds.height, side / 2);
}

TEST_F(WeChatQrTest, NoCodeInThePlainPhoto) {
  EXPECT_TRUE(reader_->read(read_bgr(opencv_doc_image("messi5.jpg"))).empty());
}

TEST_F(WeChatQrTest, ConcurrentCallsAgree) {
  const cv::Mat photo = photo_with_qr(70, cv::Point(30, 250));
  std::vector<std::size_t> found(4);
  std::vector<std::string> payloads(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < found.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto codes = reader_->read(photo);
      found[i] = codes.size();
      if (!codes.empty()) payloads[i] = codes[0].payload;
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < found.size(); ++i) {
    EXPECT_EQ(found[i], 1u);
    EXPECT_EQ(payloads[i], kPayload);
  }
}

TEST(WeChatQrUnavailableTest, MissingModelIsUnavailable) {
  AnalysisOptions options;
  options.models_dir = "/nonexistent/visionfs-models";
  EXPECT_THROW(make_wechat_qr_reader(options), AnalyzerUnavailable);
}

}  // namespace
}  // namespace visionfs::analysis
