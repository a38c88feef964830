// NAME.annotated.jpg (issue 8): a picture of what was found, computed from
// the other sidecars' results. It decodes, has the documented size, differs
// from the photo inside a face box, is not listed by default (a thumbnailer
// would compute it for every photo) and is with listed=all.

#include "integration/sidecar_support.h"

#include <opencv2/imgcodecs.hpp>

namespace visionfs::itest {
namespace {

class AnnotatedTest : public SidecarFixture {};

TEST_F(AnnotatedTest, DecodesAtTheDocumentedSizeWithTheFacesDrawn) {
  put("messi5.jpg", "m.jpg");
  EXPECT_EQ(list(), sorted([&] {
              auto v = sidecar_names("m.jpg", available_analyzers());
              v.push_back("m.jpg");
              return v;
            }()))
      << "not listed by default";
  ASSERT_TRUE(succeeded(run("cp " + qm("m.jpg.annotated.jpg") + " " + qs("annotated.jpg"))));
  const cv::Mat annotated = cv::imread(s("annotated.jpg"));
  ASSERT_FALSE(annotated.empty());
  EXPECT_EQ(annotated.cols, 548);  // under the long-side cap, so as displayed
  EXPECT_EQ(annotated.rows, 342);

  const cv::Mat photo = cv::imread(sample_image("messi5.jpg"));
  const auto faces = read_json("m.jpg.faces.json");
  ASSERT_FALSE(faces["faces"].empty()) << faces.dump(2);
  const auto& box = faces["faces"][0]["box"];
  const cv::Rect face(box["x"].get<int>(), box["y"].get<int>(), box["width"].get<int>(), box["height"].get<int>());
  // Its outline: the mean difference over the box's border pixels is large.
  cv::Mat difference;
  cv::absdiff(annotated(face), photo(face), difference);
  EXPECT_GT(cv::mean(difference)[0] + cv::mean(difference)[1] + cv::mean(difference)[2], 15.0);
  const auto st = stats();
  EXPECT_EQ(stat_of(st, "annotated", "computed"), 1u) << st["analyses"].dump(2);
}

class AnnotatedListedTest : public SidecarFixture {
  bool with_models() const override { return false; }
  std::vector<std::string> extra_options() const override { return {"listed=all"}; }
};

TEST_F(AnnotatedListedTest, ListedWithListedAll) {
  put("messi5.jpg", "m.jpg");
  const auto names = list();
  EXPECT_NE(std::find(names.begin(), names.end(), "m.jpg.annotated.jpg"), names.end());
  EXPECT_EQ(config()["listed"][2], "annotated");
}

}  // namespace
}  // namespace visionfs::itest
