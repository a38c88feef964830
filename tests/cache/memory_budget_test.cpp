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

TEST(MemoryBudget, EachKindIsCountedApartAndAllCountAgainstTheLimit) {
  using Kind = MemoryBudget::Kind;
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.try_charge(40, Kind::kStored));
  EXPECT_TRUE(budget.try_charge_now(30, Kind::kWorking));
  budget.force_charge(20, Kind::kResult);
  EXPECT_TRUE(budget.try_charge_now(10, Kind::kDecoded));
  EXPECT_FALSE(budget.try_charge(1, Kind::kStored)) << "working memory and pixels count against writes too";
  EXPECT_EQ(budget.used(Kind::kStored), 40u);
  EXPECT_EQ(budget.used(Kind::kWorking), 30u);
  EXPECT_EQ(budget.used(Kind::kResult), 20u);
  EXPECT_EQ(budget.used(Kind::kDecoded), 10u);
  budget.release(30, Kind::kWorking);
  EXPECT_EQ(budget.used(Kind::kWorking), 0u);
  EXPECT_EQ(budget.used(), 70u);
}

TEST(MemoryBudget, ARefusedChargeAsksTheReclaimerOnceAndTriesAgain) {
  using Kind = MemoryBudget::Kind;
  MemoryBudget budget(100);
  ASSERT_TRUE(budget.try_charge_now(80, Kind::kDecoded));
  int asked = 0;
  budget.set_reclaimer([&](std::uint64_t wanted) {
    asked++;
    EXPECT_EQ(wanted, 50u);
    budget.release(80, Kind::kDecoded);  // the pixels nobody reads go
    return std::uint64_t{80};
  });
  EXPECT_FALSE(budget.try_charge_now(50, Kind::kStored)) << "try_charge_now never reclaims";
  EXPECT_EQ(asked, 0);
  EXPECT_TRUE(budget.try_charge(50, Kind::kStored));
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(budget.used(), 50u);
}

TEST(MemoryBudget, ReclaimingNothingRefusesWithoutASecondTry) {
  MemoryBudget budget(10);
  int asked = 0;
  budget.set_reclaimer([&](std::uint64_t) {
    asked++;
    return std::uint64_t{0};
  });
  EXPECT_TRUE(budget.try_charge(10));
  EXPECT_FALSE(budget.try_charge(1));
  EXPECT_FALSE(budget.try_charge(11)) << "more than the limit: nothing could make room";
  EXPECT_EQ(asked, 1);
}

}  // namespace
}  // namespace visionfs::cache
