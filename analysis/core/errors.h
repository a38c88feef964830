#pragma once
// The errors of analysis/: a problem with one image (AnalysisError, which
// becomes the sidecar's {"error": {"code", "message"}}) and an analyzer that
// cannot run here (AnalyzerUnavailable, reported in config.json). Shared by
// decode/ and everything above it.

#include <stdexcept>
#include <string>

namespace visionfs::analysis {

// Error codes follow google.rpc.Code, as Google Vision's per-image errors do.
enum class ErrorCode : int {
  kInvalidArgument = 3,    // corrupt or truncated image data
  kResourceExhausted = 8,  // over max_pixels (decompression bomb)
  kUnimplemented = 12,     // recognised format we do not decode
  kInternal = 13,          // a bug or library failure
  kUnavailable = 14,       // model or data not installed
};

// Thrown for a problem with one particular image. Becomes the sidecar's
// {"error": {"code": ..., "message": ...}} object; never an errno.
class AnalysisError : public std::runtime_error {
 public:
  AnalysisError(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Thrown by a factory when an analyzer cannot run on this machine (model or
// data file missing). what() is the reason shown in .visionfs/config.json.
class AnalyzerUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace visionfs::analysis
