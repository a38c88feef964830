// POSIX parity: the same sequence of operations (parity_ops.py), including
// failing ones, on the mount and on tmpfs; every step's result or errno must
// match. Steps tmpfs itself cannot do (EOPNOTSUPP there) are skipped.

#include <sys/statfs.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "integration/mount_fixture.h"

namespace visionfs::itest {
namespace {

constexpr long kTmpfsMagic = 0x01021994;

// (step name, result) in the order the script printed them.
std::vector<std::pair<std::string, std::string>> parse_steps(const std::string& out) {
  std::vector<std::pair<std::string, std::string>> steps;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    steps.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return steps;
}

// A reference directory on tmpfs: /dev/shm when it is tmpfs, else /tmp.
std::string make_reference_dir() {
  struct statfs sf {};
  std::string base = "/tmp";
  if (statfs("/dev/shm", &sf) == 0 && static_cast<long>(sf.f_type) == kTmpfsMagic) base = "/dev/shm";
  std::string templ = base + "/visionfs-parity-XXXXXX";
  if (!mkdtemp(templ.data())) return {};
  return templ;
}

class ParityTest : public MountFixture {
 protected:
  MountOptions mount_options() const override { return {{"max_memory=256M", "ttl=1h"}, {}, {}}; }
};

TEST_F(ParityTest, SameResultsAndErrnoAsTmpfs) {
  const std::string script = std::string(VISIONFS_SOURCE_DIR) + "/tests/integration/parity_ops.py";
  const std::string reference = make_reference_dir();
  ASSERT_FALSE(reference.empty());

  auto ref = run(python3() + " " + shell_quote(script) + " " + shell_quote(reference), 120);
  std::filesystem::remove_all(reference);
  ASSERT_TRUE(succeeded(ref));

  ASSERT_TRUE(succeeded(run("mkdir " + qm("parity"))));
  auto got = run(python3() + " " + shell_quote(script) + " " + qm("parity"), 120);
  ASSERT_TRUE(succeeded(got));

  auto want_steps = parse_steps(ref.out);
  auto got_steps = parse_steps(got.out);
  ASSERT_GT(want_steps.size(), 50u) << ref.describe();
  ASSERT_EQ(want_steps.size(), got_steps.size()) << got.describe();

  std::ostringstream diffs;
  int differing = 0;
  for (size_t i = 0; i < want_steps.size(); ++i) {
    const auto& [name, want] = want_steps[i];
    ASSERT_EQ(name, got_steps[i].first);
    ASSERT_EQ(want.find("EXCEPTION"), std::string::npos) << "script bug on tmpfs: " << name << ": " << want;
    if (want == "EOPNOTSUPP") {
      std::cout << "[ skipped  ] tmpfs cannot do: " << name << "\n";
      continue;
    }
    if (want != got_steps[i].second) {
      ++differing;
      diffs << "  step \"" << name << "\"\n    tmpfs:    " << want.substr(0, 300)
            << "\n    visionfs: " << got_steps[i].second.substr(0, 300) << "\n";
    }
  }
  EXPECT_EQ(differing, 0) << differing << " step(s) differ from tmpfs:\n" << diffs.str();
}

}  // namespace
}  // namespace visionfs::itest
