#include "analysis/engines/class_hierarchy.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace visionfs::analysis {
namespace {

std::vector<std::string> names_of(const ClassHierarchy& h, std::size_t cls) {
  std::vector<std::string> out;
  for (auto synset : h.chain(cls)) out.push_back(h.name(synset));
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class ClassHierarchyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(ClassHierarchy::kDataNoun)) {
      GTEST_SKIP() << "WordNet is not installed (Debian package wordnet-base)";
    }
  }
};

TEST_F(ClassHierarchyTest, ATabbyIsACatAFelineAMammalAndAnAnimal) {
  const auto h = ClassHierarchy::load(ClassHierarchy::kDataNoun, {{"tabby", "tabby cat"}});
  const auto chain = names_of(h, 0);
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.front(), "tabby");
  for (const char* broader : {"domestic cat", "cat", "feline", "carnivore", "mammal", "animal", "entity"}) {
    EXPECT_TRUE(has(chain, broader)) << broader << " in " << ::testing::PrintToString(chain);
  }
  EXPECT_EQ(chain.back(), "entity");
}

TEST_F(ClassHierarchyTest, TheClassesAscendingOrderTellsTheTwoCranesApart) {
  // ImageNet lists both: the bird (after "bittern") and the machine (after
  // "cradle"); the same words name both synsets.
  const auto h = ClassHierarchy::load(ClassHierarchy::kDataNoun,
                                      {{"bittern"}, {"crane"}, {"limpkin"}, {"cradle"}, {"crane"}, {"crash helmet"}});
  EXPECT_TRUE(has(names_of(h, 1), "bird")) << ::testing::PrintToString(names_of(h, 1));
  EXPECT_FALSE(has(names_of(h, 4), "bird"));
  EXPECT_TRUE(has(names_of(h, 4), "device")) << ::testing::PrintToString(names_of(h, 4));
}

TEST_F(ClassHierarchyTest, AClassWordNetDoesNotKnowHasNoChain) {
  const auto h = ClassHierarchy::load(ClassHierarchy::kDataNoun, {{"no such thing at all"}, {"cat"}});
  EXPECT_TRUE(h.chain(0).empty());
  EXPECT_FALSE(h.chain(1).empty());
  EXPECT_TRUE(h.chain(7).empty());
}

TEST(ClassHierarchyWithoutWordNet, IsEmptyNotAnError) {
  const auto h = ClassHierarchy::load("/nonexistent/data.noun", {{"cat"}});
  EXPECT_TRUE(h.empty());
  EXPECT_TRUE(h.chain(0).empty());
}

}  // namespace
}  // namespace visionfs::analysis
