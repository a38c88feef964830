// The labels analyzer (MobileNetV2 int8, ImageNet-1k) on real photos.

#include "analysis/core/factories.h"
#include "engine_test_util.h"
#include "model_test_util.h"

#include "analysis/engines/class_hierarchy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace visionfs::analysis {
namespace {

using testing::model_options;
using testing::opencv_doc_image;
using testing::read_bgr;
using testing::run_on;

constexpr const char* kModel = "classify/mobilenetv2-12-int8.onnx";

TEST(LabelsAnalyzerTest, SquirrelIsASquirrel) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_labels_analyzer(model_options());
  EXPECT_EQ(analyzer->name(), "labels");
  EXPECT_EQ(analyzer->version(), "2");
  const auto result = run_on(*analyzer, read_bgr(opencv_doc_image("squirrel_cls.jpg")));
  testing::maybe_print_example("labels squirrel_cls.jpg", result);
  EXPECT_EQ(result.at("model"), "mobilenetv2-12-int8-imagenet1k");
  const auto& labels = result.at("labels");
  ASSERT_FALSE(labels.empty());
  bool squirrel = false;
  for (std::size_t i = 0; i < std::min<std::size_t>(3, labels.size()); ++i) {
    squirrel = squirrel || labels[i].at("description").get<std::string>().find("squirrel") != std::string::npos;
  }
  EXPECT_TRUE(squirrel) << labels.dump();
  // Readable names, not synset ids, with the synonyms kept.
  EXPECT_EQ(labels[0].at("description"), "fox squirrel");
  EXPECT_EQ(labels[0].at("classIndex"), 335);
  EXPECT_EQ(labels[0].at("synonyms"), nlohmann::json({"fox squirrel", "eastern fox squirrel", "Sciurus niger"}));
  EXPECT_GT(labels[0].at("score").get<double>(), 0.8);
}

TEST(LabelsAnalyzerTest, MessiIsASoccerBall) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto result = run_on(*make_labels_analyzer(model_options()), read_bgr(opencv_doc_image("messi5.jpg")));
  testing::maybe_print_example("labels messi5.jpg", result);
  EXPECT_EQ(result.at("labels").at(0).at("description"), "soccer ball");
}

// The ImageNet classes first (reporting rule below), then the broader
// WordNet concepts, tested apart (BroaderLabels...).
nlohmann::json class_labels(const nlohmann::json& labels) {
  auto out = nlohmann::json::array();
  for (const auto& l : labels) {
    if (l.contains("classIndex")) out.push_back(l);
  }
  return out;
}

TEST(LabelsAnalyzerTest, ReportingRuleAndScores) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_labels_analyzer(model_options());
  for (const char* name : {"squirrel_cls.jpg", "messi5.jpg", "baboon.jpg", "fruits.jpg"}) {
    const auto labels = class_labels(run_on(*analyzer, read_bgr(opencv_doc_image(name))).at("labels"));
    ASSERT_GE(labels.size(), 1u) << name;
    ASSERT_LE(labels.size(), 5u) << name;
    double previous = 1.0, sum = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const double score = labels[i].at("score").get<double>();
      EXPECT_LE(score, previous) << name;
      if (i > 0) {
        EXPECT_GE(score, 0.05) << name;  // the top one is always reported
      }
      EXPECT_EQ(labels[i].at("topicality"), labels[i].at("score"));
      previous = score;
      sum += score;
    }
    EXPECT_LE(sum, 1.0 + 1e-3) << name;
  }
}

TEST(LabelsAnalyzerTest, BroaderLabelsRunFromSpecificToGeneralScoredByTheClassesUnderThem) {
  VISIONFS_REQUIRE_MODEL(kModel);
  if (!std::filesystem::exists(ClassHierarchy::kDataNoun)) GTEST_SKIP() << "WordNet (wordnet-base) not installed";
  const auto labels = run_on(*make_labels_analyzer(model_options()), read_bgr(opencv_doc_image("squirrel_cls.jpg")))
                          .at("labels");
  std::vector<std::string> broad;
  double previous = 0;
  for (const auto& l : labels) {
    if (l.contains("classIndex")) continue;
    broad.push_back(l.at("description"));
    EXPECT_TRUE(l.at("wordnet").get<std::string>().starts_with("n")) << l;
    EXPECT_GE(l.at("score").get<double>(), previous) << "specific (fewer classes under it) first";
    EXPECT_LT(l.at("topicality").get<double>(), l.at("score").get<double>()) << l;
    previous = l.at("score").get<double>();
  }
  EXPECT_EQ(broad, (std::vector<std::string>{"tree squirrel", "squirrel", "rodent", "mammal", "animal"}))
      << labels.dump(2);
}

TEST(LabelsAnalyzerTest, ACatPhotoIsACatAndAnAnimal) {
  VISIONFS_REQUIRE_MODEL(kModel);
  if (!std::filesystem::exists(ClassHierarchy::kDataNoun)) GTEST_SKIP() << "WordNet (wordnet-base) not installed";
  // The cat of OpenCV's object detection tutorial, shipped in opencv-doc.
  const std::string photo = "/usr/share/doc/opencv-doc/opencv4/html/cat_det.jpg";
  ASSERT_TRUE(std::filesystem::exists(photo)) << photo;
  const auto labels = run_on(*make_labels_analyzer(model_options()), read_bgr(photo)).at("labels");
  std::vector<std::string> names;
  for (const auto& l : labels) names.push_back(l.at("description"));
  for (const char* wanted : {"tabby", "cat", "feline", "mammal", "animal"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), wanted), names.end()) << wanted << " in " << labels.dump();
  }
}

TEST(LabelsAnalyzerTest, ExtremeShapesStillClassify) {
  VISIONFS_REQUIRE_MODEL(kModel);
  const auto analyzer = make_labels_analyzer(model_options());
  for (const cv::Size size : {cv::Size(1, 1), cv::Size(5000, 2), cv::Size(2, 5000)}) {
    const auto labels = run_on(*analyzer, cv::Mat(size, CV_8UC3, cv::Scalar(10, 200, 30))).at("labels");
    EXPECT_GE(labels.size(), 1u) << size;
  }
}

TEST(LabelsAnalyzerTest, MissingModelIsUnavailable) {
  AnalysisOptions options;  // no models directory at all
  EXPECT_THROW(make_labels_analyzer(options), AnalyzerUnavailable);
}

}  // namespace
}  // namespace visionfs::analysis
