// Every way an image can go away or change while requests wait on one of its
// sidecars, at each stage of the computation, for a per-analyzer sidecar and
// for NAME.json: each waiter gets exactly one outcome, the documented one.

#include "sidecars/scheduler_fixture.h"

#include <nlohmann/json.hpp>

#include <tuple>

namespace visionfs::sidecars {
namespace {

enum class Change { kRemoved, kExpired, kRenamed, kRewritten, kTruncated, kAppended };
enum class Stage { kParkedForAWriter, kWhileAnalysing };
enum class Kind { kOneAnalyzer, kNameJson };

std::string name_of(Change c) {
  switch (c) {
    case Change::kRemoved: return "Removed";
    case Change::kExpired: return "Expired";
    case Change::kRenamed: return "Renamed";
    case Change::kRewritten: return "Rewritten";
    case Change::kTruncated: return "Truncated";
    case Change::kAppended: return "Appended";
  }
  return "?";
}

using Case = std::tuple<Change, Stage, Kind>;

std::string case_name(const ::testing::TestParamInfo<Case>& param) {
  Change change = std::get<0>(param.param);
  Stage stage = std::get<1>(param.param);
  Kind kind = std::get<2>(param.param);
  return name_of(change) + (stage == Stage::kParkedForAWriter ? "_Parked" : "_Analysing") +
         (kind == Kind::kNameJson ? "_NameJson" : "_Colors");
}

class SchedulerStates : public SchedulerTest, public ::testing::WithParamInterface<Case> {
 protected:
  void apply(Change change, const cache::NodePtr& image) {
    cache::SetAttr truncate;
    truncate.size = 0;
    struct stat st {};
    std::string more = "appended";
    switch (change) {
      case Change::kRemoved:
        ASSERT_EQ(tree_.unlink(cache::kRootIno, "a.png"), 0);
        break;
      case Change::kExpired:
        clock_.advance(std::chrono::seconds(61));
        ASSERT_FALSE(tree_.expired(clock_.now()).empty());
        ASSERT_EQ(tree_.evict({tree_.expired(clock_.now()).front().ino, tree_.expired(clock_.now()).front().changed}), 0);
        break;
      case Change::kRenamed:
        ASSERT_EQ(tree_.rename(cache::kRootIno, "a.png", cache::kRootIno, "b.png", 0), 0);
        break;
      case Change::kRewritten:
        ASSERT_EQ(tree_.write(image, 0, bytes(png(7))), 0);
        break;
      case Change::kTruncated:
        ASSERT_EQ(tree_.setattr(image->ino, truncate, {}, &st), 0);
        break;
      case Change::kAppended:
        ASSERT_EQ(tree_.write(image, static_cast<off_t>(image->content->size()), bytes(more)), 0);
        break;
    }
  }

  // What a waiter must get: a result, or the errno the scheduler documents.
  static int expected_error(Change change, Stage stage) {
    if (stage == Stage::kWhileAnalysing) return 0;  // finishes on the bytes it started with
    switch (change) {
      case Change::kRemoved:
      case Change::kExpired: return ENOENT;
      case Change::kRenamed: return 0;
      default: return ESTALE;
    }
  }
};

TEST_P(SchedulerStates, EveryWaiterGetsExactlyTheDocumentedOutcome) {
  auto [change, stage, kind] = GetParam();
  bool parked = stage == Stage::kParkedForAWriter;
  auto image = put("a.png", png(1), /*keep_open=*/parked);
  run_all_jobs();  // nothing precomputed is left pending
  auto target = sidecar(kind == Kind::kNameJson ? "a.png.json" : "a.png.colors.json");
  auto& stat_waiter = received();
  auto& open_waiter = received();
  auto& late_waiter = received();
  scheduler_->request(target, record(stat_waiter));
  scheduler_->request(target, record(open_waiter));
  EXPECT_EQ(jobs_.empty(), parked);

  apply(change, image);
  scheduler_->request(target, record(late_waiter));  // a request that comes after the change
  if (parked) close_writer(image, true);
  run_all_jobs();
  // Nothing is left waiting, even with every timer run.
  clock_.advance(std::chrono::hours(1));
  scheduler_->expire_parked();
  scheduler_->shutdown();

  int want = expected_error(change, stage);
  for (auto* r : {&stat_waiter, &open_waiter, &late_waiter}) {
    ASSERT_EQ(r->count, 1) << "each waiter gets exactly one outcome";
    EXPECT_EQ(r->last.error, want) << std::strerror(r->last.error);
    if (want == 0) {
      auto text = result_text(*r);
      ASSERT_FALSE(text.empty());
      EXPECT_EQ(r->last.attr.st_size, static_cast<off_t>(text.size()));
      auto json = nlohmann::json::parse(text);
      EXPECT_FALSE(json.contains("error")) << text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllChanges, SchedulerStates,
    ::testing::Combine(::testing::Values(Change::kRemoved, Change::kExpired, Change::kRenamed, Change::kRewritten,
                                         Change::kTruncated, Change::kAppended),
                       ::testing::Values(Stage::kParkedForAWriter, Stage::kWhileAnalysing),
                       ::testing::Values(Kind::kOneAnalyzer, Kind::kNameJson)),
    case_name);

// A NAME.json never mixes versions: the parts it composes are those of the
// version its inode belongs to, even when the image is rewritten between its
// parts' computations.
TEST_F(SchedulerTest, NameJsonComposesOnlyItsOwnVersionsParts) {
  auto image = put("a.png", png(1));
  run_all_jobs();
  std::string old_colors = [&] {
    auto& r = received();
    scheduler_->request(sidecar("a.png.colors.json"), record(r));
    run_all_jobs();
    return result_text(r);
  }();
  auto& combined = received();
  scheduler_->request(sidecar("a.png.json"), record(combined));
  EXPECT_TRUE(jobs_.empty()) << "its one part of this version was computed already";
  ASSERT_EQ(combined.count, 1);
  const auto colors_of = [](const std::string& name_json) {
    return nlohmann::json::parse(name_json)["imagePropertiesAnnotation"]["dominantColors"]["colors"][0]["color"];
  };
  EXPECT_EQ(colors_of(result_text(combined)),
            nlohmann::json::parse(old_colors)["dominantColors"]["colors"][0]["color"]);

  // New version: its NAME.json is a new inode and gets new parts.
  ASSERT_EQ(tree_.write(image, 0, bytes(png(5))), 0);
  auto& fresh = received();
  scheduler_->request(sidecar("a.png.json"), record(fresh));
  run_all_jobs();
  ASSERT_EQ(fresh.count, 1);
  EXPECT_NE(fresh.last.sidecar->ino, combined.last.sidecar->ino);
  EXPECT_NE(colors_of(result_text(fresh)), colors_of(result_text(combined)));
}

}  // namespace
}  // namespace visionfs::sidecars
