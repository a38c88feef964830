#pragma once
// Helpers for the faces, text and codes tests: photos loaded with
// cv::imread into a DecodedImage (tests may read files; the daemon decodes
// from memory), running an analyzer on them, a scratch directory for the
// images the qrencode and zint commands write, and printing a sidecar
// example on request.

#include "analysis/core/analyzer.h"
#include "analysis/decode/decoded_image.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sys/wait.h>
#include <memory>
#include <stdexcept>
#include <string>

namespace visionfs::testing {

inline std::unique_ptr<analysis::DecodedImage> decoded_from(const cv::Mat& bgr, const std::string& format = "png") {
  auto image = std::make_unique<analysis::DecodedImage>();
  image->pixels = bgr;
  image->format = format;
  image->width = image->stored_width = bgr.cols;
  image->height = image->stored_height = bgr.rows;
  image->channels = 3;
  return image;
}

inline cv::Mat read_bgr(const std::filesystem::path& path) {
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  EXPECT_FALSE(bgr.empty()) << "cannot read " << path;
  return bgr;
}

inline nlohmann::json run_on(const analysis::Analyzer& analyzer, const cv::Mat& bgr) {
  auto image = decoded_from(bgr);
  analysis::AnalysisInput input{{}, *image};
  return analyzer.analyze(input);
}

// Prints `result` when VISIONFS_PRINT_EXAMPLES is set: how the examples in
// docs/analyzers/*.md were produced.
inline void maybe_print_example(const std::string& title, const nlohmann::json& result) {
  if (std::getenv("VISIONFS_PRINT_EXAMPLES") != nullptr) {
    std::printf("---- %s ----\n%s\n", title.c_str(), result.dump(2).c_str());
  }
}

// A fresh directory under the system temp dir, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "visionfs-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command; returns its exit status (-1 when it cannot start).
inline int run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline bool have_command(const std::string& name) {
  return run_command("command -v " + name + " >/dev/null") == 0;
}

}  // namespace visionfs::testing
