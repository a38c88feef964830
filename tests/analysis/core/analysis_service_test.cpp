#include "analysis/core/analysis_service.h"

#include "analysis/core/factories.h"
#include "test_data.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <latch>
#include <memory>
#include <vector>

namespace visionfs::analysis {
namespace {

struct Bytes {
  explicit Bytes(std::vector<std::uint8_t> b) : data(std::make_shared<std::vector<std::uint8_t>>(std::move(b))) {}
  ImageRef ref(std::uint64_t id, std::uint64_t version) const {
    return {{id, version}, data, std::span<const std::uint8_t>(*data)};
  }
  std::shared_ptr<std::vector<std::uint8_t>> data;
};

// Submits every (analyzer, image) pair and waits for all results.
std::vector<nlohmann::json> run_all(AnalysisService& service, const std::vector<AnalyzerPtr>& analyzers,
                                    const ImageRef& image) {
  std::vector<std::promise<std::string>> promises(analyzers.size());
  for (std::size_t i = 0; i < analyzers.size(); ++i) {
    service.submit(image, analyzers[i].get(), [&promises, i](std::string text) { promises[i].set_value(text); });
  }
  std::vector<nlohmann::json> results;
  for (auto& p : promises) results.push_back(nlohmann::json::parse(p.get_future().get()));
  return results;
}

class AnalysisServiceTest : public ::testing::Test {
 protected:
  AnalysisServiceTest()
      : analyzers_{make_colors_analyzer({}), make_hash_analyzer({}), make_meta_analyzer({}), make_colors_analyzer({})},
        photo_(testing::read_bytes(testing::opencv_doc_image("messi5.jpg"))) {}
  std::vector<AnalyzerPtr> analyzers_;
  Bytes photo_;
};

TEST_F(AnalysisServiceTest, OneImageVersionIsDecodedOnceForAllItsAnalyzers) {
  AnalysisService service(DecodeLimits{}, 2);
  auto results = run_all(service, analyzers_, photo_.ref(7, 1));
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i]["analyzer"], analyzers_[i]->name());
    EXPECT_EQ(results[i]["width"], 548);
    EXPECT_FALSE(results[i].contains("error")) << results[i].dump();
  }
  auto stats = service.stats();
  EXPECT_EQ(stats.decodes, 1u);
  EXPECT_EQ(stats.decoded_cache_hits, analyzers_.size() - 1);
  EXPECT_EQ(stats.analyzers["colors"].runs, 2u);
  EXPECT_EQ(stats.analyzers["hash"].runs, 1u);
  EXPECT_EQ(stats.workers, 2u);
}

TEST_F(AnalysisServiceTest, ANewVersionOrAForgottenOneIsDecodedAgain) {
  AnalysisService service(DecodeLimits{}, 1);
  run_all(service, {analyzers_[0]}, photo_.ref(7, 1));
  run_all(service, {analyzers_[1]}, photo_.ref(7, 1));
  EXPECT_EQ(service.stats().decodes, 1u);
  run_all(service, {analyzers_[1]}, photo_.ref(7, 2));
  EXPECT_EQ(service.stats().decodes, 2u);
  service.forget({7, 2});
  run_all(service, {analyzers_[1]}, photo_.ref(7, 2));
  EXPECT_EQ(service.stats().decodes, 3u);
}

TEST_F(AnalysisServiceTest, UndecodableImageGivesErrorJsonFromEveryAnalyzer) {
  auto truncated = *photo_.data;
  truncated.resize(200);
  Bytes bad(truncated);
  AnalysisService service(DecodeLimits{}, 2);
  auto results = run_all(service, analyzers_, bad.ref(9, 1));
  for (const auto& r : results) {
    ASSERT_TRUE(r.contains("error")) << r.dump();
    EXPECT_EQ(r["error"]["code"], static_cast<int>(ErrorCode::kInvalidArgument));
    EXPECT_FALSE(r["error"]["message"].get<std::string>().empty());
  }
  auto stats = service.stats();
  EXPECT_EQ(stats.decodes, 1u);
  EXPECT_EQ(stats.decode_errors, 1u);
  EXPECT_EQ(stats.analyzers["colors"].errors, 2u);
}

TEST_F(AnalysisServiceTest, LatenciesAreMillisecondsWithinWhatTheCallerMeasured) {
  AnalysisService service(DecodeLimits{}, 2);
  double longest_ms = 0;
  for (std::uint64_t v = 1; v <= 5; ++v) {
    auto start = std::chrono::steady_clock::now();
    run_all(service, {analyzers_[1]}, photo_.ref(1, v));
    longest_ms = std::max(longest_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  auto hash = service.stats().analyzers["hash"];
  EXPECT_EQ(hash.runs, 5u);
  EXPECT_GT(hash.p50_ms, 0);
  // Each sample lies inside one run_all call: a unit error (seconds,
  // microseconds) or a sample from elsewhere breaks this bound.
  EXPECT_LE(hash.max_ms, longest_ms);
  EXPECT_LE(hash.p50_ms, hash.max_ms);
}

TEST_F(AnalysisServiceTest, AVersionForgottenWhileItsJobsWaitKeepsNoPixelsAfterThem) {
  AnalysisService service(DecodeLimits{}, 1);
  std::promise<void> release_worker;
  std::promise<void> first_done;
  // The only worker is held inside the first job's callback.
  service.submit(photo_.ref(1, 1), analyzers_[1].get(), [&](std::string) {
    first_done.set_value();
    release_worker.get_future().wait();
  });
  first_done.get_future().wait();
  std::promise<std::string> second;
  service.submit(photo_.ref(2, 1), analyzers_[0].get(), [&](std::string text) { second.set_value(text); });
  service.forget({2, 1});  // its image went away while the job was queued
  release_worker.set_value();
  EXPECT_FALSE(nlohmann::json::parse(second.get_future().get()).contains("error"));
  EXPECT_EQ(service.decoded_versions(), 1u) << "only image 1's pixels may stay; image 2's were forgotten";
  service.forget({1, 1});
  EXPECT_EQ(service.decoded_versions(), 0u);
}

}  // namespace
}  // namespace visionfs::analysis
