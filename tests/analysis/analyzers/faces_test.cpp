// The faces analyzer over the Haar cascade engine, on real photos.

#include "analysis/engines/cascade_face_detector.h"
#include "analysis/core/factories.h"
#include "engine_test_util.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <map>
#include <thread>

namespace visionfs::analysis {
namespace {

using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

// Where Messi's face is in messi5.jpg (YuNet and a manual check agree).
const cv::Rect2f kMessiFace(224, 91, 32, 43);

cv::Rect2f box_of(const nlohmann::json& face) {
  const auto& b = face.at("box");
  return cv::Rect2f(b.at("x").get<float>(), b.at("y").get<float>(), b.at("width").get<float>(),
                    b.at("height").get<float>());
}

bool matches_messi(const cv::Rect2f& box, const cv::Rect2f& truth) {
  const cv::Point2f centre(box.x + box.width / 2, box.y + box.height / 2);
  const float inter = (box & truth).area();
  const float iou = inter / (box.area() + truth.area() - inter);
  return iou > 0.3f || truth.contains(centre);
}

class FacesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { analyzer_ = make_faces_analyzer(make_cascade_face_detector({})); }
  static void TearDownTestSuite() { analyzer_.reset(); }
  static AnalyzerPtr analyzer_;
};
AnalyzerPtr FacesTest::analyzer_;

TEST_F(FacesTest, FindsMessisFace) {
  const auto result = run_on(*analyzer_, read_bgr(opencv_doc_image("messi5.jpg")));
  testing::maybe_print_example("faces messi5.jpg", result);
  EXPECT_EQ(result.at("detector"), "haar-cascade");
  const auto& faces = result.at("faces");
  ASSERT_FALSE(faces.empty());
  bool found = false;
  for (const auto& face : faces) found = found || matches_messi(box_of(face), kMessiFace);
  EXPECT_TRUE(found) << result.dump();
}

TEST_F(FacesTest, MessisFaceIsSharpAndLitAndBlurringItMakesItBlurred) {
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  cv::Mat soft;
  cv::GaussianBlur(photo, soft, cv::Size(0, 0), 2.0);
  for (const auto& [image, blurred] : {std::pair{photo, false}, std::pair{soft, true}}) {
    const auto result = run_on(*analyzer_, image);
    bool found = false;
    for (const auto& face : result.at("faces")) {
      if (!matches_messi(box_of(face), kMessiFace)) continue;
      found = true;
      std::cout << "messi's face, " << (blurred ? "blurred" : "as is") << ": " << face.at("measures") << "\n";
      EXPECT_EQ(face.at("underExposedLikelihood"), "VERY_UNLIKELY");
      const std::string likelihood = face.at("blurredLikelihood");
      if (blurred) {
        EXPECT_TRUE(likelihood == "LIKELY" || likelihood == "VERY_LIKELY") << face;
      } else {
        EXPECT_EQ(likelihood, "VERY_UNLIKELY") << face;
      }
    }
    EXPECT_TRUE(found || blurred) << result.dump();
  }
}

TEST_F(FacesTest, EveryFieldIsWellFormed) {
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const auto result = run_on(*analyzer_, photo);
  double previous = 1.0;
  for (const auto& face : result.at("faces")) {
    const double score = face.at("detectionConfidence").get<double>();
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 1.0);
    EXPECT_LE(score, previous) << "faces must be sorted by confidence";
    previous = score;
    const cv::Rect2f box = box_of(face);
    EXPECT_GE(box.x, 0);
    EXPECT_GE(box.y, 0);
    EXPECT_LE(box.x + box.width, photo.cols);
    EXPECT_LE(box.y + box.height, photo.rows);
    const auto& vertices = face.at("boundingPoly").at("vertices");
    ASSERT_EQ(vertices.size(), 4u);
    EXPECT_EQ(vertices[0].at("x").get<float>(), box.x);
    EXPECT_EQ(vertices[0].at("y").get<float>(), box.y);
    EXPECT_EQ(vertices[2].at("x").get<float>(), box.x + box.width);
    EXPECT_EQ(vertices[2].at("y").get<float>(), box.y + box.height);
    std::map<std::string, cv::Point2f> eyes;
    for (const auto& landmark : face.at("landmarks")) {
      const std::string type = landmark.at("type");
      EXPECT_TRUE(type == "LEFT_EYE" || type == "RIGHT_EYE") << type;
      cv::Point2f p(landmark.at("position").at("x").get<float>(), landmark.at("position").at("y").get<float>());
      EXPECT_TRUE(cv::Rect2f(box.x - 1, box.y - 1, box.width + 2, box.height + 2).contains(p));
      EXPECT_EQ(eyes.count(type), 0u) << "one " << type << " per face";
      eyes[type] = p;
    }
    // Google's convention, from the viewer's side: LEFT_EYE is on the image's left.
    if (eyes.size() == 2) {
      EXPECT_LT(eyes["LEFT_EYE"].x, eyes["RIGHT_EYE"].x);
    }
  }
}

