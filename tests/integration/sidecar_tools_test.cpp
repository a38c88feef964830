// Ordinary tools reading sidecars nobody has read before: the regression
// test for fuse-lessons.md section 1. A tool that trusts st_size (rsync, tar,
// mmap) fails or pads when a computed file's size is late or estimated; one
// that reads to EOF (cat) does not. Every tool must see exactly the bytes a
// later, warm `cat` sees, and `stat -c %s` must equal that length.
//
// Each test gets a fresh mount, so every sidecar is cold when the tool opens
// it. Two images, read in opposite orders: a.jpg's per-analyzer sidecars
// first and a.jpg.json last, b.jpg's combined b.jpg.json first (it computes
// every analysis while the combined file's lookup waits). The "AfterLs"
// variants list the directory first, so the kernel has seen readdirplus
// entries for sidecars that are not computed yet. Every case runs in both
// size modes (sizes=lazy, the default, and sizes=exact). GNU tar takes a
// file's size from its lstat before opening it: with lazy sizes it archives
// a never-read sidecar as an empty member, as the README says; that is
// checked too.

#include <map>
#include <sstream>
#include <tuple>

#include "integration/sidecar_support.h"

namespace visionfs::itest {
namespace {

const char* const kJsonLoad =
    "import json, sys\n"
    "with open(sys.argv[1]) as f:\n"
    "    obj = json.load(f)\n"
    "print(json.dumps(obj, sort_keys=True, indent=1))\n";

const char* const kMmapRead =
    "import mmap, os, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:\n"
    "        data = mm[:]\n"
    "sys.stdout.buffer.write(data)\n";

// A tool either reads one file at a time ({IN} -> {OUT}; the expected output
// is the same tool run on the warm copy) or copies a batch ({INS} into
// {OUTDIR}; the expected output is the warm copy itself).
struct Tool {
  std::string per_file;
  std::string batch;
};

std::map<std::string, Tool> tools() {
  const std::string py = python3();
  return {
      {"cat", {"cat {IN} > {OUT}", ""}},
      {"jq", {"jq . {IN} > {OUT}", ""}},
      {"cp", {"", "cp {INS} {OUTDIR}/"}},
      {"cp_a", {"", "cp -a {INS} {OUTDIR}/"}},
      {"rsync", {"", "rsync -a {INS} {OUTDIR}/"}},
      {"tar",
       {"",
        "tar -C {MNT} -cf {SCRATCH}/archive.tar d && mkdir {SCRATCH}/x && tar -C {SCRATCH}/x -xf "
        "{SCRATCH}/archive.tar && cp {SCRATCH}/x/d/*.json {OUTDIR}/ && cmp {SCRATCH}/x/d/a.jpg {A_SRC} && "
        "cmp {SCRATCH}/x/d/b.jpg {B_SRC}"}},
      {"json_load", {py + " -c " + shell_quote(kJsonLoad) + " {IN} > {OUT}", ""}},
      {"grep", {"grep '' {IN} > {OUT}", ""}},
      {"head", {"head -c 100 {IN} > {OUT}", ""}},
      {"mmap", {py + " -c " + shell_quote(kMmapRead) + " {IN} > {OUT}", ""}},
      // What Nautilus's copy does (GIO, libglib2.0-bin).
      {"gio_copy", {"gio copy {IN} {OUT}", ""}},
  };
}

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string token = "{" + key + "}";
    for (size_t pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos + value.size()))
      text.replace(pos, token.size(), value);
  }
  return text;
}

class SidecarToolsTest : public SidecarFixture,
                         public ::testing::WithParamInterface<std::tuple<std::string, bool, bool>> {
 protected:
  std::vector<std::string> extra_options() const override {
    return {std::get<2>(GetParam()) ? "sizes=exact" : "sizes=lazy"};
  }
};

