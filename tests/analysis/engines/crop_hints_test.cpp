#include "analysis/engines/crop_hints.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace visionfs::analysis {
namespace {

// A grey 600x300 picture with a textured subject in its left third.
cv::Mat subject_on_the_left() {
  cv::Mat image(300, 600, CV_8UC3, cv::Scalar::all(128));
  cv::Mat subject(120, 120, CV_8UC3);
  cv::RNG rng(42);  // its own generator: the same picture whatever ran before
  rng.fill(subject, cv::RNG::UNIFORM, 0, 256);
  subject.copyTo(image(cv::Rect(40, 90, 120, 120)));
  return image;
}

TEST(CropHints, TheTightCropAndTheSquareKeepTheSubject) {
  const cv::Mat image = subject_on_the_left();
  const auto hints = crop_hints(saliency_grid(image), image.size());
  ASSERT_EQ(hints.size(), 2u);
  const cv::Rect subject(40, 90, 120, 120);
  EXPECT_GE(hints[0].importance_fraction, kKeptImportance);
  EXPECT_LT(hints[0].box.area(), image.size().area() / 2) << "the dull grey is cut";
  EXPECT_GT((hints[0].box & subject).area(), subject.area() * 3 / 4);
  EXPECT_EQ(hints[1].box.width, 300);
  EXPECT_EQ(hints[1].box.height, 300) << "the largest square";
  EXPECT_EQ((hints[1].box & subject), subject);
  EXPECT_GT(hints[1].confidence, 0.5) << "placing it elsewhere would lose the subject";
}

TEST(CropHints, AUniformPictureHasNoPreferredPlacement) {
  const cv::Mat flat(200, 400, CV_8UC3, cv::Scalar::all(90));
  const auto hints = crop_hints(saliency_grid(flat), flat.size());
  ASSERT_EQ(hints.size(), 2u);
  EXPECT_NEAR(hints[1].confidence, 0, 1e-9);
  EXPECT_NEAR(hints[1].importance_fraction, 0.5, 0.05) << "half the picture, half the importance";
}

TEST(CropHints, AFaceMovesTheSquareToIt) {
  const cv::Mat image = subject_on_the_left();
  const cv::Mat saliency = saliency_grid(image);
  const std::vector<ImportantRegion> face = {{cv::Rect2f(480, 100, 80, 80), 2.0}};
  const auto hints = crop_hints(importance_grid(saliency, face, image.size()), image.size());
  ASSERT_EQ(hints.size(), 2u);
  EXPECT_EQ((hints[1].box & cv::Rect(480, 100, 80, 80)).area(), 80 * 80) << hints[1].box;
}

TEST(CropHints, TheGridSurvivesItsJson) {
  const cv::Mat grid = saliency_grid(subject_on_the_left());
  const cv::Mat back = grid_from_json(grid_json(grid));
  ASSERT_EQ(back.size(), grid.size());
  EXPECT_LT(cv::norm(back, grid, cv::NORM_INF), 1e-4);
  EXPECT_TRUE(grid_from_json({{"side", 3}, {"values", {1, 2}}}).empty());
  EXPECT_TRUE(grid_from_json(nullptr).empty());
}

}  // namespace
}  // namespace visionfs::analysis
