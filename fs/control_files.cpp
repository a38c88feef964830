#include "fs/control_files.h"

#include "analysis/engines/instance_pool.h"
#include "fs/filesystem.h"
#include "sidecars/scheduler.h"

#include <malloc.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <chrono>

namespace visionfs::fs {

namespace {

// A field of /proc/self/status, in bytes (0 when absent).
std::uint64_t status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size())) * 1024;
  }
  return 0;
}

// Bytes malloc has handed out and not had back, over every arena and its
// own mappings: the leak detector's figure (tests/stress/stress.py).
std::uint64_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Where the daemon's memory is: what -o max_memory charges (stored files,
// results, decoded pixels, the analyses running now), and what it does not
// (the engines and the fixed runtime: the process's anonymous RSS above the
// charges). docs/design.md, "Budget".
nlohmann::json render_memory(const Filesystem& fs, const analysis::ServiceStats& service) {
  using Kind = cache::MemoryBudget::Kind;
  const auto& budget = fs.budget();
  const std::uint64_t anon = status_bytes("RssAnon");
  return {
      {"budgetBytes", budget.limit()},
      {"chargedBytes", budget.used()},
      {"storedBytes", budget.used(Kind::kStored)},
      {"resultBytes", budget.used(Kind::kResult)},
      {"decodedPixelBytes", budget.used(Kind::kDecoded)},
      {"analysesInFlightBytes", budget.used(Kind::kWorking)},
      {"analysesWaitingForMemory", service.waiting_for_memory},
      {"analysesRefusedBudgetFull", service.refused_budget_full},
      {"analysesRefusedTooLarge", service.refused_never_fits},
      {"engineInstances", analysis::loaded_instances()},
      {"processRssBytes", status_bytes("VmRSS")},
      {"processAnonRssBytes", anon},
      {"processPeakRssBytes", status_bytes("VmHWM")},
      {"heapInUseBytes", heap_in_use()},
      {"outsideBudgetBytes", anon > budget.used() ? anon - budget.used() : 0},
  };
}

}  // namespace

std::string render_stats(const Filesystem& fs) {
  using nlohmann::json;
  auto tree = fs.tree().stats();
  json out;
  out["images"] = tree.images;
  out["files"] = tree.files;
  out["directories"] = tree.directories;
  out["sidecarsComputed"] = tree.sidecars_computed;
  out["bytesUsed"] = tree.bytes_used;
  out["bytesBudget"] = tree.bytes_limit;
  out["evictions"] = tree.evictions;
  out["ttlSeconds"] = std::chrono::duration<double>(fs.tree().ttl()).count();

  json analyses = json::object();
  auto counters = fs.scheduler() ? fs.scheduler()->counters() : std::map<std::string, sidecars::Counters>{};
  analysis::ServiceStats service;
  if (fs.service()) service = fs.service()->stats();
  std::uint64_t hits = 0;
  auto names = fs.sidecar_analyzers();
  // The composed sidecars: "all" is NAME.json.
  for (const char* composed : {"all", "xmp", "annotated"}) names.push_back(composed);
  for (const auto& name : names) {
    const auto c = counters.count(name) ? counters.at(name) : sidecars::Counters{};
    json a;
    a["computed"] = c.computed;  // sidecars computed (cache misses)
    a["cacheHits"] = c.hits;     // reads served from a computed sidecar
    a["waiting"] = c.waiting;
    hits += c.hits;
    if (auto it = service.analyzers.find(name); it != service.analyzers.end()) {
      a["runs"] = it->second.runs;
      a["errors"] = it->second.errors;
      a["latencyMs"] = {{"p50", it->second.p50_ms}, {"p90", it->second.p90_ms},
                        {"p99", it->second.p99_ms}, {"max", it->second.max_ms}};
    } else if (name != "all" && name != "xmp" && name != "annotated") {
      a["runs"] = 0;
      a["errors"] = 0;
    }
    analyses[name] = a;
  }
  out["analyses"] = analyses;
  out["cacheHits"] = hits;
  out["decodes"] = {{"count", service.decodes}, {"errors", service.decode_errors},
                    {"sharedHits", service.decoded_cache_hits},
                    // image versions whose pixels are held now: 0 once every image has gone
                    {"versionsHeld", fs.service() ? fs.service()->decoded_versions() : 0}};
  out["workers"] = {{"threads", service.workers}, {"queued", service.queued}, {"running", service.running}};
  out["memory"] = render_memory(fs, service);
  return out.dump(2) + "\n";
}

std::string render_config(const Filesystem& fs) {
  using nlohmann::json;
  const auto& o = fs.options();
  json out;
  out["version"] = VISIONFS_VERSION;
  out["mountpoint"] = o.mountpoint;
  out["maxMemory"] = o.max_memory;
  out["ttlSeconds"] = std::chrono::duration<double>(o.ttl).count();
  out["maxPixels"] = o.max_pixels;
  out["minScore"] = o.min_score;
  out["workers"] = fs.service() ? fs.service()->stats().workers : 0;
  out["precompute"] = fs.precompute();
  out["modelsDir"] = o.models;
  out["allowOther"] = o.allow_other;
  out["analyzers"] = fs.sidecar_analyzers();
  out["sizes"] = o.exact_sizes ? "exact" : "lazy";
  out["tags"] = o.desktop_tags ? "on" : "off";
  // The sidecar kinds listings show (listed=): "json" is NAME.json.
  json listed = json::array();
  const bool all = o.listed && std::find(o.listed->begin(), o.listed->end(), "*") != o.listed->end();
  if (!o.listed || all) {
    listed = {"json", "xmp"};
    if (all) listed.push_back("annotated");
    for (const auto& name : fs.sidecar_analyzers()) listed.push_back(name);
  } else {
    for (const auto& kind : *o.listed) listed.push_back(kind.empty() ? "json" : kind);
  }
  out["listed"] = listed;
  json available = json::array();
  for (const auto& a : fs.catalog().available) {
    json entry = {{"name", a->name()}, {"version", a->version()}};
    for (const auto& [name, engine] : fs.catalog().engines) {
      if (name == a->name()) entry["engine"] = engine;
    }
    available.push_back(entry);
  }
  out["available"] = available;
  json unavailable = json::array();
  for (const auto& u : fs.catalog().unavailable) unavailable.push_back({{"name", u.name}, {"reason", u.reason}});
  out["unavailable"] = unavailable;
  return out.dump(2) + "\n";
}

}  // namespace visionfs::fs