TEST_P(SidecarToolsTest, ColdSidecarsReadExactlyAsWarmOnes) {
  const auto& [tool_name, list_first, exact_sizes] = GetParam();
  // tar never opens a file whose lstat says 0 bytes.
  const bool archived_empty = tool_name == "tar" && !exact_sizes;
  const Tool tool = tools().at(tool_name);
  ASSERT_TRUE(succeeded(run("mkdir " + qm("d") + " " + qs("cold") + " " + qs("warm") + " " + qs("expected"))));
  put("messi5.jpg", "d/a.jpg");
  put("squirrel_cls.jpg", "d/b.jpg");
  const auto analyzers = available_analyzers();
  ASSERT_FALSE(analyzers.empty());

  // a.jpg: per-analyzer sidecars, then the combined one; b.jpg: the reverse.
  std::vector<std::string> order;
  for (const auto& a : analyzers) order.push_back("a.jpg." + a + ".json");
  order.push_back("a.jpg.json");
  order.push_back("b.jpg.json");
  for (const auto& a : analyzers) order.push_back("b.jpg." + a + ".json");

  if (list_first) {
    ASSERT_TRUE(succeeded(run("ls -a " + qm("d") + " > /dev/null && ls " + qm("d") + " > /dev/null")));
    auto names = list("d");
    for (const auto& n : order)
      EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n << " not listed";
    auto st = stats();
    for (const auto& a : analyzers) EXPECT_EQ(stat_of(st, a), 0u) << "listing ran " << a;
  }

  // The cold read, by the tool under test.
  const std::map<std::string, std::string> where = {
      {"MNT", shell_quote(mnt())},           {"SCRATCH", shell_quote(scratch())},
      {"OUTDIR", qs("cold")},                {"A_SRC", shell_quote(sample_image("messi5.jpg"))},
      {"B_SRC", shell_quote(sample_image("squirrel_cls.jpg"))}};
  if (!tool.per_file.empty()) {
    std::string script = "set -e\n";
    for (const auto& n : order) {
      auto values = where;
      values["IN"] = qm("d/" + n);
      values["OUT"] = qs("cold/" + n);
      script += fill(tool.per_file, values) + "\n";
    }
    ASSERT_TRUE(succeeded(run(script, 300)));
  } else {
    auto values = where;
    std::string ins;
    for (const auto& n : order) ins += qm("d/" + n) + " ";
    values["INS"] = ins;
    ASSERT_TRUE(succeeded(run(fill(tool.batch, values), 300)));
  }

  // The warm read, by cat, and what the tool makes of those bytes.
  for (const auto& n : order) {
    SCOPED_TRACE(tool_name + " " + n);
    ASSERT_TRUE(succeeded(run("cat " + qm("d/" + n) + " > " + qs("warm/" + n))));
    const std::string warm = read_local_file(s("warm/" + n));
    ASSERT_FALSE(warm.empty());
    EXPECT_EQ(warm.find('\0'), std::string::npos) << "NUL bytes: padding?";
    EXPECT_EQ(warm.substr(warm.size() - 2), "}\n");
    auto doc = parse_or_fail(warm, n);
    if (n.ends_with(".jpg.json")) {
      EXPECT_TRUE(doc.is_object() && doc.contains("imagePropertiesAnnotation") && !doc.contains("error"))
          << warm.substr(0, 500);
    } else {
      EXPECT_TRUE(doc.is_object() && doc.contains("analyzer") && !doc.contains("error")) << warm.substr(0, 500);
    }

    std::string expected_path = s("warm/" + n);
    if (!tool.per_file.empty()) {
      auto values = where;
      values["IN"] = qs("warm/" + n);
      values["OUT"] = qs("expected/" + n);
      ASSERT_TRUE(succeeded(run(fill(tool.per_file, values))));
      expected_path = s("expected/" + n);
    }
    if (archived_empty) {
      EXPECT_EQ(read_local_file(s("cold/" + n)), "") << "tar with lazy sizes archives an unread sidecar empty";
      continue;
    }
    EXPECT_TRUE(same_bytes(expected_path, s("cold/" + n)));

    auto size = run("stat -c %s " + qm("d/" + n));
    ASSERT_TRUE(succeeded(size));
    EXPECT_EQ(size.out, std::to_string(warm.size()) + "\n");
    const std::string cold = read_local_file(s("cold/" + n));
    if (tool_name == "head") {
      EXPECT_EQ(cold.size(), std::min<size_t>(100, warm.size()));
    } else if (tool_name != "jq" && tool_name != "json_load") {
      EXPECT_EQ(cold.size(), warm.size()) << "bytes read differ from the size";
    }
  }

  // Nothing was analysed twice: every sidecar came from one run per image.
  auto st = stats();
  for (const auto& a : analyzers) {
    EXPECT_EQ(stat_of(st, a), 2u) << a << " runs for 2 images: " << st["analyses"][a].dump();
  }
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<std::string, bool, bool>>& info) {
  return std::get<0>(info.param) + (std::get<1>(info.param) ? "AfterLs" : "") +
         (std::get<2>(info.param) ? "Exact" : "Lazy");
}

