// Analyzers that need models: available with -o models=DIR (YuNet faces,
// objects, labels, safe), listed as unavailable with a reason without them,
// and then without sidecars. -o analyzers= chooses among the available ones.

#include <algorithm>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

const std::vector<std::string> kModelAnalyzers = {"objects", "labels", "safe"};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string engine_of(const nlohmann::json& config, const std::string& analyzer) {
  for (const auto& a : config["available"]) {
    if (a.value("name", "") == analyzer) return a.value("engine", "");
  }
  return "";
}

class SidecarModelsTest : public SidecarFixture {
 protected:
  void SetUp() override {
    if (models_dir().empty()) GTEST_SKIP() << "VISIONFS_MODELS_DIR is empty: configure with -DVISIONFS_TEST_MODELS_DIR";
    SidecarFixture::SetUp();
  }
};

TEST_F(SidecarModelsTest, ModelAnalyzersAreAvailableAndFindMessisBall) {
  auto c = config();
  const auto available = available_analyzers();
  for (const auto& a : kModelAnalyzers) EXPECT_TRUE(contains(available, a)) << a << ": " << c.dump(2);
  EXPECT_EQ(engine_of(c, "faces").rfind("yunet-", 0), 0u) << c.dump(2);
  EXPECT_TRUE(c["unavailable"].empty()) << c.dump(2);

  put("messi5.jpg", "messi5.jpg");
  auto listed = list();
  for (const auto& a : kModelAnalyzers) EXPECT_TRUE(contains(listed, "messi5.jpg." + a + ".json")) << a;

  auto objects = read_json("messi5.jpg.objects.json");
  ASSERT_TRUE(objects.contains("objects")) << objects.dump(2);
  std::vector<std::string> names;
  for (const auto& o : objects["objects"]) {
    names.push_back(o.value("name", ""));
    const double score = o.value("score", -1.0);
    EXPECT_GE(score, 0.0);
    EXPECT_LE(score, 1.0);
  }
  EXPECT_TRUE(contains(names, "person")) << objects.dump(2);
  EXPECT_TRUE(contains(names, "sports ball")) << objects.dump(2);

  auto labels = read_json("messi5.jpg.labels.json");
  ASSERT_TRUE(labels.contains("labels") && !labels["labels"].empty()) << labels.dump(2);
  for (const auto& l : labels["labels"]) {
    EXPECT_GE(l.value("score", -1.0), 0.0);
    EXPECT_LE(l.value("score", 2.0), 1.0);
  }
  auto safe = read_json("messi5.jpg.safe.json");
  EXPECT_FALSE(safe.contains("error")) << safe.dump(2);
  auto faces = read_json("messi5.jpg.faces.json");
  EXPECT_EQ(faces.value("detector", "").rfind("yunet-", 0), 0u) << faces.dump(2);
  EXPECT_GE(faces["faces"].size(), 1u) << faces.dump(2);
}

class SidecarNoModelsTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
};

TEST_F(SidecarNoModelsTest, ModelAnalyzersAreUnavailableWithAReasonAndHaveNoSidecars) {
  auto c = config();
  const auto available = available_analyzers();
  for (const auto& a : kModelAnalyzers) {
    EXPECT_FALSE(contains(available, a)) << a;
    bool found = false;
    for (const auto& u : c["unavailable"]) {
      if (u.value("name", "") != a) continue;
      found = true;
      EXPECT_NE(u.value("reason", "").find("model"), std::string::npos) << u.dump();
    }
    EXPECT_TRUE(found) << a << " not in unavailable: " << c.dump(2);
  }
  // The built-in engines take over.
  EXPECT_FALSE(engine_of(c, "faces").empty());
  EXPECT_NE(engine_of(c, "faces").rfind("yunet-", 0), 0u) << c.dump(2);
  for (const char* a : {"faces", "text", "codes", "colors", "quality", "meta", "hash"})
    EXPECT_TRUE(contains(available, a)) << a;

  put("messi5.jpg", "m.jpg");
  EXPECT_EQ(list(), sorted([&] {
              auto v = sidecar_names("m.jpg", available);
              v.push_back("m.jpg");
              return v;
            }()));
  for (const auto& a : kModelAnalyzers) EXPECT_EQ(errno_of("os.stat(p)", "m.jpg." + a + ".json"), "ENOENT") << a;
  auto combined = read_json("m.jpg.json");
  for (const char* key : {"labelAnnotations", "localizedObjectAnnotations", "safeSearchAnnotation"}) {
    EXPECT_FALSE(combined.contains(key)) << key;
  }
  EXPECT_FALSE(combined.contains("error")) << combined.dump(2);
  auto faces = read_json("m.jpg.faces.json");
  EXPECT_FALSE(faces.contains("error")) << faces.dump(2);
}

// -o analyzers= limits the sidecars to the named ones; naming an analyzer
// that cannot run here shows no sidecar for it.
class SidecarAnalyzersOptionTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
  std::vector<std::string> extra_options() const override { return {"analyzers=colors:meta:objects"}; }
};

TEST_F(SidecarAnalyzersOptionTest, OnlyTheChosenAvailableAnalyzersHaveSidecars) {
  auto c = config();
  EXPECT_EQ(c["analyzers"].get<std::vector<std::string>>(), (std::vector<std::string>{"colors", "meta"})) << c.dump(2);
  put("messi5.jpg", "a.jpg");
  EXPECT_EQ(list(), (std::vector<std::string>{"a.jpg", "a.jpg.colors.json", "a.jpg.json", "a.jpg.meta.json", "a.jpg.xmp"}));
  auto combined = read_json("a.jpg.json");
  ASSERT_TRUE(combined.is_object());
  std::vector<std::string> keys;
  for (const auto& [k, v] : combined.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"imagePropertiesAnnotation"})) << combined.dump(2);
}

}  // namespace
}  // namespace visionfs::itest
