#include "sidecars/desktop_tags.h"

#include <gtest/gtest.h>

namespace visionfs::sidecars {
namespace {

using nlohmann::json;

// A NAME.json: Google's AnnotateImageResponse (object names are labels too).
json photo() {
  return json::parse(R"({
    "labelAnnotations": [{"description": "cat", "score": 0.9}, {"description": "tabby", "score": 0.81},
      {"description": "laptop", "score": 0.7}, {"description": "Tabby", "score": 0.6},
      {"description": "Egyptian cat", "score": 0.12}],
    "localizedObjectAnnotations": [
      {"name": "cat", "score": 0.9}, {"name": "laptop", "score": 0.7}, {"name": "Tabby", "score": 0.6},
      {"name": "cat", "score": 0.55}, {"name": "cup", "score": 0.31}],
    "faceAnnotations": [{}, {}],
    "textAnnotations": [{"description": "one two three four five six seven eight nine ten\nmore\n"}]
  })");
}

TEST(DesktopTags, ConfidentLabelsOnceEach) {
  EXPECT_EQ(desktop_tags(photo()), "cat,tabby,laptop");
}

TEST(DesktopTags, NoCommaInsideATag) {
  const json doc = {{"labelAnnotations", {{{"description", "a, b"}, {"score", 0.9}}}}};
  EXPECT_EQ(desktop_tags(doc), "a  b");
}

TEST(DesktopTags, NothingConfidentIsEmpty) {
  EXPECT_EQ(desktop_tags(json::object()), "");
  EXPECT_EQ(desktop_tags(json{{"error", {{"code", 5}}}}), "");
}

TEST(DesktopComment, FacesObjectsAndTheFirstWords) {
  EXPECT_EQ(desktop_comment(photo()),
            "2 faces; objects: cat (2), laptop, Tabby; text: one two three four five six seven eight ...")
      << "cup (0.31) is below the tags' threshold";
}

// A photo manager imports the comment as the caption: never an error, never
// "nothing found", never a guess.
TEST(DesktopComment, NothingFoundUnreadableOrUnsureIsEmpty) {
  EXPECT_EQ(desktop_comment(json::object()), "");
  EXPECT_EQ(desktop_comment(json{{"faceAnnotations", {json::object()}}}), "1 face");
  EXPECT_EQ(desktop_comment(json{{"error", {{"code", 3}, {"message", "corrupt or truncated jpeg data"}}}}), "");
  EXPECT_EQ(desktop_comment(json{{"localizedObjectAnnotations", {{{"name", "frisbee"}, {"score", 0.38}}}}}), "");
}

}  // namespace
}  // namespace visionfs::sidecars
