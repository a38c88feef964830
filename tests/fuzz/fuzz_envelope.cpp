// libFuzzer target: one analyzer's whole envelope, as the daemon builds a
// sidecar: decode, analyse (meta: the header, EXIF and decoded image
// fields, fast enough for a million runs), and the JSON text. Every input
// must give a JSON object, with an error or without.

#include "analysis/core/factories.h"
#include "analysis/core/pipeline.h"
#include "analysis/decode/decoders.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace {
visionfs::analysis::AnalyzerPtr analyzer;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  visionfs::analysis::install_decoder_guards();
  analyzer = visionfs::analysis::make_meta_analyzer({});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace visionfs::analysis;
  const nlohmann::json result =
      analyze_bytes(*analyzer, std::span<const std::uint8_t>(data, size), DecodeLimits{1'000'000});
  const std::string text = to_sidecar_text(result);
  if (!result.is_object() || !nlohmann::json::accept(text)) __builtin_trap();
  return 0;
}
