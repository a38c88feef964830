#include "analysis/core/model_files.h"

#include "analysis/core/analyzer.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string_view>
#include <system_error>

namespace visionfs::analysis {

namespace {

struct KnownModelFile {
  std::string_view relative;
  std::uintmax_t bytes;
};

// Sizes of the files listed in scripts/models.sha256 (docs/models.md). A
// different size means a truncated or foreign file; install-models.sh would
// have refused it, so it was copied by hand.
constexpr std::array<KnownModelFile, 15> kKnownFiles = {{
    {"face/face_detection_yunet_2021_120x160.onnx", 346295},
    {"face/face_detection_yunet_2023mar.onnx", 232589},
    {"objects/yolox_nano.onnx", 3660092},
    {"objects/coco80.names", 621},
    {"classify/mobilenetv2-12-int8.onnx", 3655033},
    {"classify/imagenet1000.names", 21675},
    {"nsfw/nsfwjs_mobilenet_v2_224.onnx", 10289342},
    {"nsfw/nsfw5.names", 33},
    {"text/en_PP-OCRv3_det_cv46.onnx", 2430990},
    {"text/en_number_mobile_v2.0_rec_cv46.onnx", 1856137},
    {"text/en_dict.txt", 190},
    {"wechat_qrcode/detect.prototxt", 42656},
    {"wechat_qrcode/detect.caffemodel", 965430},
    {"wechat_qrcode/sr.prototxt", 5984},
    {"wechat_qrcode/sr.caffemodel", 23929},
}};

bool is_set(const char* value) { return value != nullptr && *value != '\0'; }

}  // namespace

std::filesystem::path resolve_models_dir(const std::string& option_value, const char* visionfs_models,
                                         const char* xdg_data_home, const char* home) {
  if (!option_value.empty()) return option_value;
  if (is_set(visionfs_models)) return visionfs_models;
  // The XDG spec says a relative $XDG_DATA_HOME is invalid and must be ignored.
  if (is_set(xdg_data_home) && std::filesystem::path(xdg_data_home).is_absolute()) {
    return std::filesystem::path(xdg_data_home) / "visionfs" / "models";
  }
  if (is_set(home)) return std::filesystem::path(home) / ".local" / "share" / "visionfs" / "models";
  // No home at all (a bare service environment): no models.
  return {};
}

std::filesystem::path resolve_models_dir(const std::string& option_value) {
  return resolve_models_dir(option_value, std::getenv("VISIONFS_MODELS"), std::getenv("XDG_DATA_HOME"),
                            std::getenv("HOME"));
}

namespace {

// How to install into the directory this daemon reads: install-models.sh
// finds the default itself, any other needs --dest.
std::string install_hint(const std::filesystem::path& models_dir) {
  if (models_dir.empty() || models_dir == resolve_models_dir("")) return " (run scripts/install-models.sh)";
  return " (run scripts/install-models.sh --dest '" + models_dir.string() + "')";
}

}  // namespace

std::filesystem::path require_model_file(const AnalysisOptions& options, const std::string& relative) {
  const std::string hint = install_hint(options.models_dir);
  if (options.models_dir.empty()) throw AnalyzerUnavailable("model not installed: " + relative + hint);
  const auto path = options.models_dir / relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw AnalyzerUnavailable("model not installed: " + relative + hint);
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw AnalyzerUnavailable("model not readable: " + relative + ": " + ec.message());
  for (const auto& known : kKnownFiles) {
    if (known.relative == relative && known.bytes != size) {
      throw AnalyzerUnavailable("model file damaged: " + relative + " is " + std::to_string(size) +
                                " bytes, expected " + std::to_string(known.bytes) + hint);
    }
  }
  if (size == 0) throw AnalyzerUnavailable("model file damaged: " + relative + " is empty" + hint);
  return path;
}

std::vector<std::string> read_model_lines(const std::filesystem::path& path, std::size_t expected_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (lines.size() < expected_lines) {
    throw AnalyzerUnavailable("model file damaged: " + path.filename().string() + " has " +
                              std::to_string(lines.size()) + " lines, expected " +
                              std::to_string(expected_lines) + install_hint(path.parent_path().parent_path()));
  }
  return lines;
}

}  // namespace visionfs::analysis
