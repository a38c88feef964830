#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"

#include "image_builders.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <set>
#include <thread>

namespace visionfs::analysis {
namespace {

nlohmann::json colors_of(const cv::Mat& bgr) {
  const auto bytes = testing::encode(bgr, ".png");
  const auto image = decode_image(bytes, {});
  return make_colors_analyzer({})->analyze({bytes, *image});
}

nlohmann::json colors_of_file(const std::string& name) {
  const auto bytes = testing::read_bytes(testing::opencv_doc_image(name));
  const auto image = decode_image(bytes, {});
  return make_colors_analyzer({})->analyze({bytes, *image});
}

TEST(ColorsAnalyzer, NameAndVersion) {
  const auto analyzer = make_colors_analyzer({});
  EXPECT_EQ(analyzer->name(), "colors");
  EXPECT_EQ(analyzer->version(), "1");
}

TEST(ColorsAnalyzer, HalfRedHalfBlue) {
  cv::Mat image(100, 200, CV_8UC3, cv::Scalar(0, 0, 255));
  image(cv::Rect(100, 0, 100, 100)).setTo(cv::Scalar(255, 0, 0));
  const nlohmann::json result = colors_of(image);
  const auto& colors = result["dominantColors"]["colors"];
  ASSERT_EQ(colors.size(), 2u) << result.dump(2);
  std::set<std::string> hexes;
  double score_sum = 0;
  for (const auto& c : colors) {
    hexes.insert(c["hex"].get<std::string>());
    EXPECT_DOUBLE_EQ(c["pixelFraction"].get<double>(), 0.5);
    score_sum += c["score"].get<double>();
    const int red = c["color"]["red"], green = c["color"]["green"], blue = c["color"]["blue"];
    EXPECT_EQ(green, 0);
    EXPECT_TRUE((red == 255 && blue == 0) || (red == 0 && blue == 255)) << c.dump();
  }
  EXPECT_EQ(hexes, (std::set<std::string>{"#ff0000", "#0000ff"}));
  EXPECT_NEAR(score_sum, 1.0, 1e-3);
  EXPECT_FALSE(result["grayscale"].get<bool>());
}

TEST(ColorsAnalyzer, SaturatedColourOutscoresLargerGrey) {
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar(128, 128, 128));
  image(cv::Rect(0, 0, 100, 40)).setTo(cv::Scalar(0, 200, 0));  // 40% green
  const nlohmann::json result = colors_of(image);
  const auto& colors = result["dominantColors"]["colors"];
  ASSERT_EQ(colors.size(), 2u);
  EXPECT_EQ(colors[0]["hex"], "#00c800");  // sorted by score, highest first
  EXPECT_NEAR(colors[0]["pixelFraction"].get<double>(), 0.4, 1e-9);
  EXPECT_GT(colors[0]["score"].get<double>(), colors[1]["score"].get<double>());
}

TEST(ColorsAnalyzer, NearDuplicateClustersAreMerged) {
  // A smooth, almost uniform orange: one colour to the eye.
  cv::Mat image(120, 120, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    image.row(y).setTo(cv::Scalar(0, 120 + y / 20, 250));
  }
  const nlohmann::json result = colors_of(image);
  EXPECT_EQ(result["dominantColors"]["colors"].size(), 1u) << result.dump(2);
}

TEST(ColorsAnalyzer, BrightnessAndGrayscale) {
  const nlohmann::json white = colors_of(cv::Mat(20, 20, CV_8UC3, cv::Scalar::all(255)));
  EXPECT_NEAR(white["meanBrightness"].get<double>(), 1.0, 1e-3);
  EXPECT_TRUE(white["grayscale"].get<bool>());
  const nlohmann::json black = colors_of(cv::Mat(20, 20, CV_8UC3, cv::Scalar::all(0)));
  EXPECT_NEAR(black["meanBrightness"].get<double>(), 0.0, 1e-3);

  cv::Mat gradient(64, 256, CV_8UC1);
  for (int x = 0; x < 256; ++x) gradient.col(x).setTo(x);
  cv::Mat bgr;
  cv::cvtColor(gradient, bgr, cv::COLOR_GRAY2BGR);
  const nlohmann::json grey = colors_of(bgr);
  EXPECT_TRUE(grey["grayscale"].get<bool>());
  EXPECT_GT(grey["meanBrightness"].get<double>(), 0.4);
  EXPECT_LT(grey["meanBrightness"].get<double>(), 0.6);

  EXPECT_FALSE(colors_of_file("messi5.jpg")["grayscale"].get<bool>());
}

TEST(ColorsAnalyzer, RealPhotoIsWellFormedAndDeterministic) {
  const nlohmann::json first = colors_of_file("squirrel_cls.jpg");
  const auto& colors = first["dominantColors"]["colors"];
  ASSERT_GE(colors.size(), 2u);
  ASSERT_LE(colors.size(), 8u);
  double fractions = 0;
  for (const auto& c : colors) {
    const std::string hex = c["hex"];
    ASSERT_EQ(hex.size(), 7u);
    EXPECT_EQ(hex.find_first_not_of("#0123456789abcdef"), std::string::npos);
    for (const char* channel : {"red", "green", "blue"}) {
      EXPECT_GE(c["color"][channel].get<int>(), 0);
      EXPECT_LE(c["color"][channel].get<int>(), 255);
    }
    EXPECT_GE(c["score"].get<double>(), 0.0);
    EXPECT_LE(c["score"].get<double>(), 1.0);
    fractions += c["pixelFraction"].get<double>();
  }
  EXPECT_NEAR(fractions, 1.0, 1e-3);
  EXPECT_EQ(colors_of_file("squirrel_cls.jpg"), first);

  // Another thread (its own OpenCV RNG) gives the same answer too.
  nlohmann::json other;
  std::thread([&] { other = colors_of_file("squirrel_cls.jpg"); }).join();
  EXPECT_EQ(other, first);
}

TEST(ColorsAnalyzer, LeavesTheThreadRngAsItWas) {
  cv::theRNG().state = 12345;
  colors_of_file("messi5.jpg");
  EXPECT_EQ(cv::theRNG().state, 12345u);
}

TEST(ColorsAnalyzer, TinyImages) {
  const nlohmann::json one = colors_of(cv::Mat(1, 1, CV_8UC3, cv::Scalar(10, 20, 30)));
  ASSERT_EQ(one["dominantColors"]["colors"].size(), 1u);
  EXPECT_EQ(one["dominantColors"]["colors"][0]["hex"], "#1e140a");
}

}  // namespace
}  // namespace visionfs::analysis
