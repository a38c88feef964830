#include "fs/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace visionfs::fs {
namespace {

using std::chrono::milliseconds;

struct Argv {
  explicit Argv(std::vector<std::string> args) : storage(std::move(args)) {
    for (auto& a : storage) pointers.push_back(a.data());
    pointers.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(storage.size()); }
  char** argv() { return pointers.data(); }
  std::vector<std::string> storage;
  std::vector<char*> pointers;
};

bool has_arg(const Options& o, const std::string& arg) {
  for (int i = 0; i < o.fuse.argc; ++i) {
    if (std::string(o.fuse.argv[i]).find(arg) != std::string::npos) return true;
  }
  return false;
}

TEST(ParseSize, UnitsAndErrors) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("4K"), 4096u);
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_size("1T"), 1ull << 40);
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("-1M"));
  EXPECT_FALSE(parse_size("12X"));
  EXPECT_FALSE(parse_size("M"));
  EXPECT_FALSE(parse_size("99999999999999999999T"));
}

TEST(ParseDuration, UnitsAndErrors) {
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("30"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("10m"), milliseconds(600'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_FALSE(parse_duration("banana"));
  EXPECT_FALSE(parse_duration("5y"));
  EXPECT_FALSE(parse_duration("0s"));
  EXPECT_FALSE(parse_duration("-3s"));
}

TEST(SplitList, ColonsPlusesAndEmptyItems) {
  EXPECT_EQ(split_list("faces:text"), (std::vector<std::string>{"faces", "text"}));
  EXPECT_EQ(split_list("faces+hash"), (std::vector<std::string>{"faces", "hash"}));
  EXPECT_EQ(split_list("::meta:"), (std::vector<std::string>{"meta"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(ParseOptions, OurOptionsAreTakenAndLibfuseKeepsTheRest) {
  Argv a({"visionfs", "-f", "-o", "ttl=2h,max_memory=64M,analyzers=faces:meta,precompute=all,ro", "/tmp"});
  Options o;
  std::string error;
  ASSERT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
  EXPECT_EQ(o.mountpoint, "/tmp");
  EXPECT_TRUE(o.foreground);
  EXPECT_EQ(o.ttl, std::chrono::hours(2));
  EXPECT_EQ(o.max_memory, 64ull << 20);
  ASSERT_TRUE(o.analyzers);
  EXPECT_EQ(*o.analyzers, (std::vector<std::string>{"faces", "meta"}));
  EXPECT_TRUE(o.precompute_all);
  EXPECT_TRUE(has_arg(o, "ro"));
  EXPECT_FALSE(has_arg(o, "ttl="));
  EXPECT_FALSE(has_arg(o, "auto_unmount")) << "fail closed: a killed daemon leaves a dead mount, not a directory";
}

TEST(ParseOptions, MountFuse3SourceArgumentIsIgnored) {
  Argv a({"visionfs", "none", "/tmp", "-o", "rw,ttl=5m"});
  Options o;
  std::string error;
  ASSERT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
  EXPECT_EQ(o.mountpoint, "/tmp");
  EXPECT_EQ(o.ttl, std::chrono::minutes(5));
}

TEST(ParseOptions, AllowOtherImpliesDefaultPermissions) {
  Argv a({"visionfs", "-o", "allow_other", "/tmp"});
  Options o;
  std::string error;
  ASSERT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
  EXPECT_TRUE(o.allow_other);
  EXPECT_TRUE(has_arg(o, "allow_other"));
  EXPECT_TRUE(has_arg(o, "default_permissions"));
}

TEST(ParseOptions, DefaultsAreSensible) {
  Argv a({"visionfs", "/tmp"});
  Options o;
  std::string error;
  ASSERT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
  EXPECT_EQ(o.ttl, std::chrono::hours(1));
  EXPECT_GE(o.max_memory, 1ull << 20);
  EXPECT_FALSE(o.analyzers);
  EXPECT_TRUE(o.precompute.empty());
  EXPECT_FALSE(o.precompute_all);
  EXPECT_FALSE(o.foreground);
  EXPECT_FALSE(has_arg(o, "default_permissions"));
}

TEST(ParseOptions, BadValuesAreClearErrors) {
  for (const std::string bad : {"ttl=banana", "max_memory=lots", "min_score=2", "workers=0", "max_pixels=0",
                                "listed=json:nonsense", "log_level=loud"}) {
    Argv a({"visionfs", "-o", bad, "/tmp"});
    Options o;
    std::string error;
    EXPECT_FALSE(parse_options(a.argc(), a.argv(), &o, &error)) << bad;
    EXPECT_NE(error.find(bad.substr(0, bad.find('='))), std::string::npos) << error;
  }
}

// fuse splits -o at commas, so "analyzers=faces,text" leaves "text" alone;
// libfuse would only say "unknown option(s): `-o text'".
TEST(ParseOptions, ACommaInsideAListGetsAHint) {
  for (const std::string bad : {"analyzers=faces,text", "precompute=faces,labels", "listed=json,xmp"}) {
    Argv a({"visionfs", "-o", bad, "/tmp"});
    Options o;
    std::string error;
    EXPECT_FALSE(parse_options(a.argc(), a.argv(), &o, &error)) << bad;
    EXPECT_NE(error.find("':'-separated"), std::string::npos) << error;
    EXPECT_NE(error.find(bad.substr(bad.find(',') + 1)), std::string::npos) << error;
  }
}

TEST(ParseOptions, ListedKinds) {
  auto listed = [](const std::string& value) {
    Argv a({"visionfs", "-o", "listed=" + value, "/tmp"});
    Options o;
    std::string error;
    EXPECT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
    return o.listed;
  };
  EXPECT_EQ(listed("all"), std::vector<std::string>{"*"});
  EXPECT_EQ(listed("none"), std::vector<std::string>{});
  EXPECT_EQ(listed("json:faces"), (std::vector<std::string>{"", "faces"}));
  EXPECT_EQ(listed("xmp:annotated"), (std::vector<std::string>{"xmp", "annotated"}));
}

TEST(ParseOptions, MissingMountpointOrTooManyArguments) {
  std::string error;
  {
    Argv a({"visionfs", "-o", "ttl=1h"});
    Options o;
    EXPECT_FALSE(parse_options(a.argc(), a.argv(), &o, &error));
    EXPECT_NE(error.find("mountpoint"), std::string::npos);
  }
  {
    Argv a({"visionfs", "a", "b", "/tmp"});
    Options o;
    EXPECT_FALSE(parse_options(a.argc(), a.argv(), &o, &error));
  }
}

TEST(ParseOptions, HelpAndVersionNeedNoMountpoint) {
  std::string error;
  Argv h({"visionfs", "--help"});
  Options oh;
  ASSERT_TRUE(parse_options(h.argc(), h.argv(), &oh, &error)) << error;
  EXPECT_TRUE(oh.show_help);
  Argv v({"visionfs", "--version"});
  Options ov;
  ASSERT_TRUE(parse_options(v.argc(), v.argv(), &ov, &error)) << error;
  EXPECT_TRUE(ov.show_version);
}

TEST(ParseOptions, AutoUnmountIsTheUsersChoice) {
  Argv a({"visionfs", "-o", "auto_unmount", "/tmp"});
  Options o;
  std::string error;
  ASSERT_TRUE(parse_options(a.argc(), a.argv(), &o, &error)) << error;
  EXPECT_TRUE(has_arg(o, "auto_unmount"));
}

}  // namespace
}  // namespace visionfs::fs
