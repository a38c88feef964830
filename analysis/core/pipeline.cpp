#include "analysis/core/pipeline.h"

#include <opencv2/core.hpp>

#include <chrono>
#include <exception>

namespace visionfs::analysis {

namespace {

nlohmann::json envelope(const Analyzer& analyzer) {
  return {{"analyzer", analyzer.name()}, {"version", analyzer.version()}};
}

}  // namespace

nlohmann::json error_result(const Analyzer& analyzer, ErrorCode code, const std::string& message) {
  nlohmann::json result = envelope(analyzer);
  result["error"] = {{"code", static_cast<int>(code)}, {"message", message}};
  return result;
}

nlohmann::json run_analyzer(const Analyzer& analyzer, std::span<const std::uint8_t> encoded,
                            const DecodedImage& image) {
  const auto start = std::chrono::steady_clock::now();
  try {
    nlohmann::json fields = analyzer.analyze(AnalysisInput{encoded, image});
    if (!fields.is_object()) {
      return error_result(analyzer, ErrorCode::kInternal, "analyzer returned a non-object result");
    }
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    nlohmann::json result = envelope(analyzer);
    result["width"] = image.width;
    result["height"] = image.height;
    result["elapsedMs"] = elapsed.count();
    // The envelope wins over an analyzer field of the same name.
    for (auto& [key, value] : fields.items()) {
      if (!result.contains(key)) result[key] = std::move(value);
    }
    return result;
  } catch (const AnalysisError& e) {
    return error_result(analyzer, e.code(), e.what());
  } catch (const cv::Exception& e) {
    // e.what() holds OpenCV's source location and condition, never pixels.
    return error_result(analyzer, ErrorCode::kInternal, e.what());
  } catch (const std::exception& e) {
    return error_result(analyzer, ErrorCode::kInternal, e.what());
  } catch (...) {
    return error_result(analyzer, ErrorCode::kInternal, "unknown exception");
  }
}

nlohmann::json analyze_bytes(const Analyzer& analyzer, std::span<const std::uint8_t> encoded,
                             const DecodeLimits& limits) {
  std::shared_ptr<const DecodedImage> image;
  try {
    image = decode_image(encoded, limits);
  } catch (const AnalysisError& e) {
    return error_result(analyzer, e.code(), e.what());
  } catch (const std::exception& e) {
    return error_result(analyzer, ErrorCode::kInternal, e.what());
  } catch (...) {
    return error_result(analyzer, ErrorCode::kInternal, "unknown exception");
  }
  return run_analyzer(analyzer, encoded, *image);
}

std::string to_sidecar_text(const nlohmann::json& result) {
  // Invalid UTF-8 in a string (an analyzer's bug, or text read from a file)
  // is replaced rather than thrown: the sidecar must always serialise.
  return result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace visionfs::analysis
