#pragma once
// Analyzer: the one interface every analyzer implements (faces, text, codes,
// colors, quality, meta, hash, objects, labels, safe).
//
// An analyzer turns one decoded image into the analyzer-specific part of its
// sidecar JSON. The envelope every sidecar shares ("analyzer", "version",
// "width", "height", "elapsedMs", or "error") is added in one place,
// analysis/core/pipeline.h, never by an analyzer.
//
// Thread-safety: analyze() is const and is called concurrently from several
// worker threads. An analyzer that holds non-thread-safe state (cv::dnn::Net,
// a Tesseract handle, a CascadeClassifier) keeps one per thread or guards it.
// Preconditions: input.image.pixels is a non-empty CV_8UC3 BGR image.

#include "analysis/core/errors.h"
#include "analysis/decode/decoded_image.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace visionfs::analysis {

struct AnalysisInput {
  std::span<const std::uint8_t> encoded;  // the image file exactly as stored
  const DecodedImage& image;              // decoded once, shared
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  // The sidecar name: NAME.<name()>.json. Lower-case, one word.
  virtual std::string name() const = 0;
  // Bumped whenever the output for the same input changes.
  virtual std::string version() const = 0;
  // The analyzer-specific fields, as a JSON object. Every score is 0..1.
  // Throws AnalysisError for a problem with this image.
  virtual nlohmann::json analyze(const AnalysisInput& input) const = 0;
  // The memory analyze() allocates for an image of this size beyond the
  // decoded pixels it is given (its copies, conversions, the engines'
  // inputs), at its peak. Charged to -o max_memory before the analysis
  // starts; measured for each analyzer by bench/memory_bench.sh.
  virtual std::uint64_t working_bytes(int width, int height) const = 0;
};

// The usual shape of working_bytes(): a fixed part (what the engine works
// on after scaling the image down) plus bytes per pixel of the image.
constexpr std::uint64_t working_estimate(int width, int height, double mib_fixed, double bytes_per_pixel) {
  const double pixels = static_cast<double>(width) * static_cast<double>(height);
  return static_cast<std::uint64_t>(mib_fixed * 1048576.0 + bytes_per_pixel * pixels);
}

using AnalyzerPtr = std::shared_ptr<const Analyzer>;

}  // namespace visionfs::analysis
