#include "sidecars/annotated.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <string>
#include <vector>

namespace visionfs::sidecars {
namespace {

// Drawn as the service does: on the decoded image, or on nothing with the
// decoder's message.
std::string drawn(const cv::Mat& image, const std::vector<Part>& parts) {
  analysis::DecodedImage decoded;
  decoded.pixels = image.clone();
  decoded.width = image.cols;
  decoded.height = image.rows;
  return draw_annotated(&decoded, "", parts);
}

cv::Mat decode(const std::string& jpeg) {
  return cv::imdecode(std::vector<std::uint8_t>(jpeg.begin(), jpeg.end()), cv::IMREAD_COLOR);
}

// A 2000x1000 grey image with one face at (1000..1200, 400..600).
const std::string kFaces = R"({"analyzer": "faces", "width": 2000, "height": 1000, "faces": [
  {"box": {"x": 1000, "y": 400, "width": 200, "height": 200},
   "landmarks": [{"type": "LEFT_EYE", "position": {"x": 1050, "y": 460}}]}]})";

TEST(Annotated, ScaledToTheDocumentedLongSideWithTheFaceDrawn) {
  const cv::Mat grey(1000, 2000, CV_8UC3, cv::Scalar(128, 128, 128));
  const cv::Mat out = decode(drawn(grey, {{"faces", kFaces}}));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.cols, kAnnotatedLongSide);
  EXPECT_EQ(out.rows, kAnnotatedLongSide / 2);
  // The face box's left edge (x = 1000 * 0.64 = 640) is drawn; the middle of
  // the face and a corner far from any mark are the photo's grey.
  const double scale = static_cast<double>(kAnnotatedLongSide) / 2000;
  const cv::Vec3b edge = out.at<cv::Vec3b>(static_cast<int>(500 * scale), static_cast<int>(1000 * scale));
  EXPECT_GT(cv::norm(cv::Vec3d(edge) - cv::Vec3d(128, 128, 128)), 60.0) << edge;
  const cv::Vec3b far = out.at<cv::Vec3b>(out.rows - 20, out.cols - 20);
  EXPECT_LT(cv::norm(cv::Vec3d(far) - cv::Vec3d(128, 128, 128)), 10.0) << far;
}

TEST(Annotated, SmallImagesKeepTheirSize) {
  const cv::Mat small(120, 200, CV_8UC3, cv::Scalar(10, 10, 10));
  const cv::Mat out = decode(drawn(small, {}));
  EXPECT_EQ(out.cols, 200);
  EXPECT_EQ(out.rows, 120);
}

TEST(Annotated, AnUnreadableImageGivesAPictureThatSaysSo) {
  const cv::Mat out = decode(draw_annotated(nullptr, "corrupt or truncated png data", {}));
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.cols, 720);
}

}  // namespace
}  // namespace visionfs::sidecars
