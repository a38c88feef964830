#pragma once
// AnalyzerCatalog: which analyzers this daemon can run, and why the others
// cannot. Built once at start-up from the options; immutable afterwards and
// shared read-only by every thread.

#include "analysis/core/analysis_options.h"
#include "analysis/core/analyzer.h"

#include <string>
#include <vector>

namespace visionfs::analysis {

struct UnavailableAnalyzer {
  std::string name;
  std::string reason;
};

struct AnalyzerCatalog {
  std::vector<AnalyzerPtr> available;          // in a stable, documented order
  std::vector<UnavailableAnalyzer> unavailable;
  // Which engine each multi-engine analyzer uses, e.g. {"faces", "yunet-2023mar"}.
  std::vector<std::pair<std::string, std::string>> engines;

  const Analyzer* find(const std::string& name) const;
};

// Every analyzer visionfs knows, in sidecar order.
const std::vector<std::string>& all_analyzer_names();

AnalyzerCatalog build_catalog(const AnalysisOptions& options);

}  // namespace visionfs::analysis
