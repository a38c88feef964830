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
};

using AnalyzerPtr = std::shared_ptr<const Analyzer>;

}  // namespace visionfs::analysis
