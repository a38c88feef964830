// NAME.xmp read as a photo manager reads it (issue 8): exiftool finds the
// tags in dc:subject, the comment in dc:description, and a face region that
// matches the faces sidecar.

#include "integration/sidecar_support.h"

#include <cmath>

namespace visionfs::itest {
namespace {

class XmpSidecarTest : public SidecarFixture {};

TEST_F(XmpSidecarTest, ExiftoolReadsSubjectsDescriptionAndAFaceRegion) {
  ASSERT_TRUE(succeeded(run("which exiftool"))) << "exiftool: install libimage-exiftool-perl";
  put("messi5.jpg", "messi.jpg");
  const auto r = run("exiftool -j -struct -XMP-dc:Subject -XMP-dc:Description -RegionInfo " + qm("messi.jpg.xmp"));
  ASSERT_TRUE(succeeded(r)) << r.err;
  const auto doc = parse_or_fail(r.out, "exiftool -j");
  ASSERT_TRUE(doc.is_array() && doc.size() == 1) << r.out;
  const auto& xmp = doc[0];
  EXPECT_NE(xmp.value("Description", "").find("face"), std::string::npos) << xmp.dump(2);
  if (!models_dir().empty()) {
    // Subject is a list when it has several entries.
    EXPECT_NE(xmp["Subject"].dump().find("person"), std::string::npos) << xmp.dump(2);
  }

  const auto faces = read_json("messi.jpg.faces.json");
  ASSERT_FALSE(faces["faces"].empty()) << faces.dump(2);
  const double width = faces["width"], height = faces["height"];
  const auto& box = faces["faces"][0]["box"];
  const double cx = (box["x"].get<double>() + box["width"].get<double>() / 2) / width;
  const double cy = (box["y"].get<double>() + box["height"].get<double>() / 2) / height;
  ASSERT_TRUE(xmp.contains("RegionInfo")) << xmp.dump(2);
  EXPECT_EQ(xmp["RegionInfo"]["AppliedToDimensions"]["W"], faces["width"]);
  bool matched = false;
  for (const auto& region : xmp["RegionInfo"]["RegionList"]) {
    if (region.value("Type", "") != "Face") continue;
    const auto& area = region["Area"];
    matched = matched || (std::abs(area["X"].get<double>() - cx) < 1e-4 && std::abs(area["Y"].get<double>() - cy) < 1e-4 &&
                          std::abs(area["W"].get<double>() - box["width"].get<double>() / width) < 1e-4);
  }
  EXPECT_TRUE(matched) << "no Face region at the faces sidecar's first box:\n" << xmp["RegionInfo"].dump(2);
}

}  // namespace
}  // namespace visionfs::itest
