// The sidecar workflow without a mount: single-flight, NAME.json, parking and
// its timeout, precompute, shutdown.

#include "sidecars/scheduler_fixture.h"

#include <nlohmann/json.hpp>

namespace visionfs::sidecars {
namespace {

TEST_F(SchedulerTest, OneComputationAnswersEveryWaiterOnce) {
  put("a.png", png(1));
  run_all_jobs();  // the precomputed hash
  auto colors = sidecar("a.png.colors.json");
  auto& r1 = received();
  auto& r2 = received();
  auto& r3 = received();
  scheduler_->request(colors, record(r1));
  scheduler_->request(colors, record(r2));
  scheduler_->request(colors, record(r3));
  ASSERT_EQ(jobs_.size(), 1u) << "single-flight: one analysis for three waiters";
  EXPECT_EQ(r1.count + r2.count + r3.count, 0);
  EXPECT_EQ(scheduler_->counters()["colors"].waiting, 3u);
  run_job();
  for (auto* r : {&r1, &r2, &r3}) {
    EXPECT_EQ(r->count, 1);
    EXPECT_EQ(r->last.error, 0);
    EXPECT_EQ(r->last.attr.st_size, static_cast<off_t>(result_text(*r).size()));
  }
  EXPECT_TRUE(nlohmann::json::parse(result_text(r1)).contains("dominantColors"));
  EXPECT_EQ(scheduler_->counters()["colors"].waiting, 0u);
  EXPECT_EQ(scheduler_->counters()["colors"].computed, 1u);
}

TEST_F(SchedulerTest, AComputedSidecarIsAnsweredAtOnceWithoutANewAnalysis) {
  put("a.png", png(1));
  auto hash = sidecar("a.png.hash.json");
  auto& first = received();
  auto& second = received();
  scheduler_->request(hash, record(first));
  run_all_jobs();
  scheduler_->request(hash, record(second));
  EXPECT_TRUE(jobs_.empty());
  EXPECT_EQ(second.count, 1);
  EXPECT_EQ(result_text(first), result_text(second));
}

TEST_F(SchedulerTest, AComposedSidecarWaitsForEveryPart) {
  put("a.png", png(2));
  auto& xmp = received();
  scheduler_->request(sidecar("a.png.xmp"), record(xmp));
  ASSERT_EQ(jobs_.size(), 2u) << "one job per part";
  run_job();
  EXPECT_EQ(xmp.count, 0) << "answered before every part was in";
  run_job();
  ASSERT_EQ(xmp.count, 1);
  ASSERT_EQ(xmp.last.error, 0);
  // The parts were computed on the way and are served from now on.
  auto& part = received();
  scheduler_->request(sidecar("a.png.hash.json"), record(part));
  EXPECT_EQ(part.count, 1);
  EXPECT_TRUE(jobs_.empty());
}

TEST_F(SchedulerTest, NameJsonComputesOnlyWhatGooglesResponseHolds) {
  put("a.png", png(2));
  run_all_jobs();  // precompute=hash
  auto& combined = received();
  scheduler_->request(sidecar("a.png.json"), record(combined));
  ASSERT_EQ(jobs_.size(), 1u);
  EXPECT_EQ(jobs_.front().analyzer->name(), "colors") << "hash is no part of Google's response";
  run_job();
  ASSERT_EQ(combined.count, 1);
  ASSERT_EQ(combined.last.error, 0);
  auto response = nlohmann::json::parse(result_text(combined));
  EXPECT_TRUE(response["imagePropertiesAnnotation"].contains("dominantColors")) << response.dump(2);
  EXPECT_FALSE(response.contains("error"));
}

TEST_F(SchedulerTest, NameJsonOfAnUnreadableImageHasOneTopLevelError) {
  std::string broken = png(3);
  broken.resize(60);  // a PNG signature and header, then nothing
  put("bad.png", broken);
  auto& combined = received();
  scheduler_->request(sidecar("bad.png.json"), record(combined));
  run_all_jobs();
  ASSERT_EQ(combined.count, 1);
  auto response = nlohmann::json::parse(result_text(combined));
  EXPECT_EQ(response.size(), 1u) << response.dump(2);
  EXPECT_EQ(response["error"]["code"], 3) << response.dump(2);
}

TEST_F(SchedulerTest, AnImageOpenForWritingParksTheRequestUntilItsLastWriterCloses) {
  auto image = put("a.png", png(1), /*keep_open=*/true);
  auto& r = received();
  scheduler_->request(sidecar("a.png.colors.json"), record(r));
  EXPECT_TRUE(jobs_.empty()) << "never analyse bytes still being written";
  clock_.advance(std::chrono::seconds(29));
  scheduler_->expire_parked();
  EXPECT_EQ(r.count, 0);
  close_writer(image, true);
  // precompute=hash starts too, on the close of a changed image.
  ASSERT_EQ(jobs_.size(), 2u);
  run_all_jobs();
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(r.last.error, 0);
}

TEST_F(SchedulerTest, AParkedRequestFailsWithEbusyAfterTheWriteWait) {
  auto image = put("a.png", png(1), /*keep_open=*/true);
  auto& r = received();
  scheduler_->request(sidecar("a.png.json"), record(r));
  auto deadline = scheduler_->expire_parked();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline, clock_.now() + std::chrono::seconds(30));
  clock_.advance(std::chrono::seconds(30));
  EXPECT_FALSE(scheduler_->expire_parked().has_value());
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(r.last.error, EBUSY);
  close_writer(image, true);
  EXPECT_EQ(r.count, 1) << "a closed writer must not answer twice";
}

TEST_F(SchedulerTest, PrecomputeStartsOnlyTheConfiguredAnalysesOfAChangedImage) {
  auto image = put("a.png", png(1), /*keep_open=*/true);
  close_writer(image, /*changed=*/false);
  EXPECT_TRUE(jobs_.empty()) << "an image closed unchanged is not analysed again";
  put("b.png", png(2));
  ASSERT_EQ(jobs_.size(), 1u);
  EXPECT_EQ(jobs_.front().analyzer->name(), "hash");
  run_job();
  EXPECT_TRUE(tree_.sidecar_result(sidecar("b.png.hash.json")));
  EXPECT_FALSE(tree_.sidecar_result(sidecar("b.png.colors.json")));
}

TEST_F(SchedulerTest, ShutdownAnswersEveryWaiterAndEveryLaterRequestWithEio) {
  auto open_image = put("open.png", png(1), /*keep_open=*/true);
  put("busy.png", png(2));
  auto& parked = received();
  auto& running = received();
  auto& later = received();
  scheduler_->request(sidecar("open.png.json"), record(parked));
  scheduler_->request(sidecar("busy.png.colors.json"), record(running));
  scheduler_->shutdown();
  EXPECT_EQ(parked.count, 1);
  EXPECT_EQ(parked.last.error, EIO);
  EXPECT_EQ(running.count, 1);
  EXPECT_EQ(running.last.error, EIO);
  scheduler_->request(sidecar("busy.png.hash.json"), record(later));
  EXPECT_EQ(later.count, 1);
  EXPECT_EQ(later.last.error, EIO);
  run_all_jobs();  // an analysis that finishes after shutdown answers nobody twice
  EXPECT_EQ(running.count, 1);
  tree_.release(open_image, O_WRONLY);
}

TEST_F(SchedulerTest, AFailureToStartIsEveryWaitersOutcomeNotAnEscapingException) {
  // The analysis service refuses the job: the waiters are stored by then,
  // so the failure must reach them, once, and must not escape to a caller
  // that would answer the same request again.
  scheduler_ = std::make_unique<Scheduler>(
      tree_, catalog_,
      [](analysis::ImageRef, const analysis::Analyzer*, analysis::AnalysisService::Done,
         analysis::AnalysisService::Refused) { throw std::runtime_error("queue refused"); },
      clock_, SchedulerConfig{{"colors", "hash"}, {}, std::chrono::seconds(30), {}});
  put("a.png", png(1));
  auto& first = received();
  auto& second = received();
  EXPECT_NO_THROW(scheduler_->request(sidecar("a.png.colors.json"), record(first)));
  EXPECT_NO_THROW(scheduler_->request(sidecar("a.png.json"), record(second)));
  EXPECT_EQ(first.count, 1);
  EXPECT_EQ(first.last.error, EIO);
  EXPECT_EQ(second.count, 1);
  EXPECT_EQ(second.last.error, EIO);
}

TEST_F(SchedulerTest, CountsHitsPerAnalyzerAndAllForNameJson) {
  scheduler_->count_hit("colors");
  scheduler_->count_hit(cache::kCombinedSidecar);
  auto c = scheduler_->counters();
  EXPECT_EQ(c["colors"].hits, 1u);
  EXPECT_EQ(c["all"].hits, 1u);
}

}  // namespace
}  // namespace visionfs::sidecars
