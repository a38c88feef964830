// scripts/install-models.sh, run the way a user runs it, into scratch
// directories: a good copy installs, a corrupted file is refused, partial
// sets install what they have, and a second run changes nothing.

#include "engine_test_util.h"
#include "model_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>

namespace visionfs::testing {
namespace {

namespace fs = std::filesystem;

struct ScriptRun {
  int status = -1;
  std::string output;  // stdout and stderr together
};

ScriptRun install(const fs::path& from, const fs::path& to) {
  const std::string command = "'" VISIONFS_SOURCE_DIR "/scripts/install-models.sh' '" + from.string() + "' '" +
                              to.string() + "' 2>&1";
  ScriptRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.output += buffer.data();
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Every file the checksum list names.
std::vector<std::string> listed_files() {
  std::ifstream in(VISIONFS_SOURCE_DIR "/scripts/models.sha256");
  std::vector<std::string> files;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    files.push_back(line.substr(line.find("  ") + 2));
  }
  return files;
}

void copy_model(const fs::path& to_dir, const std::string& relative) {
  fs::create_directories((to_dir / relative).parent_path());
  fs::copy_file(test_models_dir() / relative, to_dir / relative);
}

class InstallModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test_models_dir().empty() || !fs::is_directory(test_models_dir())) {
      GTEST_SKIP() << "no models directory configured (VISIONFS_TEST_MODELS_DIR)";
    }
  }
  ScratchDir scratch_;
};

TEST_F(InstallModelsTest, ChecksumListMatchesTheStagedModels) {
  const auto files = listed_files();
  EXPECT_EQ(files.size(), 15u);
  // The staged directory's own list must agree with the committed one.
  std::ifstream staged(test_models_dir() / "SHA256SUMS");
  std::ifstream committed(VISIONFS_SOURCE_DIR "/scripts/models.sha256");
  std::vector<std::string> a, b;
  for (std::string line; std::getline(staged, line);) a.push_back(line);
  for (std::string line; std::getline(committed, line);) {
    if (!line.empty() && line[0] != '#') b.push_back(line);
  }
  EXPECT_EQ(a, b);
}

TEST_F(InstallModelsTest, GoodCopyInstallsEverythingAndIsIdempotent) {
  const fs::path dest = scratch_.path() / "models";
  const ScriptRun first = install(test_models_dir(), dest);
  EXPECT_EQ(first.status, 0) << first.output;
  for (const auto& relative : listed_files()) {
    if (!fs::exists(test_models_dir() / relative)) continue;
    ASSERT_TRUE(fs::exists(dest / relative)) << relative;
    EXPECT_EQ(fs::file_size(dest / relative), fs::file_size(test_models_dir() / relative)) << relative;
  }
  const auto written = fs::last_write_time(dest / "objects/yolox_nano.onnx");
  const ScriptRun second = install(test_models_dir(), dest);
  EXPECT_EQ(second.status, 0) << second.output;
  EXPECT_NE(second.output.find("0 installed"), std::string::npos) << second.output;
  EXPECT_EQ(fs::last_write_time(dest / "objects/yolox_nano.onnx"), written);
  // Nothing but the listed files: no temporary copies left beside them.
  const auto files = listed_files();
  for (const auto& entry : fs::recursive_directory_iterator(dest)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), dest).string();
    EXPECT_NE(std::find(files.begin(), files.end(), relative), files.end()) << relative;
  }
}

TEST_F(InstallModelsTest, CorruptedFileIsRefusedAndNotInstalled) {
  const fs::path source = scratch_.path() / "source";
  copy_model(source, "objects/coco80.names");
  copy_model(source, "nsfw/nsfw5.names");
  {
    // One flipped byte.
    std::fstream f(source / "objects/coco80.names", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('X');
  }
  const fs::path dest = scratch_.path() / "dest";
  const ScriptRun run = install(source, dest);
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("REFUSED objects/coco80.names: checksum mismatch"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dest / "objects/coco80.names"));
  // The good file beside it still installs.
  EXPECT_TRUE(fs::exists(dest / "nsfw/nsfw5.names"));
}

TEST_F(InstallModelsTest, PartialSetInstallsWithAWarning) {
  const fs::path source = scratch_.path() / "source";
  copy_model(source, "face/face_detection_yunet_2023mar.onnx");
  const fs::path dest = scratch_.path() / "dest";
  const ScriptRun run = install(source, dest);
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("warning: objects/yolox_nano.onnx not in"), std::string::npos) << run.output;
  EXPECT_TRUE(fs::exists(dest / "face/face_detection_yunet_2023mar.onnx"));
}

TEST_F(InstallModelsTest, ReplacesADamagedInstalledFile) {
  const fs::path dest = scratch_.path() / "dest";
  fs::create_directories(dest / "nsfw");
  std::ofstream(dest / "nsfw/nsfw5.names") << "Drawing\n";  // truncated
  const fs::path source = scratch_.path() / "source";
  copy_model(source, "nsfw/nsfw5.names");
  const ScriptRun run = install(source, dest);
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(fs::file_size(dest / "nsfw/nsfw5.names"), fs::file_size(test_models_dir() / "nsfw/nsfw5.names"));
}

TEST_F(InstallModelsTest, DirectoryWithoutModelsFails) {
  fs::create_directories(scratch_.path() / "empty");
  const ScriptRun run = install(scratch_.path() / "empty", scratch_.path() / "dest");
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("no model files found"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace visionfs::testing
