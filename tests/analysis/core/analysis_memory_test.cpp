// AnalysisService with a memory gate: what -o max_memory means for the
// analyses (analysis_service.h, "Memory"). The gate here is a plain counter
// with a limit, so every charge and every refusal is visible.

#include "analysis/core/analysis_service.h"

#include "analysis/core/factories.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <latch>
#include <future>
#include <map>
#include <mutex>

namespace visionfs::analysis {
namespace {

using namespace std::chrono_literals;

class CountingGate final : public MemoryGate {
 public:
  explicit CountingGate(std::uint64_t capacity) : capacity_(capacity) {}

  bool try_take(std::uint64_t bytes, Use use) override {
    std::lock_guard lock(mu_);
    if (used_ + bytes > capacity_) {
      refusals_++;
      refused_.notify_all();
      return false;
    }
    used_ += bytes;
    by_use_[use] += bytes;
    peak_ = std::max(peak_, used_);
    return true;
  }
  void give_back(std::uint64_t bytes, Use use) override {
    std::lock_guard lock(mu_);
    used_ -= bytes;
    by_use_[use] -= bytes;
  }
  void reclassify(std::uint64_t bytes, Use from, Use to) override {
    std::lock_guard lock(mu_);
    by_use_[from] -= bytes;
    by_use_[to] += bytes;
  }
  std::uint64_t capacity() const override { return capacity_; }

  // What the user stored, outside the analyses.
  void store(std::uint64_t bytes) {
    std::lock_guard lock(mu_);
    used_ += bytes;
  }
  std::uint64_t used(Use use) {
    std::lock_guard lock(mu_);
    return by_use_[use];
  }
  std::uint64_t peak() {
    std::lock_guard lock(mu_);
    return peak_;
  }
  // Waits until some job was refused memory (it is then in line).
  bool wait_for_a_refusal() {
    std::unique_lock lock(mu_);
    return refused_.wait_for(lock, 30s, [&] { return refusals_ > 0; });
  }

 private:
  const std::uint64_t capacity_;
  std::mutex mu_;
  std::condition_variable refused_;
  std::uint64_t used_ = 0, peak_ = 0;
  int refusals_ = 0;
  std::map<Use, std::uint64_t> by_use_;
};

// An analyzer that declares `working` bytes and, when `hold` is set, stays
// inside analyze() until released, counting how many run at once.
class HoldingAnalyzer final : public Analyzer {
 public:
  explicit HoldingAnalyzer(std::uint64_t working, bool hold) : working_(working), hold_(hold) {}
  std::string name() const override { return "holding"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int, int) const override { return working_; }
  nlohmann::json analyze(const AnalysisInput&) const override {
    const int now = ++running_;
    int seen = most_;
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {}
    entered_.count_down();
    if (hold_) released_.wait();
    --running_;
    return nlohmann::json::object();
  }
  void wait_entered() const { entered_.wait(); }
  void release() { released_.count_down(); }
  int most_at_once() const { return most_; }

