#include "sidecars/combined.h"

#include <nlohmann/json.hpp>
#include <string.h>  // explicit_bzero

#include <optional>

namespace visionfs::sidecars {

std::string compose_combined(const std::vector<Part>& parts) {
  nlohmann::json all = nlohmann::json::object();
  std::optional<nlohmann::json> shared_error;
  bool every_part_failed = !parts.empty();
  for (const auto& part : parts) {
    auto parsed = nlohmann::json::parse(part.json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      parsed = {{"error", {{"code", 13}, {"message", "the analyzer's result is not a JSON object"}}}};
    }
    if (parsed.contains("error")) {
      if (!shared_error) shared_error = parsed["error"];
    } else {
      every_part_failed = false;
    }
    all[part.name] = std::move(parsed);
  }
  if (every_part_failed && shared_error) all["error"] = *shared_error;
  std::string text = all.dump(2);
  text += '\n';
  return text;
}

}  // namespace visionfs::sidecars
