#pragma once
// Helpers shared by the analysis tests: where the real test photos and the
// models are, and reading files into memory.

#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace visionfs::testing {

// Debian's opencv-doc photos (messi5.jpg, squirrel_cls.jpg, imageTextN.png, ...).
inline std::filesystem::path opencv_doc_image(const std::string& name) {
  return std::filesystem::path("/usr/share/doc/opencv-doc/examples/data") / name;
}

// The models directory the build was configured with; empty when none.
inline std::filesystem::path test_models_dir() { return VISIONFS_MODELS_DIR; }

inline bool model_present(const std::string& relative) {
  auto dir = test_models_dir();
  return !dir.empty() && std::filesystem::exists(dir / relative);
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace visionfs::testing
