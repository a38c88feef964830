#pragma once
// Where the optional models live, and finding one model file in there.
//
// The models directory is chosen once at start-up (resolve_models_dir) and
// stored in AnalysisOptions::models_dir. Factories then call
// require_model_file for each file they need; a missing or truncated file
// makes the analyzer unavailable with a one-line reason that tells the user
// how to install the models. Checksums are verified once, by
// scripts/install-models.sh, never at every start: a size check against the
// known size of each staged file catches truncated copies cheaply.
//
// Thread-safety: pure functions over the file system; reentrant.

#include "analysis/core/analysis_options.h"

#include <filesystem>
#include <cstddef>
#include <string>
#include <vector>

namespace visionfs::analysis {

// The models directory: `option_value` when non-empty (-o models=), else
// $VISIONFS_MODELS, else $XDG_DATA_HOME/visionfs/models, else
// $HOME/.local/share/visionfs/models. Empty environment variables count as
// unset, as the XDG base directory specification asks. The directory need
// not exist (a missing directory means "no models").
std::filesystem::path resolve_models_dir(const std::string& option_value);

// The same rule with the environment passed in (nullptr = unset); what
// resolve_models_dir uses, exposed so tests need not modify the environment.
std::filesystem::path resolve_models_dir(const std::string& option_value, const char* visionfs_models,
                                         const char* xdg_data_home, const char* home);

// models_dir / relative, after checking that it is a regular file of the
// expected size (for the files visionfs knows) or at least non-empty.
// Throws AnalyzerUnavailable:
//   "model not installed: objects/yolox_nano.onnx (run scripts/install-models.sh)"
//   "model file damaged: objects/yolox_nano.onnx is 1234 bytes, expected 3660092 (...)"
std::filesystem::path require_model_file(const AnalysisOptions& options, const std::string& relative);

// The lines of a small text file shipped with a model (class names, a
// character dictionary), without line terminators; every other character,
// including a line that is a single space, is kept. Throws
// AnalyzerUnavailable when the file cannot be read or has fewer than
// `expected_lines` lines.
std::vector<std::string> read_model_lines(const std::filesystem::path& path, std::size_t expected_lines);

}  // namespace visionfs::analysis
