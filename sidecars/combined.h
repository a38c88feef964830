#pragma once
// Every analyzer's result of one image version, side by side, keyed by
// analyzer name: the input the composed sidecars (NAME.json as Google's
// AnnotateImageResponse, NAME.xmp, NAME.annotated.jpg) read from.
// A pure function, so its rules are tested without a filesystem.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace visionfs::sidecars {

// One analyzer's sidecar text (JSON), by analyzer name.
struct Part {
  std::string name;
  std::string_view json;
};

// {"faces": {...}, "text": {...}, ...} in the order given. A part that is
// not a JSON object is reported as that part's error (code 13), not as a
// failure of the whole document.
nlohmann::json merge_parts(const std::vector<Part>& parts);

}  // namespace visionfs::sidecars
