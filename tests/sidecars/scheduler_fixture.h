#pragma once
// A Scheduler over a real Tree (FakeClock), real analyzers (colors, hash)
// and held jobs: each analysis waits in `jobs_` until the test runs it with
// run_job(), on the test's thread, through the real decode and analyzer. So a
// test can change the image at any point of a computation and see exactly
// which outcome each waiter gets.

#include "analysis/decode/decode.h"
#include "analysis/core/factories.h"
#include "analysis/decode/image_format.h"
#include "analysis/core/pipeline.h"
#include "cache/tree.h"
#include "sidecars/scheduler.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace visionfs::sidecars {

// Counts what one waiter received; the tests check it is exactly one.
struct Received {
  int count = 0;
  Outcome last;
};

class SchedulerTest : public ::testing::Test {
 protected:
  struct Job {
    analysis::ImageRef image;
    const analysis::Analyzer* analyzer;
    analysis::AnalysisService::Done done;
    analysis::AnalysisService::Refused refused;
  };

  SchedulerTest() : budget_(64u << 20), tree_(clock_, budget_, tree_options()) {
    analysis::AnalysisOptions o;
    catalog_.available = {analysis::make_colors_analyzer(o), analysis::make_hash_analyzer(o)};
    scheduler_ = std::make_unique<Scheduler>(
        tree_, catalog_,
        [this](analysis::ImageRef image, const analysis::Analyzer* a, analysis::AnalysisService::Done done,
               analysis::AnalysisService::Refused refused) {
          jobs_.push_back({std::move(image), a, std::move(done), std::move(refused)});
        },
        clock_, SchedulerConfig{{"colors", "hash"}, {"hash"}, std::chrono::seconds(30), {}});
  }

  static cache::TreeOptions tree_options() {
    cache::TreeOptions o;
    o.ttl = std::chrono::seconds(60);
    o.sidecar_analyzers = {"colors", "hash"};
    o.is_image = [](std::span<const std::uint8_t> head) { return analysis::sniff_image_format(head).has_value(); };
    o.sniff_bytes = analysis::kSniffBytes;
    return o;
  }

  // A small PNG whose content depends on `seed`.
  static std::string png(int seed) {
    cv::Mat img(48, 64, CV_8UC3, cv::Scalar(20 * seed % 255, 90, 200));
    cv::circle(img, {32, 24}, 10 + seed % 8, cv::Scalar(255, 255, 255), -1);
    std::vector<uchar> out;
    cv::imencode(".png", img, out);
    return {out.begin(), out.end()};
  }
  static std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
  }

  // Creates (or rewrites) `name` with `content`; leaves it open for writing
  // when `keep_open`.
  cache::NodePtr put(const std::string& name, const std::string& content, bool keep_open = false) {
    cache::Entry e;
    cache::OpenResult o;
    EXPECT_EQ(tree_.create(cache::kRootIno, name, 0644, O_CREAT | O_WRONLY | O_TRUNC, {}, &e, &o), 0);
    EXPECT_EQ(tree_.write(e.node, 0, bytes(content)), 0);
    if (!keep_open) close_writer(e.node, true);
    return e.node;
  }
  void close_writer(const cache::NodePtr& image, bool changed) {
    auto released = tree_.release(image, O_WRONLY);
    if (released.last_writer) scheduler_->image_closed(image, changed);
  }
  cache::NodePtr sidecar(const std::string& name) {
    cache::Entry e;
    EXPECT_EQ(tree_.lookup(cache::kRootIno, name, &e), 0) << name;
    return e.node;
  }

  // A record owned by the fixture, so it outlives every waiter (the
  // scheduler answers what is left when the fixture goes).
  Received& received() { return received_.emplace_back(); }
  // A waiter that records into `r` (which must outlive the delivery).
  static Waiter record(Received& r) {
    return Waiter([&r](const Outcome& o) {
      r.count++;
      r.last = o;
    });
  }

  // Runs the oldest held job through the real decoder and analyzer.
  void run_job() {
    ASSERT_FALSE(jobs_.empty());
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    auto result = analysis::analyze_bytes(*job.analyzer, job.image.bytes, analysis::DecodeLimits{});
    job.done(analysis::to_sidecar_text(result));
  }
  void run_all_jobs() {
    while (!jobs_.empty()) run_job();
  }
  std::string result_text(const Received& r) {
    if (!r.last.sidecar) return {};
    auto result = tree_.sidecar_result(r.last.sidecar);
    return result ? std::string(result->view()) : std::string();
  }

  cache::FakeClock clock_;
  cache::MemoryBudget budget_;
  cache::Tree tree_;
  analysis::AnalyzerCatalog catalog_;
  std::deque<Received> received_;  // before scheduler_: destroyed after it
  std::deque<Job> jobs_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace visionfs::sidecars
