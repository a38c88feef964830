// analysis_memory_bench: the memory one analysis (or one decode) of an image
// of a given size takes, measured as the kernel sees it: the process's peak
// resident size (VmHWM, reset through /proc/self/clear_refs) above what it
// held just before. bench/memory_bench.sh runs it for every analyzer and
// size in fresh processes and prints the table behind each analyzer's
// working-memory estimate (docs/PERFORMANCE.md, "Memory").
//
// Usage: analysis_memory_bench IMAGE MEGAPIXELS NAME [MODELS_DIR]
//   NAME: an analyzer, or decode-jpeg, decode-jpeg-progressive, decode-png,
//   decode-png-alpha (the decoder alone, on IMAGE re-encoded at that size).
// Prints one line: NAME MEGAPIXELS peak_mib retained_mib estimate_mib.
// The engines are loaded first on a small copy, so the figure is the
// analysis's own working memory, not the loading of its model.

#include "analysis/core/catalog.h"
#include "analysis/core/pipeline.h"
#include "analysis/decode/decode.h"
#include "fs/allocator.h"

#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using visionfs::analysis::AnalysisOptions;
using visionfs::analysis::DecodedImage;

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A field of /proc/self/status in KiB.
long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stol(line.substr(prefix.size()));
  }
  return -1;
}

// Hands freed memory back, then resets VmHWM to the current RSS (Linux
// 4.0+); returns that RSS.
long reset_peak() {
  visionfs::fs::return_free_memory();
  std::ofstream("/proc/self/clear_refs") << "5";
  return status_kib("VmRSS");
}

DecodedImage scaled(const cv::Mat& source, double megapixels) {
  const double factor = std::sqrt(megapixels * 1e6 / static_cast<double>(source.total()));
  DecodedImage image;
  cv::resize(source, image.pixels, cv::Size(), factor, factor, factor < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  image.width = image.stored_width = image.pixels.cols;
  image.height = image.stored_height = image.pixels.rows;
  image.channels = 3;
  image.format = "png";
  return image;
}

void report(const std::string& name, double megapixels, long before, long peak, long after, double estimate) {
  std::printf("%s %.1f %.1f %.1f %.1f\n", name.c_str(), megapixels, (peak - before) / 1024.0,
              (after - before) / 1024.0, estimate / 1048576.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " IMAGE MEGAPIXELS NAME [MODELS_DIR]\n";
    return 2;
  }
  visionfs::fs::configure_allocator(1);  // as the daemon's (fs/allocator.h)
  spdlog::set_level(spdlog::level::warn);  // stdout carries the figures
  const auto bytes = read_file(argv[1]);
  const double megapixels = std::stod(argv[2]);
  const std::string name = argv[3];
  AnalysisOptions options;
  options.models_dir = argc > 4 ? argv[4] : "/nonexistent";
  options.max_pixels = 1'000'000'000;
  const visionfs::analysis::DecodeLimits limits{options.max_pixels};
  const auto source = visionfs::analysis::decode_image(bytes, limits);

  if (name.rfind("decode-", 0) == 0) {
    const bool png = name.rfind("decode-png", 0) == 0;
    cv::Mat pixels = scaled(source->pixels, megapixels).pixels;
    if (name == "decode-png-alpha") cv::cvtColor(pixels, pixels, cv::COLOR_BGR2BGRA);
    std::vector<int> params;
    if (name == "decode-jpeg-progressive") params = {cv::IMWRITE_JPEG_PROGRESSIVE, 1};
    std::vector<std::uint8_t> encoded;
    cv::imencode(png ? ".png" : ".jpg", pixels, encoded, params);
    pixels.release();
    visionfs::analysis::decode_image(encoded, limits);  // the codec's own start-up, once
    const long before = reset_peak();
    auto decoded = visionfs::analysis::decode_image(encoded, limits);
    const long peak = status_kib("VmHWM");
    const auto cost = visionfs::analysis::decoded_bytes(encoded);
    decoded.reset();
    visionfs::fs::return_free_memory();
    report(name, megapixels, before, peak, status_kib("VmRSS"), static_cast<double>(cost.decode_peak));
    return 0;
  }

  const auto catalog = visionfs::analysis::build_catalog(options);
  const auto* analyzer = catalog.find(name);
  if (!analyzer) {
    std::cerr << name << " is not available here\n";
    return 1;
  }
  const auto small = scaled(source->pixels, 0.25);
  visionfs::analysis::run_analyzer(*analyzer, {}, small);  // loads the engines
  const auto image = scaled(source->pixels, megapixels);
  const long before = reset_peak();
  auto result = visionfs::analysis::run_analyzer(*analyzer, {}, image);
  const long peak = status_kib("VmHWM");
  if (result.contains("error")) std::cerr << name << ": " << result["error"].dump() << "\n";
  visionfs::fs::return_free_memory();
  report(name, megapixels, before, peak, status_kib("VmRSS"),
         static_cast<double>(analyzer->working_bytes(image.width, image.height)));
  return 0;
}
