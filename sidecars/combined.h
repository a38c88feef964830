#pragma once
// NAME.json: every analyzer's result of one image version, side by side.
// A pure function, so its rules are tested without a filesystem.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace visionfs::sidecars {

// One analyzer's sidecar text (JSON), by analyzer name.
struct Part {
  std::string name;
  std::string_view json;
};

// {"faces": {...}, "text": {...}, ...} in the order given, pretty-printed
// with a final newline. Like Google's AnnotateImageResponse, an image that
// no analyzer could read (every part holds an "error") also gets one
// top-level "error": the first part's. A part that is not valid JSON is
// reported as that part's error, not as a failure of the whole file.
std::string compose_combined(const std::vector<Part>& parts);

}  // namespace visionfs::sidecars
