#include "analysis/engines/instance_pool.h"

#include <gtest/gtest.h>

#include <memory>

namespace visionfs::analysis {
namespace {

// Counts the instances alive, so the test sees each one destroyed.
struct Counted {
  explicit Counted(int* alive) : alive_(alive) { ++*alive_; }
  ~Counted() { --*alive_; }
  int* alive_;
};

TEST(InstancePool, ReusesAnIdleInstanceBeforeMakingAnother) {
  int alive = 0, made = 0;
  InstancePool<Counted> pool([&] {
    ++made;
    return std::make_unique<Counted>(&alive);
  });
  { auto lease = pool.acquire(); }
  { auto lease = pool.acquire(); }
  EXPECT_EQ(made, 1);
  {
    auto a = pool.acquire();
    auto b = pool.acquire();
    EXPECT_EQ(made, 2) << "two at once need two";
  }
  EXPECT_EQ(pool.idle_count(), 2u);
  EXPECT_EQ(pool.instances(), 2u);
  EXPECT_EQ(alive, 2);
}

TEST(InstancePool, ReleasingIdleInstancesFreesThemAndSparesTheLentOnes) {
  int alive = 0;
  InstancePool<Counted> pool([&] { return std::make_unique<Counted>(&alive); });
  auto lent = pool.acquire();
  { auto other = pool.acquire(); }
  ASSERT_EQ(alive, 2);
  const auto before = loaded_instances();
  EXPECT_GE(release_idle_instances(), 1u);
  EXPECT_EQ(alive, 1) << "the idle one is destroyed, the lent one is not";
  EXPECT_EQ(pool.instances(), 1u);
  EXPECT_EQ(loaded_instances(), before - 1);
  { auto again = pool.acquire(); }  // made anew on demand
  EXPECT_EQ(alive, 2);
}

TEST(InstancePool, ADestroyedPoolLeavesTheRegistry) {
  int alive = 0;
  const auto before = loaded_instances();
  {
    InstancePool<Counted> pool([&] { return std::make_unique<Counted>(&alive); });
    { auto lease = pool.acquire(); }
    EXPECT_EQ(loaded_instances(), before + 1);
  }
  EXPECT_EQ(loaded_instances(), before);
  EXPECT_EQ(release_idle_instances(), 0u) << "nothing left to release, and no dangling pool to call";
}

}  // namespace
}  // namespace visionfs::analysis
