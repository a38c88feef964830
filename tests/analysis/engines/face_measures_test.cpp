#include "analysis/engines/face_measures.h"

#include "analysis/core/json_values.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace visionfs::analysis {
namespace {

// A frontal face's landmarks (eyes 40 px apart, nose halfway down to the
// mouth), turned by `degrees` about the eye midpoint, with the nose moved
// by (nose_dx, nose_dy) in the face's own frame first.
std::vector<Landmark> face(double degrees, double nose_dx = 0, double nose_dy = 0) {
  const std::vector<std::pair<std::string, cv::Point2d>> upright = {
      {"LEFT_EYE", {-20, 0}}, {"RIGHT_EYE", {20, 0}}, {"NOSE_TIP", {nose_dx, 20 + nose_dy}},
      {"MOUTH_LEFT", {-15, 40}}, {"MOUTH_RIGHT", {15, 40}}};
  const double r = degrees * 3.14159265358979323846 / 180;
  std::vector<Landmark> out;
  for (const auto& [type, p] : upright) {
    out.push_back({type, cv::Point2f(static_cast<float>(100 + p.x * std::cos(r) - p.y * std::sin(r)),
                                     static_cast<float>(100 + p.x * std::sin(r) + p.y * std::cos(r)))});
  }
  return out;
}

TEST(FaceAngles, AFrontalFaceIsLevelAndStraight) {
  const auto a = estimate_face_angles(face(0));
  ASSERT_TRUE(a);
  EXPECT_NEAR(a->roll, 0, 0.1);
  EXPECT_NEAR(a->pan, 0, 0.1);
  EXPECT_NEAR(a->tilt, 0, 0.1);
}

TEST(FaceAngles, RollFollowsTheEyesAndLeavesPanAndTiltAlone) {
  for (double degrees : {-45.0, -10.0, 25.0, 90.0}) {
    const auto a = estimate_face_angles(face(degrees));
    ASSERT_TRUE(a);
    EXPECT_NEAR(a->roll, degrees, 0.1) << degrees;
    EXPECT_NEAR(a->pan, 0, 0.2) << degrees;
    EXPECT_NEAR(a->tilt, 0, 0.2) << degrees;
  }
}

TEST(FaceAngles, PanFollowsTheNoseSidewaysTiltUpAndDown) {
  const auto right = estimate_face_angles(face(30, /*nose_dx=*/10));
  ASSERT_TRUE(right);
  EXPECT_NEAR(right->pan, 30, 0.2) << "half of half the eye distance: asin(0.5)";
  EXPECT_NEAR(right->roll, 30, 0.1);
  const auto up = estimate_face_angles(face(0, 0, /*nose_dy=*/-10));
  ASSERT_TRUE(up);
  EXPECT_NEAR(up->tilt, 30, 0.2) << "the nose a quarter closer to the eyes";
  const auto down = estimate_face_angles(face(0, 0, 10));
  EXPECT_NEAR(down->tilt, -30, 0.2);
}

TEST(FaceAngles, NothingWithoutAllFiveLandmarks) {
  auto four = face(0);
  four.pop_back();
  EXPECT_FALSE(estimate_face_angles(four));
  EXPECT_FALSE(estimate_face_angles({}));
}

TEST(FaceLikelihoods, BucketsInGooglesNamesBothWays) {
  static const double kCuts[4] = {1, 2, 3, 4};
  EXPECT_STREQ(google_likelihood(0, kCuts), "VERY_UNLIKELY");
  EXPECT_STREQ(google_likelihood(1, kCuts), "UNLIKELY") << "a cut starts its bucket";
  EXPECT_STREQ(google_likelihood(2.5, kCuts), "POSSIBLE");
  EXPECT_STREQ(google_likelihood(4, kCuts), "VERY_LIKELY");
  EXPECT_STREQ(google_likelihood(0, kCuts, false), "VERY_LIKELY");
  EXPECT_STREQ(google_likelihood(9, kCuts, false), "VERY_UNLIKELY");
}

TEST(FaceLikelihoods, ABlurredDarkFaceIsLikelyBlurredAndUnderExposed) {
  cv::Mat sharp(200, 200, CV_8UC3);
  cv::randu(sharp, cv::Scalar::all(0), cv::Scalar::all(255));
  const cv::Rect box(50, 50, 100, 100);
  EXPECT_EQ(blurred_likelihood(face_sharpness(sharp, box)), "VERY_UNLIKELY");
  EXPECT_EQ(under_exposed_likelihood(face_brightness(sharp, box)), "VERY_UNLIKELY");
  cv::Mat soft;
  cv::GaussianBlur(sharp, soft, cv::Size(0, 0), 4);
  EXPECT_EQ(blurred_likelihood(face_sharpness(soft, box)), "VERY_LIKELY");
  const cv::Mat dark = sharp / 8;
  EXPECT_EQ(under_exposed_likelihood(face_brightness(dark, box)), "VERY_LIKELY");
}

}  // namespace
}  // namespace visionfs::analysis
