// libFuzzer target: the whole decode path (guards, then the allowed
// decoders) with a low pixel limit, so that a fuzzed header cannot make a
// decoder allocate much. Only AnalysisError may leave decode_image().

#include "analysis/core/errors.h"
#include "analysis/decode/decode.h"
#include "analysis/decode/decoders.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  visionfs::analysis::install_decoder_guards();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace visionfs::analysis;
  try {
    const auto image = decode_image(std::span<const std::uint8_t>(data, size), DecodeLimits{1'000'000});
    if (image->pixels.type() != CV_8UC3 || image->pixels.cols != image->width) __builtin_trap();
  } catch (const AnalysisError&) {
  }
  return 0;
}
