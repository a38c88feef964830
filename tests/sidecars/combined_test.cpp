#include "sidecars/combined.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace visionfs::sidecars {
namespace {

TEST(ComposeCombined, PutsEveryPartSideBySideUnderItsAnalyzerName) {
  std::string text = compose_combined({{"faces", R"({"faces": []})"}, {"colors", R"({"dominantColors": [1]})"}});
  ASSERT_EQ(text.back(), '\n');
  auto all = nlohmann::json::parse(text);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(all["colors"]["dominantColors"][0], 1);
  EXPECT_TRUE(all["faces"]["faces"].empty());
  EXPECT_FALSE(all.contains("error"));
}

TEST(ComposeCombined, OneTopLevelErrorOnlyWhenEveryPartFailed) {
  auto some = nlohmann::json::parse(
      compose_combined({{"faces", R"({"error": {"code": 3}})"}, {"hash", R"({"phash": "ab"})"}}));
  EXPECT_FALSE(some.contains("error"));
  auto all = nlohmann::json::parse(
      compose_combined({{"faces", R"({"error": {"code": 3}})"}, {"hash", R"({"error": {"code": 8}})"}}));
  ASSERT_TRUE(all.contains("error"));
  EXPECT_EQ(all["error"]["code"], 3) << "the first part's error";
}

TEST(ComposeCombined, APartThatIsNotJsonBecomesThatPartsError) {
  auto all = nlohmann::json::parse(compose_combined({{"faces", "not json"}, {"hash", R"({"phash": "ab"})"}}));
  EXPECT_EQ(all["faces"]["error"]["code"], 13);
  EXPECT_EQ(all["hash"]["phash"], "ab");
}

TEST(ComposeCombined, NoPartsIsAnEmptyObject) {
  EXPECT_EQ(compose_combined({}), "{}\n");
}

}  // namespace
}  // namespace visionfs::sidecars
