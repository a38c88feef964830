#include "sidecars/xmp.h"

#include "sidecars/desktop_tags.h"
#include "sidecars/google_response.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace visionfs::sidecars {

namespace {

using nlohmann::json;

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Region {
  std::string name, type;
  double x = 0, y = 0, w = 0, h = 0;  // centre and size, 0..1
};

double number(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// The pixel rectangle of a result: its "box", or the hull of its
// boundingPoly's vertices. False when it has neither.
bool pixel_rect(const json& item, double* x0, double* y0, double* x1, double* y1) {
  if (item.contains("box") && item["box"].is_object()) {
    const json& b = item["box"];
    *x0 = number(b, "x"), *y0 = number(b, "y");
    *x1 = *x0 + number(b, "width"), *y1 = *y0 + number(b, "height");
    return true;
  }
  if (!item.contains("boundingPoly") || !item["boundingPoly"].contains("vertices")) return false;
  const json& vertices = item["boundingPoly"]["vertices"];
  if (!vertices.is_array() || vertices.empty()) return false;
  *x0 = *y0 = 1e18, *x1 = *y1 = -1e18;
  for (const json& v : vertices) {
    *x0 = std::min(*x0, number(v, "x")), *x1 = std::max(*x1, number(v, "x"));
    *y0 = std::min(*y0, number(v, "y")), *y1 = std::max(*y1, number(v, "y"));
  }
  return true;
}

void add_regions(const json& result, const char* key, const char* name_key, std::vector<Region>& out,
                 std::string (*type_of)(const std::string&), double min_score = 0) {
  if (!result.is_object() || !result.contains(key) || !result[key].is_array()) return;
  const double width = number(result, "width"), height = number(result, "height");
  if (width <= 0 || height <= 0) return;
  for (const json& item : result[key]) {
    if (min_score > 0 && !(item.contains("score") && item["score"].is_number() &&
                           item["score"].get<double>() >= min_score)) {
      continue;
    }
    double x0, y0, x1, y1;
    if (!pixel_rect(item, &x0, &y0, &x1, &y1)) continue;
    auto clamp = [](double v) { return std::clamp(v, 0.0, 1.0); };
    x0 = clamp(x0 / width), x1 = clamp(x1 / width), y0 = clamp(y0 / height), y1 = clamp(y1 / height);
    if (x1 <= x0 || y1 <= y0) continue;
    Region r;
    r.name = name_key && item.contains(name_key) && item[name_key].is_string() ? item[name_key].get<std::string>() : "";
    r.type = type_of(r.name);
    r.x = (x0 + x1) / 2, r.y = (y0 + y1) / 2, r.w = x1 - x0, r.h = y1 - y0;
    out.push_back(r);
  }
}

std::string face_type(const std::string&) { return "Face"; }
std::string code_type(const std::string&) { return "BarCode"; }
std::string object_type(const std::string& name) {
  return name == "cat" || name == "dog" || name == "bird" || name == "horse" ? "Pet" : "";
}

std::string fixed(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6f", v);
  return buffer;
}

void write_regions(std::ostringstream& out, const std::vector<Region>& regions, double width, double height) {
  out << "   <mwg-rs:Regions rdf:parseType=\"Resource\">\n"
      << "    <mwg-rs:AppliedToDimensions stDim:w=\"" << width << "\" stDim:h=\"" << height
      << "\" stDim:unit=\"pixel\"/>\n"
      << "    <mwg-rs:RegionList>\n     <rdf:Bag>\n";
  for (const Region& r : regions) {
    out << "      <rdf:li rdf:parseType=\"Resource\">\n";
    if (!r.name.empty()) out << "       <mwg-rs:Name>" << escape(r.name) << "</mwg-rs:Name>\n";
    if (!r.type.empty()) out << "       <mwg-rs:Type>" << r.type << "</mwg-rs:Type>\n";
    out << "       <mwg-rs:Area stArea:x=\"" << fixed(r.x) << "\" stArea:y=\"" << fixed(r.y) << "\" stArea:w=\""
        << fixed(r.w) << "\" stArea:h=\"" << fixed(r.h) << "\" stArea:unit=\"normalized\"/>\n"
        << "      </rdf:li>\n";
  }
  out << "     </rdf:Bag>\n    </mwg-rs:RegionList>\n   </mwg-rs:Regions>\n";
}

}  // namespace

std::string compose_xmp(const std::vector<Part>& parts) {
  const json combined = merge_parts(parts);
  const json response = google_response(parts);
  std::vector<Region> regions;
  double width = 0, height = 0;
  for (const char* analyzer : {"faces", "objects", "codes"}) {
    if (!combined.is_object() || !combined.contains(analyzer)) continue;
    const json& result = combined[analyzer];
    if (width == 0) width = number(result, "width"), height = number(result, "height");
    if (std::string(analyzer) == "faces") add_regions(result, "faces", nullptr, regions, face_type);
    if (std::string(analyzer) == "objects") add_regions(result, "objects", "name", regions, object_type, kMinTagScore);
    if (std::string(analyzer) == "codes") add_regions(result, "codes", "payload", regions, code_type);
  }
  std::string tags = desktop_tags(response);
  std::ostringstream out;
  out << "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
      << "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"visionfs\">\n"
      << " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
      << "  <rdf:Description rdf:about=\"\"\n"
      << "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
      << "    xmlns:mwg-rs=\"http://www.metadataworkinggroup.com/schemas/regions/\"\n"
      << "    xmlns:stDim=\"http://ns.adobe.com/xap/1.0/sType/Dimensions#\"\n"
      << "    xmlns:stArea=\"http://ns.adobe.com/xmp/sType/Area#\">\n";
  if (!tags.empty()) {
    out << "   <dc:subject>\n    <rdf:Bag>\n";
    std::istringstream list(tags);
    for (std::string tag; std::getline(list, tag, ',');) out << "     <rdf:li>" << escape(tag) << "</rdf:li>\n";
    out << "    </rdf:Bag>\n   </dc:subject>\n";
  }
  // No description rather than an error or "nothing found": photo managers
  // import dc:description as the caption.
  if (std::string comment = desktop_comment(response); !comment.empty()) {
    out << "   <dc:description>\n    <rdf:Alt>\n     <rdf:li xml:lang=\"x-default\">" << escape(comment)
        << "</rdf:li>\n    </rdf:Alt>\n   </dc:description>\n";
  }
  if (!regions.empty() && width > 0) write_regions(out, regions, width, height);
  out << "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>\n";
  return out.str();
}

}  // namespace visionfs::sidecars
