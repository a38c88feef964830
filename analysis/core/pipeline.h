#pragma once
// The one place that wraps an analyzer's output in the sidecar envelope and
// turns every failure into error JSON. Nothing here throws.
//
// Success:  {"analyzer": "faces", "version": "1", "width": W, "height": H,
//            "elapsedMs": 12.3, ...analyzer fields}
// Failure:  {"analyzer": "faces", "version": "1",
//            "error": {"code": 3, "message": "..."}}   (google.rpc.Code)

#include "analysis/core/analyzer.h"
#include "analysis/decode/decode.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace visionfs::analysis {

// Runs `analyzer` on an already decoded image.
nlohmann::json run_analyzer(const Analyzer& analyzer, std::span<const std::uint8_t> encoded,
                            const DecodedImage& image);

// The sidecar of `analyzer` for an image that could not be decoded.
nlohmann::json error_result(const Analyzer& analyzer, ErrorCode code, const std::string& message);

// Decode then run: what a caller without a shared decode uses (tests, bench).
nlohmann::json analyze_bytes(const Analyzer& analyzer, std::span<const std::uint8_t> encoded,
                             const DecodeLimits& limits);

// Serialises a sidecar the way the filesystem serves it: pretty-printed with
// two-space indents and a trailing newline, so `cat` and `grep` read well.
std::string to_sidecar_text(const nlohmann::json& result);

}  // namespace visionfs::analysis
