// libFuzzer target: the codes path on untrusted images: decode (1 Mpx
// limit), then ZBar over the pixels, as the codes analyzer runs it. ZBar
// parses whatever bar and QR patterns the pixels hold; it is a C library
// outside our instrumentation, so its bugs show here as crashes. Every
// code must come out with a polygon inside the image.

#include "analysis/core/errors.h"
#include "analysis/decode/decode.h"
#include "analysis/decode/decoders.h"
#include "analysis/engines/zbar_reader.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  visionfs::analysis::install_decoder_guards();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace visionfs::analysis;
  static const ZbarReader reader;
  try {
    const auto image = decode_image(std::span<const std::uint8_t>(data, size), DecodeLimits{1'000'000});
    for (const auto& code : reader.read(image->pixels)) {
      if (code.polygon.size() < 3) __builtin_trap();
      for (const auto& p : code.polygon) {
        if (p.x < 0 || p.y < 0 || p.x > image->width || p.y > image->height) __builtin_trap();
      }
    }
  } catch (const AnalysisError&) {
  }
  return 0;
}
