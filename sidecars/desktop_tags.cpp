#include "sidecars/desktop_tags.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <vector>

namespace visionfs::sidecars {

namespace {

using nlohmann::json;

// The response's list under `key`, or an empty array (nothing found, or
// the analyzer disabled, unavailable or in error).
const json& items(const json& response, const char* key) {
  static const json empty = json::array();
  if (!response.is_object() || !response.contains(key) || !response[key].is_array()) return empty;
  return response[key];
}

double score_of(const json& item) {
  const auto it = item.find("score");
  return it != item.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string text_of(const json& item, const char* key) {
  const auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A tag may not hold the separator KDE splits on.
std::string clean_tag(std::string tag) {
  std::replace(tag.begin(), tag.end(), ',', ' ');
  return tag;
}

std::string first_words(const std::string& text, int count) {
  std::istringstream in(text);
  std::string word, out;
  int n = 0;
  while (in >> word) {
    if (n == count) return out + " ...";
    out += (n++ ? " " : "") + word;
  }
  return out;
}

}  // namespace

bool is_desktop_xattr(std::string_view name) { return name == kTagsXattr || name == kCommentXattr; }

std::string desktop_tags(const json& response) {
  std::vector<std::string> tags;
  auto add = [&](const std::string& tag) {
    if (tag.empty()) return;
    const std::string key = lower(tag);
    if (std::none_of(tags.begin(), tags.end(), [&](const std::string& t) { return lower(t) == key; })) {
      tags.push_back(clean_tag(tag));
    }
  };
  // Labels hold the object names too (google_response.h).
  for (const json& label : items(response, "labelAnnotations")) {
    if (score_of(label) >= kMinTagScore) add(text_of(label, "description"));
  }
  std::string out;
  for (const auto& tag : tags) out += (out.empty() ? "" : ",") + tag;
  return out;
}

std::string desktop_comment(const json& response) {
  // An error is not a description of the photo: a photo manager would
  // import it as the caption. It stays in NAME.json.
  if (response.is_object() && response.contains("error")) return "";
  std::vector<std::string> parts;
  const std::size_t faces = items(response, "faceAnnotations").size();
  if (faces > 0) parts.push_back(std::to_string(faces) + (faces == 1 ? " face" : " faces"));
  std::vector<std::pair<std::string, int>> objects;  // name, count
  for (const json& object : items(response, "localizedObjectAnnotations")) {
    if (score_of(object) < kMinTagScore) continue;  // the tags' threshold: one for both
    const std::string name = text_of(object, "name");
    auto it = std::find_if(objects.begin(), objects.end(), [&](const auto& o) { return o.first == name; });
    if (it == objects.end()) objects.emplace_back(name, 1);
    else ++it->second;
  }
  // The most frequent first; ties in order of appearance.
  std::stable_sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (!objects.empty()) {
    std::string list;
    for (const auto& [name, count] : objects) {
      list += (list.empty() ? "" : ", ") + name + (count > 1 ? " (" + std::to_string(count) + ")" : "");
    }
    parts.push_back("objects: " + list);
  }
  const json& text = items(response, "textAnnotations");
  if (!text.empty() && text[0].is_object()) {
    const std::string words = first_words(text_of(text[0], "description"), kCommentWords);
    if (!words.empty()) parts.push_back("text: " + words);
  }
  // "Nothing found" is not what a person would caption a photo with.
  if (parts.empty()) return "";
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

}  // namespace visionfs::sidecars
