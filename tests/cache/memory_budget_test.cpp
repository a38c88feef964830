#include "cache/memory_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace visionfs::cache {
namespace {

TEST(MemoryBudget, ChargesUpToTheLimitAndRefusesBeyond) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.try_charge(60));
  EXPECT_TRUE(budget.try_charge(40));
  EXPECT_FALSE(budget.try_charge(1));
  EXPECT_EQ(budget.used(), 100u);
  EXPECT_EQ(budget.available(), 0u);
  budget.release(30);
  EXPECT_TRUE(budget.try_charge(30));
  EXPECT_FALSE(budget.try_charge(1));
}

TEST(MemoryBudget, RefusedChargeChargesNothing) {
  MemoryBudget budget(100);
  EXPECT_FALSE(budget.try_charge(101));
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_FALSE(budget.try_charge(~0ull));  // no overflow wrap-around
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, ForceChargeMayPassTheLimit) {
  MemoryBudget budget(10);
  budget.force_charge(15);
  EXPECT_EQ(budget.used(), 15u);
  EXPECT_EQ(budget.available(), 0u);
  EXPECT_FALSE(budget.try_charge(1));
}

TEST(MemoryBudget, ConcurrentChargesNeverPassTheLimit) {
  MemoryBudget budget(10'000);
  std::vector<std::thread> threads;
  std::atomic<int> granted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) granted += budget.try_charge(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 10'000);
  EXPECT_EQ(budget.used(), 10'000u);
}

}  // namespace
}  // namespace visionfs::cache