TEST_F(FacesTest, MergesDuplicateAndNestedBoxes) {
  // A larger copy makes the cascade fire at many more positions and scales.
  cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg")), big;
  cv::resize(photo, big, cv::Size(), 1.8, 1.8, cv::INTER_CUBIC);
  for (const cv::Mat* image : {&photo, &big}) {
    const auto faces = run_on(*analyzer_, *image).at("faces");
    for (std::size_t i = 0; i < faces.size(); ++i) {
      for (std::size_t j = i + 1; j < faces.size(); ++j) {
        const cv::Rect2f a = box_of(faces[i]), b = box_of(faces[j]);
        const float inter = (a & b).area();
        EXPECT_LE(inter / (a.area() + b.area() - inter), 0.5f) << faces.dump();
        EXPECT_LE(inter / std::min(a.area(), b.area()), 0.7f) << "nested boxes: " << faces.dump();
      }
    }
  }
}

TEST_F(FacesTest, ScalesBoxesBackFromADownscaledCopy) {
  // 1644x1026 is above kMaxSide, so detection runs on a smaller copy.
  cv::Mat big;
  cv::resize(read_bgr(opencv_doc_image("messi5.jpg")), big, cv::Size(), 3.0, 3.0, cv::INTER_CUBIC);
  ASSERT_GT(std::max(big.cols, big.rows), CascadeFaceDetector::kMaxSide);
  const auto faces = run_on(*analyzer_, big).at("faces");
  const cv::Rect2f truth(kMessiFace.x * 3, kMessiFace.y * 3, kMessiFace.width * 3, kMessiFace.height * 3);
  bool found = false;
  for (const auto& face : faces) found = found || matches_messi(box_of(face), truth);
  EXPECT_TRUE(found) << faces.dump();
}

TEST_F(FacesTest, NoFacesInAGradientOrAFlatImage) {
  cv::Mat gradient(360, 480, CV_8UC3);
  for (int y = 0; y < gradient.rows; ++y) {
    for (int x = 0; x < gradient.cols; ++x) {
      gradient.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 255 / gradient.cols),
                                               static_cast<uchar>(y * 255 / gradient.rows), 128);
    }
  }
  EXPECT_TRUE(run_on(*analyzer_, gradient).at("faces").empty());
  EXPECT_TRUE(run_on(*analyzer_, cv::Mat(300, 300, CV_8UC3, cv::Scalar(40, 90, 200))).at("faces").empty());
  // Smaller than the cascade's window: nothing to find, and no error.
  EXPECT_TRUE(run_on(*analyzer_, cv::Mat(12, 12, CV_8UC3, cv::Scalar::all(128))).at("faces").empty());
}

TEST_F(FacesTest, SameInputSameOutputAcrossThreads) {
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const auto first = run_on(*analyzer_, photo);
  nlohmann::json results[3];
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = run_on(*analyzer_, photo); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, first);
}

TEST(CascadeFaceScore, RisesWithSupportAndEyesWithinZeroToOne) {
  EXPECT_GE(cascade_face_score(0, 0), 0.0f);
  EXPECT_LE(cascade_face_score(1000, 2), 1.0f);
  EXPECT_LT(cascade_face_score(3, 0), cascade_face_score(10, 0));
  EXPECT_LT(cascade_face_score(10, 0), cascade_face_score(10, 1));
  EXPECT_LT(cascade_face_score(10, 1), cascade_face_score(10, 2));
  EXPECT_EQ(cascade_face_score(10, 5), cascade_face_score(10, 2));
}

TEST(CascadeFaceDetector, MissingCascadeMakesItUnavailable) {
  try {
    CascadeFaceDetector detector("/nonexistent/haarcascade_frontalface_alt.xml", "/nonexistent/haarcascade_eye.xml");
    FAIL() << "expected AnalyzerUnavailable";
  } catch (const AnalyzerUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/haarcascade_frontalface_alt.xml"), std::string::npos);
  }
}

TEST(CascadeFaceDetector, DamagedCascadeMakesItUnavailable) {
  testing::ScratchDir dir;
  const auto bad = dir.path() / "broken.xml";
  { std::ofstream(bad) << "<opencv_storage><cascade>not a cascade"; }
  EXPECT_THROW(CascadeFaceDetector(bad, bad), AnalyzerUnavailable);
}

}  // namespace
}  // namespace visionfs::analysis
