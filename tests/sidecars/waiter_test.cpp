#include "sidecars/waiter.h"

#include <gtest/gtest.h>

namespace visionfs::sidecars {
namespace {

TEST(Waiter, DeliversOnceAndIsEmptyAfterwards) {
  int calls = 0;
  Waiter w([&](const Outcome& o) {
    calls++;
    EXPECT_EQ(o.error, ENOENT);
  });
  EXPECT_TRUE(w);
  w.deliver(Outcome::failure(ENOENT));
  EXPECT_FALSE(w);
  w.deliver(Outcome::failure(EIO));
  EXPECT_EQ(calls, 1);
}

TEST(Waiter, ADroppedWaiterIsAnsweredWithEio) {
  int calls = 0, error = 0;
  {
    Waiter w([&](const Outcome& o) {
      calls++;
      error = o.error;
    });
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(error, EIO);
}

TEST(Waiter, MovingHandsOverTheAnswerWithoutAnsweringTwice) {
  int calls = 0;
  Waiter a([&](const Outcome&) { calls++; });
  Waiter b(std::move(a));
  EXPECT_FALSE(a);
  Waiter c;
  c = std::move(b);
  EXPECT_EQ(calls, 0);
  c.deliver({});
  EXPECT_EQ(calls, 1);
}

TEST(Waiter, AssigningOverAnUndeliveredWaiterAnswersItFirst) {
  int first = 0, second = 0;
  Waiter a([&](const Outcome& o) {
    first++;
    EXPECT_EQ(o.error, EIO);
  });
  a = Waiter([&](const Outcome&) { second++; });
  EXPECT_EQ(first, 1);
  a.deliver({});
  EXPECT_EQ(second, 1);
}

TEST(Waiter, AnEmptyWaiterStandsForNobody) {
  Waiter w;
  EXPECT_FALSE(w);
  w.deliver({});  // nothing to call, nothing to crash
}

}  // namespace
}  // namespace visionfs::sidecars
