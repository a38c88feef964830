#include "sidecars/google_response.h"

#include "analysis/analyzers/text_layout.h"
#include "analysis/core/json_values.h"
#include "analysis/engines/crop_hints.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

namespace visionfs::sidecars {

namespace {

using json = nlohmann::json;

const json& member(const json& object, std::string_view key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

const json& array_at(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json& value = member(object, key);
  return value.is_array() ? value : kEmpty;
}

// Copies the keys named in `keys` that `from` has and that are not empty
// (proto3 JSON leaves default values out).
void copy_keys(const json& from, json& to, std::initializer_list<std::string_view> keys) {
  for (const auto key : keys) {
    const json& value = member(from, key);
    if (value.is_null() || (value.is_array() && value.empty())) continue;
    if (value.is_number() && value.get<double>() == 0) continue;
    to[std::string(key)] = value;
  }
}

// The likelihoods Google's FaceAnnotation has. The ones no analyzer
// estimates are written as UNKNOWN, as Google writes them.
constexpr std::string_view kFaceLikelihoods[] = {
    "joyLikelihood",          "sorrowLikelihood",  "angerLikelihood",   "surpriseLikelihood",
    "underExposedLikelihood", "blurredLikelihood", "headwearLikelihood"};

json face_annotation(const json& face) {
  json out = json::object();
  copy_keys(face, out, {"boundingPoly", "rollAngle", "panAngle", "tiltAngle", "detectionConfidence"});
  // Google's fdBoundingPoly is a tighter, skin-only box; the detectors give
  // one box, so both fields hold it (code reading either gets the face).
  if (out.contains("boundingPoly")) out["fdBoundingPoly"] = out["boundingPoly"];
  auto landmarks = json::array();
  for (const auto& l : array_at(face, "landmarks")) {
    json position = json::object();
    copy_keys(member(l, "position"), position, {"x", "y", "z"});
    landmarks.push_back({{"type", member(l, "type")}, {"position", std::move(position)}});
  }
  if (!landmarks.empty()) out["landmarks"] = std::move(landmarks);
  for (const auto key : kFaceLikelihoods) {
    const json& value = member(face, key);
    out[std::string(key)] = value.is_string() ? value : json("UNKNOWN");
  }
  return out;
}

json face_annotations(const json& faces) {
  auto out = json::array();
  for (const auto& face : array_at(faces, "faces")) out.push_back(face_annotation(face));
  return out;
}

// The share of the image an object's normalized box covers.
double normalized_area(const json& object) {
  const auto& v = array_at(member(object, "boundingPoly"), "normalizedVertices");
  if (v.size() < 4) return 0;
  if (!v[0].is_object() || !v[2].is_object()) return 0;
  const double w = v[2].value("x", 0.0) - v[0].value("x", 0.0);
  const double h = v[2].value("y", 0.0) - v[0].value("y", 0.0);
  return std::clamp(w * h, 0.0, 1.0);
}

struct Label {
  double score = 0;
  double topicality = 0;
};

// Labels from the classifier (specific to general, see the labels
// analyzer), then object names: an object's score is its best detection,
// its topicality that score weighed by how much of the image the largest
// such object fills (square root: a person filling a quarter of the photo
// is half as central as one filling all of it).
json label_annotations(const json& labels, const json& objects) {
  std::map<std::string, Label> by_name;
  std::vector<std::string> order;
  const auto add = [&](const std::string& name, double score, double topicality) {
    auto [it, fresh] = by_name.try_emplace(name);
    if (fresh) order.push_back(name);
    it->second.score = std::max(it->second.score, score);
    it->second.topicality = std::max(it->second.topicality, topicality);
  };
  for (const auto& l : array_at(labels, "labels")) {
    if (!member(l, "description").is_string()) continue;
    add(l["description"], l.value("score", 0.0), l.value("topicality", 0.0));
  }
  for (const auto& o : array_at(objects, "objects")) {
    if (!member(o, "name").is_string()) continue;
    const double score = o.value("score", 0.0);
    add(o["name"], score, analysis::score_value(static_cast<float>(score * std::sqrt(normalized_area(o)))));
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](const std::string& a, const std::string& b) { return by_name[a].score > by_name[b].score; });
  auto out = json::array();
  for (const auto& name : order) {
    json label = {{"description", name}};
    copy_keys({{"score", by_name[name].score}, {"topicality", by_name[name].topicality}}, label,
              {"score", "topicality"});
    out.push_back(std::move(label));
  }
  return out;
}

json object_annotations(const json& objects) {
  auto out = json::array();
  for (const auto& o : array_at(objects, "objects")) {
    json object = json::object();
    copy_keys(o, object, {"mid", "name", "score", "boundingPoly"});
    out.push_back(std::move(object));
  }
  return out;
}

json colors_annotation(const json& colors) {
  auto out = json::array();
  for (const auto& c : array_at(member(colors, "dominantColors"), "colors")) {
    json color = json::object();
    json rgb = json::object();
    copy_keys(member(c, "color"), rgb, {"red", "green", "blue"});
    color["color"] = std::move(rgb);
    copy_keys(c, color, {"score", "pixelFraction"});
    out.push_back(std::move(color));
  }
  if (out.empty()) return nullptr;
  return {{"dominantColors", {{"colors", std::move(out)}}}};
}

json safe_search_annotation(const json& safe) {
  json out = json::object();
  copy_keys(member(safe, "safe"), out, {"adult", "spoof", "medical", "violence", "racy"});
  return out.empty() ? json(nullptr) : out;
}

// Faces weigh twice their confidence (people look at faces first),
// objects their score; boxes in pixels, from the per-analyzer sidecars.
std::vector<analysis::ImportantRegion> important_regions(const json& faces, const json& objects) {
  std::vector<analysis::ImportantRegion> regions;
  const auto add = [&](const json& item, double weight) {
    const json& b = member(item, "box");
    if (!b.is_object()) return;
    regions.push_back({cv::Rect2f(b.value("x", 0.0f), b.value("y", 0.0f), b.value("width", 0.0f),
                                  b.value("height", 0.0f)),
                       weight});
  };
  for (const auto& f : array_at(faces, "faces")) add(f, 2 * f.value("detectionConfidence", 0.5));
  for (const auto& o : array_at(objects, "objects")) add(o, o.value("score", 0.5));
  return regions;
}

// The crops sidecar's hints come from saliency alone; here they are made
// again from its saliency grid with the faces and objects added.
json crop_hints_annotation(const json& crops, const json& faces, const json& objects) {
  if (!crops.is_object()) return nullptr;
  json hints = array_at(crops, "cropHints");
  const cv::Mat saliency = analysis::grid_from_json(member(crops, "saliency"));
  const cv::Size image(crops.value("width", 0), crops.value("height", 0));
  const auto regions = important_regions(faces, objects);
  if (!saliency.empty() && image.area() > 0 && !regions.empty()) {
    hints = analysis::crop_hints_json(analysis::crop_hints(analysis::importance_grid(saliency, regions, image), image));
  }
  auto out = json::array();
  for (const auto& hint : hints) {
    json h = json::object();
    copy_keys(hint, h, {"boundingPoly", "confidence", "importanceFraction"});
    out.push_back(std::move(h));
  }
  if (out.empty()) return nullptr;
  return {{"cropHints", std::move(out)}};
}

// Google's textAnnotations: first the whole text (ending in a newline) with
// a polygon around all of it, then one entry per word.
json text_annotations(const json& text) {
  auto out = json::array();
  const json& full = member(text, "text");
  if (!full.is_string() || full.get<std::string>().empty()) return out;
  auto words = json::array();
  std::vector<json> polys;
  for (const auto& line : array_at(text, "lines")) {
    for (const auto& word : array_at(line, "words")) {
      words.push_back({{"description", member(word, "text")}, {"boundingPoly", member(word, "boundingPoly")}});
      polys.push_back(member(word, "boundingPoly"));
    }
  }
  // The symbols' text when there is a hierarchy, so both say the same.
  const json& symbols_text = member(member(text, "fullTextAnnotation"), "text");
  json first = {{"description", symbols_text.is_string() ? symbols_text.get<std::string>() : full.get<std::string>() + "\n"}};
  copy_keys(text, first, {"locale"});
  if (!polys.empty()) first["boundingPoly"] = analysis::hull_poly(polys);
  out.push_back(std::move(first));
  for (auto& w : words) out.push_back(std::move(w));
  return out;
}

void set_unless_empty(json& response, const char* key, json value) {
  if (value.is_null() || (value.is_array() && value.empty()) || (value.is_object() && value.empty())) return;
  response[key] = std::move(value);
}

}  // namespace

const std::vector<std::string>& google_response_analyzers() {
  static const std::vector<std::string> kAnalyzers = {"faces", "labels", "objects", "text",
                                                      "safe",  "colors", "crops"};
  return kAnalyzers;
}

json google_response(const std::vector<Part>& parts) {
  const json all = merge_parts(parts);
  json error;
  for (const auto& part : parts) {
    const json& e = member(member(all, part.name), "error");
    if (e.is_object()) {
      error = json::object();
      copy_keys(e, error, {"code", "message"});
      break;
    }
  }
  // A part that failed contributes its error only.
  const auto result = [&](const char* name) -> const json& {
    static const json kNone;
    const json& r = member(all, name);
    return member(r, "error").is_null() ? r : kNone;
  };
  json response = json::object();
  set_unless_empty(response, "faceAnnotations", face_annotations(result("faces")));
  set_unless_empty(response, "labelAnnotations", label_annotations(result("labels"), result("objects")));
  set_unless_empty(response, "localizedObjectAnnotations", object_annotations(result("objects")));
  set_unless_empty(response, "textAnnotations", text_annotations(result("text")));
  set_unless_empty(response, "fullTextAnnotation", member(result("text"), "fullTextAnnotation"));
  set_unless_empty(response, "safeSearchAnnotation", safe_search_annotation(result("safe")));
  set_unless_empty(response, "imagePropertiesAnnotation", colors_annotation(result("colors")));
  set_unless_empty(response, "cropHintsAnnotation",
                   crop_hints_annotation(result("crops"), result("faces"), result("objects")));
  if (!error.is_null()) response["error"] = std::move(error);
  return response;
}

std::string compose_google_response(const std::vector<Part>& parts) {
  std::string text = google_response(parts).dump(2, ' ', false, json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace visionfs::sidecars
