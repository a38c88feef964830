#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"

#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace visionfs::analysis {
namespace {

nlohmann::json quality_of(const cv::Mat& bgr) {
  const auto bytes = testing::encode(bgr, ".png");
  const auto image = decode_image(bytes, {});
  return make_quality_analyzer({})->analyze({bytes, *image});
}

cv::Mat photo(const std::string& name) {
  const auto bytes = testing::read_bytes(testing::opencv_doc_image(name));
  return decode_image(bytes, {})->pixels.clone();
}

void expect_unit(const nlohmann::json& value, const std::string& what) {
  ASSERT_TRUE(value.is_number()) << what;
  EXPECT_GE(value.get<double>(), 0.0) << what;
  EXPECT_LE(value.get<double>(), 1.0) << what;
}

TEST(QualityAnalyzer, NameAndVersion) {
  const auto analyzer = make_quality_analyzer({});
  EXPECT_EQ(analyzer->name(), "quality");
  EXPECT_EQ(analyzer->version(), "1");
}

TEST(QualityAnalyzer, FieldsAndRanges) {
  const nlohmann::json q = quality_of(photo("messi5.jpg"));
  expect_unit(q["score"], "score");
  for (const char* part : {"sharpness", "exposure", "noise", "brisque"}) expect_unit(q[part]["score"], part);
  EXPECT_GT(q["sharpness"]["laplacianVariance"].get<double>(), 0.0);
  expect_unit(q["exposure"]["shadowClipping"], "shadowClipping");
  expect_unit(q["exposure"]["highlightClipping"], "highlightClipping");
  EXPECT_GT(q["noise"]["sigma"].get<double>(), 0.0);
  EXPECT_TRUE(q["brisque"]["value"].is_number());
}

TEST(QualityAnalyzer, SharpScoresAboveBlurred) {
  for (const char* name : {"messi5.jpg", "squirrel_cls.jpg", "baboon.jpg"}) {
    const cv::Mat sharp = photo(name);
    cv::Mat blurred;
    cv::GaussianBlur(sharp, blurred, cv::Size(), 3.0);
    const nlohmann::json a = quality_of(sharp), b = quality_of(blurred);
    EXPECT_GT(a["sharpness"]["laplacianVariance"].get<double>(),
              4 * b["sharpness"]["laplacianVariance"].get<double>()) << name;
    EXPECT_GT(a["sharpness"]["score"].get<double>(), b["sharpness"]["score"].get<double>()) << name;
    EXPECT_LT(a["brisque"]["value"].get<double>(), b["brisque"]["value"].get<double>()) << name;
    EXPECT_GT(a["score"].get<double>(), b["score"].get<double>()) << name;
  }
}

TEST(QualityAnalyzer, NoiseEstimateTracksAddedNoise) {
  cv::Mat flat(400, 400, CV_8UC3, cv::Scalar::all(128));
  const double clean = quality_of(flat)["noise"]["sigma"].get<double>();
  EXPECT_LT(clean, 0.01);
  cv::Mat noise(flat.size(), CV_16SC3);
  cv::RNG rng(1);
  rng.fill(noise, cv::RNG::NORMAL, 0, 10);
  cv::Mat noisy;
  flat.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(noisy, CV_8UC3);
  const nlohmann::json q = quality_of(noisy);
  // Grey conversion averages the three channels' independent noise:
  // sigma_grey = 10 * sqrt(0.299^2 + 0.587^2 + 0.114^2) = 6.7.
  EXPECT_NEAR(q["noise"]["sigma"].get<double>(), 6.7, 1.0);
  EXPECT_LT(q["noise"]["score"].get<double>(), 0.6);
}

TEST(QualityAnalyzer, ClippedExposure) {
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(0));
  image(cv::Rect(0, 0, 100, 30)).setTo(cv::Scalar::all(255));
  image(cv::Rect(0, 30, 100, 40)).setTo(cv::Scalar::all(120));
  const nlohmann::json q = quality_of(image);
  EXPECT_NEAR(q["exposure"]["highlightClipping"].get<double>(), 0.3, 1e-9);
  EXPECT_NEAR(q["exposure"]["shadowClipping"].get<double>(), 0.3, 1e-9);
  EXPECT_DOUBLE_EQ(q["exposure"]["score"].get<double>(), 0.0);
  const nlohmann::json good = quality_of(photo("messi5.jpg"));
  EXPECT_GT(good["exposure"]["score"].get<double>(), 0.8);
}

TEST(QualityAnalyzer, LargeImageIsMeasuredAtScreenSize) {
  // The same photo at 4x size measures about the same: metrics are taken at
  // a fixed working size, so they do not depend on the camera's resolution.
  const cv::Mat small = photo("messi5.jpg");
  cv::Mat large;
  cv::resize(small, large, cv::Size(), 4.0, 4.0, cv::INTER_CUBIC);
  const nlohmann::json a = quality_of(small), b = quality_of(large);
  EXPECT_NEAR(a["score"].get<double>(), b["score"].get<double>(), 0.25);
}

TEST(QualityAnalyzer, TinyImage) {
  const nlohmann::json q = quality_of(cv::Mat(2, 2, CV_8UC3, cv::Scalar(10, 200, 30)));
  expect_unit(q["score"], "score");
}

}  // namespace
}  // namespace visionfs::analysis