 private:
  const std::uint64_t working_;
  const bool hold_;
  mutable std::atomic<int> running_{0}, most_{0};
  mutable std::latch entered_{1};
  mutable std::latch released_{1};
};

struct Bytes {
  explicit Bytes(std::vector<std::uint8_t> b) : data(std::make_shared<std::vector<std::uint8_t>>(std::move(b))) {}
  ImageRef ref(std::uint64_t id, std::uint64_t version) const {
    return {{id, version}, data, std::span<const std::uint8_t>(*data)};
  }
  std::shared_ptr<std::vector<std::uint8_t>> data;
};

ServiceConfig with_gate(MemoryGate* gate, unsigned workers) {
  ServiceConfig config;
  config.workers = workers;
  config.gate = gate;
  return config;
}

class AnalysisMemoryTest : public ::testing::Test {
 protected:
  Bytes photo_{testing::read_bytes(testing::opencv_doc_image("messi5.jpg"))};
  const std::uint64_t pixels_ = 548u * 342u * 3u;  // messi5.jpg decoded
};

TEST_F(AnalysisMemoryTest, AJobThatDoesNotFitBesideARunningOneWaitsForIt) {
  const std::uint64_t working = 60u << 20;
  CountingGate gate(100u << 20);
  HoldingAnalyzer first(working, true), second(working, false);
  AnalysisService service(with_gate(&gate, 2));
  std::promise<std::string> one, two;
  service.submit(photo_.ref(1, 1), &first, [&](std::string text) { one.set_value(text); });
  first.wait_entered();
  service.submit(photo_.ref(2, 1), &second, [&](std::string text) { two.set_value(text); });
  ASSERT_TRUE(gate.wait_for_a_refusal()) << "the second job never asked for its memory";
  EXPECT_EQ(service.stats().waiting_for_memory, 1u);
  EXPECT_EQ(second.most_at_once(), 0) << "it started without its memory";
  first.release();
  EXPECT_FALSE(nlohmann::json::parse(one.get_future().get()).contains("error"));
  EXPECT_FALSE(nlohmann::json::parse(two.get_future().get()).contains("error"));
  EXPECT_LE(gate.peak(), gate.capacity());
  EXPECT_EQ(gate.used(MemoryGate::Use::kWorking), 0u) << "every job gives back what it took";
}

TEST_F(AnalysisMemoryTest, AJobLargerThanTheWholeBudgetGetsAResourceExhaustedSidecar) {
  CountingGate gate(10u << 20);
  HoldingAnalyzer huge(11u << 20, false);
  AnalysisService service(with_gate(&gate, 1));
  std::promise<std::string> result;
  bool refused = false;
  service.submit(
      photo_.ref(1, 1), &huge, [&](std::string text) { result.set_value(text); }, [&](int) { refused = true; });
  const auto json = nlohmann::json::parse(result.get_future().get());
  ASSERT_TRUE(json.contains("error")) << json.dump();
  EXPECT_EQ(json["error"]["code"], static_cast<int>(ErrorCode::kResourceExhausted));
  EXPECT_NE(json["error"]["message"].get<std::string>().find("max_memory"), std::string::npos);
  EXPECT_FALSE(refused) << "it can never fit: an error sidecar, kept like the max_pixels refusal";
  EXPECT_EQ(huge.most_at_once(), 0);
  EXPECT_EQ(service.stats().refused_never_fits, 1u);
}

TEST_F(AnalysisMemoryTest, ABudgetFullOfStoredBytesRefusesWithEnospcAndStoresNothing) {
  CountingGate gate(100u << 20);
  gate.store(80u << 20);
  HoldingAnalyzer needy(30u << 20, false);
  AnalysisService service(with_gate(&gate, 1));
  std::promise<int> refused;
  bool done = false;
  service.submit(
      photo_.ref(1, 1), &needy, [&](std::string) { done = true; }, [&](int err) { refused.set_value(err); });
  EXPECT_EQ(refused.get_future().get(), ENOSPC);
  EXPECT_FALSE(done);
  EXPECT_EQ(needy.most_at_once(), 0);
  EXPECT_EQ(service.stats().refused_budget_full, 1u);
  // Without a refusal callback the answer is an error sidecar instead.
  std::promise<std::string> text;
  service.submit(photo_.ref(2, 1), &needy, [&](std::string t) { text.set_value(t); });
  EXPECT_EQ(nlohmann::json::parse(text.get_future().get())["error"]["code"],
            static_cast<int>(ErrorCode::kResourceExhausted));
}

TEST_F(AnalysisMemoryTest, DecodedPixelsAreChargedWhileKeptAndGivenBackWhenTheyGo) {
  CountingGate gate(1u << 30);
  auto colors = make_colors_analyzer({});
  AnalysisService service(with_gate(&gate, 1));
  std::promise<std::string> result;
  service.submit(photo_.ref(7, 1), colors.get(), [&](std::string text) { result.set_value(text); });
  ASSERT_FALSE(nlohmann::json::parse(result.get_future().get()).contains("error"));
  EXPECT_EQ(gate.used(MemoryGate::Use::kDecoded), pixels_);
  EXPECT_EQ(gate.used(MemoryGate::Use::kWorking), 0u);
  EXPECT_EQ(service.stats().decoded_bytes, pixels_);
  EXPECT_EQ(service.reclaim_decoded(), pixels_) << "nobody reads them: a write may have the room";
  EXPECT_EQ(gate.used(MemoryGate::Use::kDecoded), 0u);
  EXPECT_EQ(service.decoded_versions(), 0u);
}

TEST_F(AnalysisMemoryTest, TheIdleReleaseRunsOnceNoAnalysisHasRunForItsPeriod) {
  std::promise<void> released;
  std::atomic<int> calls{0};
  ServiceConfig config;
  config.idle = {0ms, [&] {
                   if (calls++ == 0) released.set_value();
                 }};
  AnalysisService service(config);
  auto colors = make_colors_analyzer({});
  std::promise<std::string> result;
  service.submit(photo_.ref(7, 1), colors.get(), [&](std::string text) { result.set_value(text); });
  result.get_future().wait();
  ASSERT_EQ(released.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(service.decoded_versions(), 0u) << "the idle release drops the decoded pixels first";
}

}  // namespace
}  // namespace visionfs::analysis
