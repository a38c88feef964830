// The YuNet face detector (2023mar, hand-decoded; 2021 through
// cv::FaceDetectorYN) on real photos.

#include "analysis/core/factories.h"
#include "analysis/engines/yunet_face_detector.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <map>
#include <thread>

namespace visionfs::analysis {
namespace {

using testing::iou;
using testing::model_options;
using testing::opencv_doc_image;
using testing::read_bgr;

constexpr const char* k2023 = "face/face_detection_yunet_2023mar.onnx";
constexpr const char* k2021 = "face/face_detection_yunet_2021_120x160.onnx";
const cv::Rect2d kMessiFace(226, 93, 31, 40);

std::map<std::string, cv::Point2f> landmarks_of(const DetectedFace& face) {
  std::map<std::string, cv::Point2f> m;
  for (const auto& l : face.landmarks) m[l.type] = l.position;
  return m;
}

// Checks one detection of Messi's face: box, score, and the five landmarks
// where a face has them. Left and right are the viewer's, as in Google's
// API: LEFT_EYE is the eye on the image's left (Messi's right eye).
void expect_messi(const std::vector<DetectedFace>& faces, double min_iou) {
  ASSERT_EQ(faces.size(), 1u);
  const DetectedFace& face = faces[0];
  EXPECT_GT(iou(cv::Rect2d(face.box), kMessiFace), min_iou)
      << face.box.x << "," << face.box.y << " " << face.box.width << "x" << face.box.height;
  EXPECT_GT(face.score, 0.6f);
  EXPECT_LE(face.score, 1.0f);
  ASSERT_EQ(face.landmarks.size(), 5u);
  auto m = landmarks_of(face);
  ASSERT_EQ(m.size(), 5u);
  for (const char* type : {"LEFT_EYE", "RIGHT_EYE", "NOSE_TIP", "MOUTH_LEFT", "MOUTH_RIGHT"}) {
    ASSERT_TRUE(m.count(type)) << type;
    EXPECT_TRUE(face.box.contains(m[type])) << type << " " << m[type];
  }
  EXPECT_LT(m["LEFT_EYE"].x, m["RIGHT_EYE"].x);
  EXPECT_LT(m["MOUTH_LEFT"].x, m["MOUTH_RIGHT"].x);
  EXPECT_LT(m["LEFT_EYE"].y, m["NOSE_TIP"].y);
  EXPECT_LT(m["RIGHT_EYE"].y, m["NOSE_TIP"].y);
  EXPECT_LT(m["NOSE_TIP"].y, m["MOUTH_LEFT"].y);
  EXPECT_LT(m["NOSE_TIP"].y, m["MOUTH_RIGHT"].y);
}

TEST(YunetTest, FindsMessisFaceWithLandmarks) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const auto detector = make_yunet_face_detector(model_options());
  EXPECT_EQ(detector->name(), "yunet-2023mar");
  const auto faces = detector->detect(read_bgr(opencv_doc_image("messi5.jpg")));
  expect_messi(faces, 0.7);
}

TEST(YunetTest, FallsBackTo2021ModelWhen2023IsAbsent) {
  VISIONFS_REQUIRE_MODEL(k2021);
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "face");
  std::filesystem::copy_file(testing::test_models_dir() / k2021, dir.path() / k2021);
  AnalysisOptions options;
  options.models_dir = dir.path();
  const auto detector = make_yunet_face_detector(options);
  EXPECT_EQ(detector->name(), "yunet-2021");
  expect_messi(detector->detect(read_bgr(opencv_doc_image("messi5.jpg"))), 0.6);
}

// Non-faces that score 0.63 to 0.76, under the 0.8 threshold.
TEST(YunetTest, NoFaceInASquirrelATowerOrACircuitBoard) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const auto detector = make_yunet_face_detector(model_options());
  for (const char* name : {"squirrel_cls.jpg", "leuvenB.jpg", "board.jpg"}) {
    EXPECT_TRUE(detector->detect(read_bgr(opencv_doc_image(name))).empty()) << name;
  }
}

TEST(YunetTest, FindsFacesInOtherPhotos) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const auto detector = make_yunet_face_detector(model_options());
  const auto desk = detector->detect(read_bgr(opencv_doc_image("left06.jpg")));
  ASSERT_EQ(desk.size(), 1u);
  EXPECT_GT(iou(cv::Rect2d(desk[0].box), cv::Rect2d(234, 99, 100, 139)), 0.6);
  const auto street = detector->detect(read_bgr("/usr/share/doc/opencv-doc/examples/text/scenetext01.jpg"));
  ASSERT_EQ(street.size(), 1u);
  EXPECT_GT(iou(cv::Rect2d(street[0].box), cv::Rect2d(764, 384, 33, 47)), 0.6);
}

TEST(YunetTest, LargeImagesAreScaledAndResultsMappedBack) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  cv::Mat big;
  cv::resize(photo, big, cv::Size(), 4.0, 4.0, cv::INTER_CUBIC);  // 2192x1368, over kYunetMaxSide
  const auto faces = make_yunet_face_detector(model_options())->detect(big);
  ASSERT_EQ(faces.size(), 1u);
  const cv::Rect2d scaled(faces[0].box.x / 4, faces[0].box.y / 4, faces[0].box.width / 4, faces[0].box.height / 4);
  EXPECT_GT(iou(scaled, kMessiFace), 0.6);
}

// The network's input size follows the image; the result must not depend on
// the sizes it saw before (see LayerFusion in analysis/engines/dnn_net_pool.h).
TEST(YunetTest, ResultDoesNotDependOnEarlierImageSizes) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const auto detector = make_yunet_face_detector(model_options());
  const cv::Mat messi = read_bgr(opencv_doc_image("messi5.jpg"));
  const auto first = detector->detect(messi);
  detector->detect(read_bgr(opencv_doc_image("left06.jpg")));
  detector->detect(read_bgr(opencv_doc_image("squirrel_cls.jpg")));
  const auto again = detector->detect(messi);
  ASSERT_EQ(again.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(again[i].box, first[i].box);
    EXPECT_EQ(again[i].score, first[i].score);
  }
}

TEST(YunetTest, ConcurrentCallsAgree) {
  VISIONFS_REQUIRE_MODEL(k2023);
  const auto detector = make_yunet_face_detector(model_options());
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const auto expected = detector->detect(photo);
  std::vector<std::vector<DetectedFace>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = detector->detect(photo); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), expected.size());
    EXPECT_EQ(r[0].box, expected[0].box);
    EXPECT_EQ(r[0].score, expected[0].score);
  }
}

TEST(YunetTest, MissingModelsAreUnavailable) {
  testing::ScratchDir empty;
  AnalysisOptions options;
  options.models_dir = empty.path();
  try {
    make_yunet_face_detector(options);
    FAIL() << "expected AnalyzerUnavailable";
  } catch (const AnalyzerUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("face/face_detection_yunet_2023mar.onnx"), std::string::npos);
  }
}

}  // namespace
}  // namespace visionfs::analysis
