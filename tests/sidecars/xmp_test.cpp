#include "sidecars/xmp.h"

#include <gtest/gtest.h>

namespace visionfs::sidecars {
namespace {

const std::string kFaces = R"({"analyzer": "faces", "width": 200, "height": 100,
  "faces": [{"box": {"x": 20, "y": 10, "width": 40, "height": 50}}]})";
const std::string kObjects = R"({"analyzer": "objects", "width": 200, "height": 100,
  "objects": [{"name": "cat", "score": 0.9, "box": {"x": 100, "y": 0, "width": 100, "height": 100}},
              {"name": "fish & chips <hot>", "score": 0.8, "box": {"x": 0, "y": 0, "width": 10, "height": 10}}]})";
const std::string kCodes = R"({"analyzer": "codes", "width": 200, "height": 100,
  "codes": [{"payload": "https://example.org", "boundingPoly": {"vertices": [
    {"x": 150, "y": 50}, {"x": 190, "y": 50}, {"x": 190, "y": 90}, {"x": 150, "y": 90}]}}]})";

std::string packet() { return compose_xmp({{"faces", kFaces}, {"objects", kObjects}, {"codes", kCodes}}); }

TEST(Xmp, IsAnXmpPacketWithTagsAndComment) {
  const std::string xmp = packet();
  EXPECT_EQ(xmp.rfind("<?xpacket begin=", 0), 0u);
  EXPECT_TRUE(xmp.ends_with("<?xpacket end=\"r\"?>\n"));
  EXPECT_NE(xmp.find("<rdf:li>cat</rdf:li>"), std::string::npos) << xmp;
  EXPECT_NE(xmp.find("<rdf:li xml:lang=\"x-default\">1 face; objects: cat, fish &amp; chips &lt;hot&gt;</rdf:li>"),
            std::string::npos)
      << xmp;
}

TEST(Xmp, RegionsAreNormalizedCentresAndSizesWithTheirTypes) {
  const std::string xmp = packet();
  EXPECT_NE(xmp.find("stDim:w=\"200\" stDim:h=\"100\""), std::string::npos) << xmp;
  // The face: x 20..60 of 200, y 10..60 of 100.
  EXPECT_NE(xmp.find("<mwg-rs:Type>Face</mwg-rs:Type>\n       <mwg-rs:Area stArea:x=\"0.200000\" "
                     "stArea:y=\"0.350000\" stArea:w=\"0.200000\" stArea:h=\"0.500000\""),
            std::string::npos)
      << xmp;
  EXPECT_NE(xmp.find("<mwg-rs:Name>cat</mwg-rs:Name>\n       <mwg-rs:Type>Pet</mwg-rs:Type>"), std::string::npos);
  EXPECT_NE(xmp.find("<mwg-rs:Name>https://example.org</mwg-rs:Name>\n       <mwg-rs:Type>BarCode</mwg-rs:Type>\n"
                     "       <mwg-rs:Area stArea:x=\"0.850000\" stArea:y=\"0.700000\""),
            std::string::npos)
      << xmp;
}

TEST(Xmp, AnUnreadableImageHasNoDescriptionNoKeywordsAndNoRegions) {
  const std::string error = R"({"analyzer": "faces", "error": {"code": 3, "message": "corrupt or truncated png data"}})";
  const std::string xmp = compose_xmp({{"faces", error}});
  EXPECT_EQ(xmp.find("mwg-rs:Regions"), std::string::npos) << xmp;
  EXPECT_EQ(xmp.find("dc:subject"), std::string::npos) << xmp;
  EXPECT_EQ(xmp.find("dc:description"), std::string::npos) << "an error is no caption: " << xmp;
  EXPECT_EQ(xmp.find("corrupt"), std::string::npos) << xmp;
}

TEST(Xmp, AnUnsureObjectIsNeitherKeywordNorRegion) {
  const std::string unsure = R"({"analyzer": "objects", "width": 200, "height": 100,
    "objects": [{"name": "frisbee", "score": 0.38, "box": {"x": 10, "y": 10, "width": 50, "height": 50}}]})";
  const std::string xmp = compose_xmp({{"objects", unsure}});
  EXPECT_EQ(xmp.find("frisbee"), std::string::npos) << xmp;
  EXPECT_EQ(xmp.find("dc:description"), std::string::npos) << xmp;
}

}  // namespace
}  // namespace visionfs::sidecars
