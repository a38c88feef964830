// The objects analyzer (YOLOX-nano) on real photos.

#include "analysis/core/factories.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>


namespace visionfs::analysis {
namespace {

using testing::iou;
using testing::model_options;
using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

constexpr const char* kModel = "objects/yolox_nano.onnx";

cv::Rect2d box_of(const nlohmann::json& object) {
  const auto& b = object.at("box");
  return cv::Rect2d(b.at("x").get<int>(), b.at("y").get<int>(), b.at("width").get<int>(), b.at("height").get<int>());
}

// The best IoU of any object called `name` with `truth`.
double best_match(const nlohmann::json& objects, const std::string& name, const cv::Rect2d& truth) {
  double best = 0;
  for (const auto& o : objects) {
    if (o.at("name") == name) best = std::max(best, iou(box_of(o), truth));
  }
  return best;
}

TEST(ObjectsAnalyzerTest, FindsMessiAndTheBall) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_objects_analyzer(model_options());
  EXPECT_EQ(analyzer->name(), "objects");
  EXPECT_EQ(analyzer->version(), "1");
  const auto result = run_on(*analyzer, read_bgr(opencv_doc_image("messi5.jpg")));
  testing::maybe_print_example("objects messi5.jpg", result);
  EXPECT_EQ(result.at("model"), "yolox-nano-coco80");
  const auto& objects = result.at("objects");
  // Boxes checked by eye against the photo (and by the reference decoder).
  EXPECT_GT(best_match(objects, "sports ball", cv::Rect2d(338, 291, 49, 46)), 0.7) << objects.dump();
  EXPECT_GT(best_match(objects, "person", cv::Rect2d(66, 59, 422, 277)), 0.7) << objects.dump();
  // The two most confident detections are exactly those.
  ASSERT_GE(objects.size(), 2u);
  EXPECT_EQ(objects[0].at("name"), "sports ball");
  EXPECT_EQ(objects[1].at("name"), "person");
}

TEST(ObjectsAnalyzerTest, FieldsAreWellFormedAndSorted) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_objects_analyzer(model_options());
  const cv::Mat photo = read_bgr(opencv_doc_image("messi5.jpg"));
  const auto result = run_on(*analyzer, photo);
  double previous = 1.0;
  for (const auto& o : result.at("objects")) {
    const double score = o.at("score").get<double>();
    EXPECT_GE(score, 0.3);  // the default min_score
    EXPECT_LE(score, previous);
    previous = score;
    const cv::Rect2d box = box_of(o);
    EXPECT_GE(box.x, 0);
    EXPECT_GE(box.y, 0);
    EXPECT_GT(box.width, 0);
    EXPECT_GT(box.height, 0);
    EXPECT_LE(box.x + box.width, photo.cols);
    EXPECT_LE(box.y + box.height, photo.rows);
    const auto& v = o.at("boundingPoly").at("normalizedVertices");
    ASSERT_EQ(v.size(), 4u);
    EXPECT_NEAR(v[0].at("x").get<double>(), box.x / photo.cols, 1e-3);
    EXPECT_NEAR(v[0].at("y").get<double>(), box.y / photo.rows, 1e-3);
    EXPECT_NEAR(v[2].at("x").get<double>(), (box.x + box.width) / photo.cols, 1e-3);
    EXPECT_NEAR(v[2].at("y").get<double>(), (box.y + box.height) / photo.rows, 1e-3);
    for (const auto& p : v) {
      EXPECT_GE(p.at("x").get<double>(), 0.0);
      EXPECT_LE(p.at("x").get<double>(), 1.0);
    }
  }
}

TEST(ObjectsAnalyzerTest, MinScoreOptionFilters) {
  VISIONFS_REQUIRE_MODEL(kModel);
  auto options = model_options();
  options.min_score = 0.8f;
  const auto strict = make_objects_analyzer(options);
  const auto result = run_on(*strict, read_bgr(opencv_doc_image("messi5.jpg")));
  const auto& objects = result.at("objects");
  ASSERT_FALSE(objects.empty());
  for (const auto& o : objects) EXPECT_GE(o.at("score").get<double>(), 0.8);
  const auto relaxed = run_on(*make_objects_analyzer(model_options()), read_bgr(opencv_doc_image("messi5.jpg")));
  EXPECT_LT(objects.size(), relaxed.at("objects").size());
}

TEST(ObjectsAnalyzerTest, DegenerateImagesGiveEmptyOrValidResults) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_objects_analyzer(model_options());
  for (const cv::Size size : {cv::Size(1, 1), cv::Size(2000, 3), cv::Size(3, 900)}) {
    const auto result = run_on(*analyzer, cv::Mat(size, CV_8UC3, cv::Scalar(40, 90, 200)));
    EXPECT_TRUE(result.at("objects").is_array()) << size;
  }
}

TEST(ObjectsAnalyzerTest, MissingModelIsUnavailableWithInstallHint) {
  AnalysisOptions options;
  options.models_dir = "/nonexistent/visionfs-models";
  try {
    make_objects_analyzer(options);
    FAIL() << "expected AnalyzerUnavailable";
  } catch (const AnalyzerUnavailable& e) {
    EXPECT_STREQ(e.what(),
                 "model not installed: objects/yolox_nano.onnx (run scripts/install-models.sh --dest "
                 "'/nonexistent/visionfs-models')");
  }
}

}  // namespace
}  // namespace visionfs::analysis
