#include "sidecars/combined.h"

namespace visionfs::sidecars {

nlohmann::json merge_parts(const std::vector<Part>& parts) {
  nlohmann::json all = nlohmann::json::object();
  for (const auto& part : parts) {
    auto parsed = nlohmann::json::parse(part.json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      parsed = {{"error", {{"code", 13}, {"message", "the analyzer's result is not a JSON object"}}}};
    }
    all[part.name] = std::move(parsed);
  }
  return all;
}

}  // namespace visionfs::sidecars
