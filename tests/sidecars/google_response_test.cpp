#include "sidecars/google_response.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace visionfs::sidecars {
namespace {

using json = nlohmann::json;

constexpr const char* kFaces = R"({"analyzer": "faces", "detector": "yunet", "faces": [
  {"boundingPoly": {"vertices": [{"x": 1, "y": 2}, {"x": 11, "y": 2}, {"x": 11, "y": 12}, {"x": 1, "y": 12}]},
   "box": {"x": 1, "y": 2, "width": 10, "height": 10}, "detectionConfidence": 0.9, "rollAngle": -3.5,
   "blurredLikelihood": "VERY_UNLIKELY",
   "landmarks": [{"type": "LEFT_EYE", "position": {"x": 4, "y": 5}}]}]})";

TEST(GoogleResponse, FacesKeepGooglesFieldsOnlyAndSayUnknownForWhatNothingEstimates) {
  const json r = google_response({{"faces", kFaces}});
  ASSERT_EQ(r.size(), 1u) << r.dump(2);
  const json& face = r["faceAnnotations"][0];
  EXPECT_FALSE(face.contains("box")) << "visionfs's pixel box stays in NAME.faces.json";
  EXPECT_EQ(face["fdBoundingPoly"], face["boundingPoly"]) << "the one box the detectors give";
  EXPECT_EQ(face["rollAngle"], -3.5);
  EXPECT_EQ(face["blurredLikelihood"], "VERY_UNLIKELY");
  EXPECT_EQ(face["joyLikelihood"], "UNKNOWN");
  EXPECT_EQ(face["headwearLikelihood"], "UNKNOWN");
  EXPECT_EQ(face["landmarks"][0], json::parse(R"({"type": "LEFT_EYE", "position": {"x": 4, "y": 5}})"));
}

TEST(GoogleResponse, ObjectNamesJoinTheLabelsSortedByScoreWithTheirOwnTopicality) {
  const json r = google_response(
      {{"labels", R"({"labels": [{"description": "tabby", "score": 0.6, "topicality": 0.5, "classIndex": 281},
                                 {"description": "cat", "score": 0.95, "topicality": 0.7}]})"},
       {"objects", R"({"objects": [{"name": "cat", "score": 0.8, "box": {},
           "boundingPoly": {"normalizedVertices": [{"x": 0, "y": 0}, {"x": 0.5, "y": 0},
                                                   {"x": 0.5, "y": 0.5}, {"x": 0, "y": 0.5}]}},
                                  {"name": "laptop", "score": 0.7,
           "boundingPoly": {"normalizedVertices": [{"x": 0, "y": 0}, {"x": 1, "y": 0},
                                                   {"x": 1, "y": 0.25}, {"x": 0, "y": 0.25}]}}]})"}});
  const json& labels = r["labelAnnotations"];
  ASSERT_EQ(labels.size(), 3u) << r.dump(2);
  EXPECT_EQ(labels[0], json::parse(R"({"description": "cat", "score": 0.95, "topicality": 0.7})"));
  EXPECT_EQ(labels[1]["description"], "laptop");
  EXPECT_DOUBLE_EQ(labels[1]["topicality"].get<double>(), 0.35) << "0.7 x sqrt(a quarter of the image)";
  EXPECT_EQ(labels[2]["description"], "tabby");
  EXPECT_FALSE(labels[2].contains("classIndex"));
  EXPECT_FALSE(r["localizedObjectAnnotations"][0].contains("box"));
}

TEST(GoogleResponse, TextFirstTheWholeTextEndingInANewlineAroundEveryWordThenEachWord) {
  const json r = google_response({{"text", R"({"text": "ab cd", "locale": "en", "lines": [{"words": [
      {"text": "ab", "boundingPoly": {"vertices": [{"x": 1, "y": 1}, {"x": 5, "y": 1}, {"x": 5, "y": 4}, {"x": 1, "y": 4}]}},
      {"text": "cd", "boundingPoly": {"vertices": [{"x": 7, "y": 2}, {"x": 9, "y": 2}, {"x": 9, "y": 6}, {"x": 7, "y": 6}]}}]}],
      "fullTextAnnotation": {"text": "ab cd\n"}})"}});
  const json& t = r["textAnnotations"];
  ASSERT_EQ(t.size(), 3u) << r.dump(2);
  EXPECT_EQ(t[0]["description"], "ab cd\n");
  EXPECT_EQ(t[0]["locale"], "en");
  EXPECT_EQ(t[0]["boundingPoly"]["vertices"][2], json::parse(R"({"x": 9, "y": 6})"));
  EXPECT_EQ(t[2]["description"], "cd");
  EXPECT_EQ(r["fullTextAnnotation"]["text"], "ab cd\n");
}

TEST(GoogleResponse, ColorsAndSafeSearchDropVisionfsExtras) {
  const json r = google_response(
      {{"colors", R"({"dominantColors": {"colors": [{"color": {"red": 1, "green": 2, "blue": 3}, "hex": "#010203",
                      "score": 0.5, "pixelFraction": 0.25}]}, "grayscale": false})"},
       {"safe", R"({"safe": {"adult": "VERY_UNLIKELY", "racy": "POSSIBLE"}, "scores": {"porn": 0.01}})"}});
  EXPECT_EQ(r["imagePropertiesAnnotation"], json::parse(R"({"dominantColors": {"colors": [
      {"color": {"red": 1, "green": 2, "blue": 3}, "score": 0.5, "pixelFraction": 0.25}]}})"));
  EXPECT_EQ(r["safeSearchAnnotation"], json::parse(R"({"adult": "VERY_UNLIKELY", "racy": "POSSIBLE"})"));
}

TEST(GoogleResponse, OneErrorOfCodeAndMessageBesideWhatSucceeded) {
  const json r = google_response({{"faces", kFaces},
                                  {"labels", R"({"analyzer": "labels", "error": {"code": 14, "message": "m"}})"},
                                  {"text", R"({"error": {"code": 3, "message": "later"}})"}});
  EXPECT_EQ(r["error"], json::parse(R"({"code": 14, "message": "m"})")) << "the first failed part's";
  EXPECT_TRUE(r.contains("faceAnnotations"));
  EXPECT_FALSE(r.contains("textAnnotations"));
}

TEST(GoogleResponse, APartThatIsNotJsonIsAnInternalError) {
  const json r = google_response({{"faces", "not json"}});
  EXPECT_EQ(r["error"]["code"], 13);
}

TEST(GoogleResponse, EmptyResultsAreLeftOutAsProto3JsonDoes) {
  EXPECT_EQ(compose_google_response({}), "{}\n");
  EXPECT_EQ(compose_google_response({{"faces", R"({"faces": []})"}, {"text", R"({"text": "", "lines": []})"}}),
            "{}\n");
}

TEST(MergeParts, PutsEveryPartUnderItsAnalyzerName) {
  const json all = merge_parts({{"faces", R"({"faces": []})"}, {"hash", "[1]"}});
  EXPECT_TRUE(all["faces"]["faces"].empty());
  EXPECT_EQ(all["hash"]["error"]["code"], 13);
}

}  // namespace
}  // namespace visionfs::sidecars
