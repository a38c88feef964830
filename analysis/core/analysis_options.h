#pragma once
// AnalysisOptions: what the daemon's -o options tell the analysis layer.
// Plain data, copied freely.

#include <cstdint>
#include <filesystem>

namespace visionfs::analysis {

struct AnalysisOptions {
  // Models directory (-o models=, $VISIONFS_MODELS, default under
  // $XDG_DATA_HOME/visionfs/models). A missing directory means "no models".
  std::filesystem::path models_dir;
  // Decompression-bomb limit, checked from the header before any pixel
  // buffer is allocated (-o max_pixels=).
  std::uint64_t max_pixels = 100'000'000;
  // Minimum detection score reported by the objects analyzer (-o min_score=).
  float min_score = 0.3f;
};

}  // namespace visionfs::analysis
