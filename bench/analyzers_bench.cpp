// analyzers_bench: every available analyzer called in-process on one image
// through analysis::analyze_bytes (decode + analyze + envelope), the same
// work a cold sidecar costs the daemon minus the filesystem. sidecar_bench.sh
// compares the two to get the framework's overhead.
//
// Usage: analyzers_bench IMAGE [MODELS_DIR] [--benchmark_* flags]
// Without MODELS_DIR (or with one that does not exist) only the built-in
// engines run, as in a daemon without models. Each analyzer runs once before
// timing, so lazily loaded networks are not counted (a running daemon has
// them loaded too).

#include "analysis/core/catalog.h"
#include "analysis/core/pipeline.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " IMAGE [MODELS_DIR] [--benchmark_* flags]\n";
    return 2;
  }
  // Locals, not statics: the catalog must be destroyed before Tesseract's
  // own statics, or Tesseract reports its cached dictionaries as leaked.
  const std::vector<std::uint8_t> bytes = read_file(argv[1]);
  if (bytes.empty()) {
    std::cerr << "cannot read " << argv[1] << "\n";
    return 2;
  }
  visionfs::analysis::AnalysisOptions options;
  options.models_dir = argc > 2 ? argv[2] : "/nonexistent";
  const visionfs::analysis::AnalyzerCatalog catalog = visionfs::analysis::build_catalog(options);
  const visionfs::analysis::DecodeLimits limits{options.max_pixels};

  for (const auto& analyzer : catalog.available) {
    const visionfs::analysis::Analyzer* a = analyzer.get();
    auto warm = visionfs::analysis::analyze_bytes(*a, bytes, limits);
    if (warm.contains("error")) {
      std::cerr << a->name() << ": " << warm["error"].dump() << "\n";
      return 1;
    }
    benchmark::RegisterBenchmark(("analyze_bytes/" + a->name()).c_str(),
                                 [a, &bytes, &limits](benchmark::State& state) {
                                   for (auto _ : state) {
                                     auto result = visionfs::analysis::analyze_bytes(*a, bytes, limits);
                                     benchmark::DoNotOptimize(result);
                                   }
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