INSTANTIATE_TEST_SUITE_P(Tools, SidecarToolsTest,
                         ::testing::Combine(::testing::Values("cat", "jq", "cp", "cp_a", "rsync", "tar", "json_load",
                                                              "grep", "head", "mmap", "gio_copy"),
                                            ::testing::Bool(), ::testing::Bool()),
                         case_name);

// sizes=exact: stat before anything else gives a never-read sidecar's real
// length, and a reader then gets exactly that many bytes.
class SidecarStatFirstTest : public SidecarFixture {
 protected:
  std::vector<std::string> extra_options() const override { return {"sizes=exact"}; }
};

TEST_F(SidecarStatFirstTest, StatOfAColdSidecarIsItsLength) {
  put("messi5.jpg", "a.jpg");
  std::vector<std::string> names = sidecar_names("a.jpg", available_analyzers());
  for (const auto& n : names) {
    SCOPED_TRACE(n);
    auto size = run("stat -c %s " + qm(n), 120);
    ASSERT_TRUE(succeeded(size));
    auto bytes = run("wc -c < " + qm(n));
    ASSERT_TRUE(succeeded(bytes));
    EXPECT_EQ(std::stoull(size.out), std::stoull(bytes.out));
    EXPECT_GT(std::stoull(size.out), 0u);
  }
  // ls -l sees the same sizes as stat did.
  auto listing = run("cd " + qm("") + " && stat -c '%n %s' a.jpg.* | sort");
  auto again = run("cd " + qm("") + " && for f in a.jpg.*; do printf '%s %s\\n' \"$f\" $(wc -c < \"$f\"); done | sort");
  ASSERT_TRUE(succeeded(listing));
  ASSERT_TRUE(succeeded(again));
  EXPECT_EQ(listing.out, again.out);
}

// sizes=lazy (the default): nothing that only looks at names and sizes
// starts an analysis; a sidecar is 0 bytes until it is opened, then exact.
class SidecarLazySizesTest : public SidecarFixture {
 protected:
  bool with_models() const override { return false; }
};

TEST_F(SidecarLazySizesTest, ListingsAndStatsComputeNothingAndOpeningComputesOnce) {
  put("messi5.jpg", "a.jpg");
  put("squirrel_cls.jpg", "b.jpg");
  const std::string dir = shell_quote(mnt());
  for (const std::string& cmd : {"ls -l " + dir, "ls -lR " + dir, "find " + dir + " -size +0", "du -a " + dir,
                                 "stat " + qm("a.jpg.json") + " " + qm("b.jpg.meta.json"),
                                 // Names only on the image: reading its user.xdg.* values computes them.
                                 "getfattr " + qm("a.jpg") + " && getfattr -d " + qm("a.jpg.json"), "df " + dir,
                                 // What a GTK file chooser or Nautilus asks of each entry.
                                 "gio list -a standard::size,standard::content-type,standard::is-hidden " + dir,
                                 "test -r " + qm("a.jpg.colors.json")}) {
    auto r = run(cmd);
    EXPECT_TRUE(r.status == 0 || cmd.starts_with("getfattr")) << r.describe();
  }
  auto st = stats();
  for (const auto& a : available_analyzers()) {
    EXPECT_EQ(stat_of(st, a, "computed"), 0u) << a << " computed by a listing or a stat";
    EXPECT_EQ(stat_of(st, a), 0u) << a;
  }
  EXPECT_EQ(run("stat -c %s " + qm("a.jpg.meta.json")).out, "0\n");
  EXPECT_EQ(run("find " + dir + " -maxdepth 1 -name '*.jpg*.json' -size +0").out, "") << "du and find see 0 until read";

  // Opening computes it; from then on stat has the exact size.
  const std::string text = cat("a.jpg.meta.json");
  EXPECT_EQ(parse_or_fail(text, "a.jpg.meta.json").value("width", 0), 548);
  EXPECT_EQ(run("stat -c %s " + qm("a.jpg.meta.json")).out, std::to_string(text.size()) + "\n");
  EXPECT_EQ(stat_of(stats(), "meta", "computed"), 1u);
}

}  // namespace
}  // namespace visionfs::itest
