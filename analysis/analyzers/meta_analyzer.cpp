// meta: format, sizes, sample layout, frame count and a few EXIF fields.
// See docs/analyzers/meta.md.
//
// Stateless; analyze() is thread-safe. GPS coordinates are never read out:
// only whether they exist (a sidecar is easily copied, grepped, or pasted
// into a pipeline, and a location is the most sensitive thing a photo holds).

#include "analysis/decode/exif_info.h"
#include "analysis/core/factories.h"
#include "analysis/decode/image_format.h"
#include "analysis/decode/image_header.h"

namespace visionfs::analysis {

namespace {

nlohmann::json optional_value(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

class MetaAnalyzer final : public Analyzer {
 public:
  std::string name() const override { return "meta"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 1, 0);  // reads the header, not the pixels
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const DecodedImage& image = input.image;
    nlohmann::json exif = nullptr;
    if (const auto format = sniff_image_format(input.encoded)) {
      if (const auto summary = read_exif(find_exif_block(*format, input.encoded))) {
        exif = {{"make", optional_value(summary->make)},
                {"model", optional_value(summary->model)},
                {"software", optional_value(summary->software)},
                {"dateTimeOriginal", optional_value(summary->date_time_original)},
                {"orientation", optional_value(summary->orientation)},
                {"gpsPresent", summary->gps_present}};
      }
    }
    return {{"format", image.format},
            {"storedWidth", image.stored_width},
            {"storedHeight", image.stored_height},
            {"orientation", image.exif_orientation},
            {"channels", image.channels},
            {"bitDepth", image.bit_depth},
            {"frameCount", image.frame_count},
            {"fileBytes", input.encoded.size()},
            {"exif", exif}};
  }
};

}  // namespace

AnalyzerPtr make_meta_analyzer(const AnalysisOptions&) { return std::make_shared<MetaAnalyzer>(); }

}  // namespace visionfs::analysis
