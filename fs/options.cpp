#include "fs/options.h"

#include "analysis/core/catalog.h"

#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace visionfs::fs {
namespace {

// Raw strings captured by fuse_opt_parse before validation.
struct RawOptions {
  char* max_memory = nullptr;
  char* ttl = nullptr;
  char* analyzers = nullptr;
  char* precompute = nullptr;
  char* max_pixels = nullptr;
  char* models = nullptr;
  char* min_score = nullptr;
  char* workers = nullptr;
  char* unload_idle = nullptr;
  char* log_level = nullptr;
  char* sizes = nullptr;
  char* listed = nullptr;
  char* tags = nullptr;
  int allow_other = 0;
  std::vector<std::string> positional;
  std::vector<std::string> stray_list_items;  // see is_list_item
};

enum { kKeyAllowOther = 1 };

#define VISIONFS_OPT(templ, field) {templ, offsetof(RawOptions, field), 0}
const fuse_opt kOptionSpec[] = {
    VISIONFS_OPT("max_memory=%s", max_memory),
    VISIONFS_OPT("ttl=%s", ttl),
    VISIONFS_OPT("analyzers=%s", analyzers),
    VISIONFS_OPT("precompute=%s", precompute),
    VISIONFS_OPT("max_pixels=%s", max_pixels),
    VISIONFS_OPT("models=%s", models),
    VISIONFS_OPT("min_score=%s", min_score),
    VISIONFS_OPT("workers=%s", workers),
    VISIONFS_OPT("unload_idle=%s", unload_idle),
    VISIONFS_OPT("log_level=%s", log_level),
    VISIONFS_OPT("sizes=%s", sizes),
    VISIONFS_OPT("listed=%s", listed),
    VISIONFS_OPT("tags=%s", tags),
    FUSE_OPT_KEY("allow_other", kKeyAllowOther),
    FUSE_OPT_END,
};
#undef VISIONFS_OPT

// A word that belongs in one of our ':'-separated lists (analyzers=,
// precompute=, listed=) rather than standing alone.
bool is_list_item(const std::string& word) {
  const auto& known = analysis::all_analyzer_names();
  return std::find(known.begin(), known.end(), word) != known.end() || word == "json" || word == "xmp" ||
         word == "annotated";
}

int option_proc(void* data, const char* arg, int key, fuse_args*) {
  auto* raw = static_cast<RawOptions*>(data);
  if (key == FUSE_OPT_KEY_NONOPT) {
    raw->positional.emplace_back(arg);
    return 0;  // put back later, once we know which one is the mountpoint
  }
  if (key == kKeyAllowOther) {
    raw->allow_other = 1;
    return 1;  // keep it for libfuse
  }
  // -o analyzers=faces,text: the comma ends the option, and libfuse would
  // only say "unknown option(s): `-o text'". Kept to explain (our lists are
  // ':'-separated).
  if (key == FUSE_OPT_KEY_OPT && is_list_item(arg)) {
    raw->stray_list_items.emplace_back(arg);
    return 0;
  }
  return 1;
}

std::uint64_t default_max_memory() {
  // A quarter of physical memory: room for many photos, and for the
  // analyses' own working memory, which the budget does not count.
  auto pages = sysconf(_SC_PHYS_PAGES);
  auto page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 1ull << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 4;
}

void free_raw(RawOptions& raw) {
  for (char* p : {raw.max_memory, raw.ttl, raw.analyzers, raw.precompute, raw.max_pixels, raw.models,
                  raw.min_score, raw.workers, raw.unload_idle, raw.log_level, raw.sizes, raw.listed, raw.tags}) {
    free(p);
  }
}

}  // namespace

Options::~Options() { fuse_opt_free_args(&fuse); }

std::optional<std::uint64_t> parse_size(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno) return std::nullopt;
  std::string suffix(end);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  if (suffix.size() > 1 && suffix.back() == 'i') suffix.pop_back();  // 512MiB
  unsigned shift = 0;
  if (suffix.empty()) shift = 0;
  else if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (suffix == "T" || suffix == "t") shift = 40;
  else return std::nullopt;
  if (shift && value > (ULLONG_MAX >> shift)) return std::nullopt;
  return static_cast<std::uint64_t>(value) << shift;
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno || value < 0) return std::nullopt;
  std::string unit(end);
  double ms_per_unit = 0;
  if (unit.empty() || unit == "s") ms_per_unit = 1000;
  else if (unit == "ms") ms_per_unit = 1;
  else if (unit == "m" || unit == "min") ms_per_unit = 60e3;
  else if (unit == "h") ms_per_unit = 3600e3;
  else if (unit == "d") ms_per_unit = 86400e3;
  else return std::nullopt;
  double ms = value * ms_per_unit;
  if (ms < 1 || ms > 1e15) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::vector<std::string> split_list(const std::string& text) {
  // Commas separate -o options, so lists use ':' or '+' ("faces:text").
  std::vector<std::string> items;
  std::string current;
  for (char c : text) {
    if (c == ':' || c == '+' || c == ';') {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) items.push_back(current);
  return items;
}

namespace {

// listed=all|none|KIND:KIND... where a kind is "json" (NAME.json) or an
// analyzer name.
std::string parse_listed(const std::string& value, Options* out) {
  out->listed.emplace();
  if (value == "all") {
    out->listed->push_back("*");
    return {};
  }
  if (value == "none") return {};
  const auto& known = analysis::all_analyzer_names();
  for (const auto& kind : split_list(value)) {
    if (kind == "json") {
      out->listed->push_back("");
    } else if (kind == "xmp" || kind == "annotated") {
      out->listed->push_back(kind);
    } else if (std::find(known.begin(), known.end(), kind) != known.end()) {
      out->listed->push_back(kind);
    } else {
      return "unknown sidecar kind '" + kind + "' in listed=: use all, none, or json, xmp, annotated and analyzer names";
    }
  }
  return {};
}

// unload_idle=DURATION, or 0 / never.
std::string parse_unload_idle(const std::string& value, Options* out) {
  if (value == "0" || value == "never") {
    out->unload_idle = std::chrono::milliseconds::zero();
    return {};
  }
  auto duration = parse_duration(value);
  if (!duration) return "bad unload_idle '" + value + "': use a duration such as 30s or 10m, or never";
  out->unload_idle = *duration;
  return {};
}

// min_score, workers, unload_idle, log_level, sizes, listed.
std::string apply_tuning_options(const RawOptions& raw, Options* out) {
  if (raw.min_score) {
    char* end = nullptr;
    double score = std::strtod(raw.min_score, &end);
    if (*end || score < 0 || score > 1) return std::string("bad min_score '") + raw.min_score + "': use a number from 0 to 1";
    out->min_score = static_cast<float>(score);
  }
  if (raw.workers) {
    char* end = nullptr;
    long workers = std::strtol(raw.workers, &end, 10);
    if (*end || workers < 1 || workers > 256) return std::string("bad workers '") + raw.workers + "': use 1 to 256";
    out->workers = static_cast<unsigned>(workers);
  }
  if (raw.unload_idle) {
    if (auto message = parse_unload_idle(raw.unload_idle, out); !message.empty()) return message;
  }
  if (raw.log_level) {
    const std::string level = raw.log_level;
    static const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), level) == kLevels.end()) {
      return "bad log_level '" + level + "': use trace, debug, info, warn, error, critical or off";
    }
    out->log_level = level;
  }
  if (out->debug) out->log_level = "debug";
  if (raw.sizes) {
    std::string value = raw.sizes;
    if (value != "lazy" && value != "exact") return "bad sizes '" + value + "': use lazy or exact";
    out->exact_sizes = value == "exact";
  }
  if (raw.tags) {
    const std::string value = raw.tags;
    if (value != "on" && value != "off") return "bad tags '" + value + "': use on or off";
    out->desktop_tags = value == "on";
  }
  if (raw.listed) return parse_listed(raw.listed, out);
  return {};
}

}  // namespace

namespace {

// Our own -o options, checked; returns the error a user reads, or "".
std::string apply_visionfs_options(const RawOptions& raw, Options* out) {
  if (!raw.stray_list_items.empty()) {
    const std::string& word = raw.stray_list_items.front();
    return "'-o " + word + "' is not an option: lists are ':'-separated, as in -o analyzers=faces:" + word;
  }
  out->max_memory = default_max_memory();
  if (raw.max_memory) {
    auto size = parse_size(raw.max_memory);
    if (!size || *size < (1u << 20)) return std::string("bad max_memory '") + raw.max_memory + "': use a size of at least 1M such as 512M or 2G";
    out->max_memory = *size;
  }
  if (raw.ttl) {
    auto ttl = parse_duration(raw.ttl);
    if (!ttl) return std::string("bad ttl '") + raw.ttl + "': use a duration such as 30s, 10m, 2h or 1d";
    out->ttl = *ttl;
  }
  if (raw.analyzers) {
    out->analyzers = split_list(raw.analyzers);
    const auto& known = analysis::all_analyzer_names();
    for (const auto& name : *out->analyzers) {
      if (std::find(known.begin(), known.end(), name) == known.end()) return "unknown analyzer '" + name + "' in analyzers=";
    }
  }
  if (raw.precompute) {
    std::string value = raw.precompute;
    if (value == "all") out->precompute_all = true;
    else if (value != "none") out->precompute = split_list(value);
  }
  if (raw.max_pixels) {
    auto pixels = parse_size(raw.max_pixels);
    if (!pixels || *pixels == 0) return std::string("bad max_pixels '") + raw.max_pixels + "': use a count such as 100000000 or 100M";
    out->max_pixels = *pixels;
  }
  if (raw.models) out->models = raw.models;
  return apply_tuning_options(raw, out);
}

// What fuse_parse_cmdline understood (-f, -d, -s, the mountpoint).
std::string apply_cmdline(fuse_cmdline_opts& cmd, Options* out) {
  out->show_help = cmd.show_help;
  out->show_version = cmd.show_version;
  out->foreground = cmd.foreground;
  out->debug = cmd.debug;
  out->single_thread = cmd.singlethread;
  out->max_idle_threads = cmd.max_idle_threads;
  // fuse_parse_cmdline leaves max_threads at UINT_MAX when not given.
  out->max_threads = cmd.max_threads > 0 && cmd.max_threads <= 100000 ? cmd.max_threads : 10;
  if (cmd.mountpoint) {
    out->mountpoint = cmd.mountpoint;  // already made absolute by realpath
    free(cmd.mountpoint);
  }
  if (!out->show_help && !out->show_version && out->mountpoint.empty()) {
    return "no mountpoint given; usage: visionfs [options] MOUNTPOINT";
  }
  return {};
}

}  // namespace

bool parse_options(int argc, char** argv, Options* out, std::string* error) {
  fuse_args args = FUSE_ARGS_INIT(argc, argv);
  RawOptions raw;
  auto fail = [&](const std::string& message) {
    *error = message;
    fuse_opt_free_args(&args);
    free_raw(raw);
    return false;
  };
  if (fuse_opt_parse(&args, &raw, kOptionSpec, option_proc) != 0) return fail("cannot parse options");
  // mount.fuse3 runs "visionfs SOURCE MOUNTPOINT -o ..."; the source means
  // nothing to a memory filesystem.
  if (raw.positional.size() > 2) return fail("too many arguments; usage: visionfs [options] MOUNTPOINT");
  if (!raw.positional.empty()) fuse_opt_add_arg(&args, raw.positional.back().c_str());
  out->allow_other = raw.allow_other;
  if (out->allow_other) {
    // Without it the kernel would cache one user's permission decision and
    // apply it to the others (libfuse README): never allow_other alone.
    fuse_opt_add_arg(&args, "-odefault_permissions");
  }
  fuse_cmdline_opts cmd{};
  if (fuse_parse_cmdline(&args, &cmd) != 0) return fail("cannot parse the command line");
  if (auto message = apply_cmdline(cmd, out); !message.empty()) return fail(message);
  if (auto message = apply_visionfs_options(raw, out); !message.empty()) return fail(message);
  free_raw(raw);

  // No auto_unmount unless asked for: a killed daemon (SIGKILL, out of
  // memory) then leaves a dead mount that answers ENOTCONN until the user
  // runs `fusermount3 -u`, instead of a plain directory that a program still
  // writing by path would fill with private images, on disk (fail closed;
  // README "Privacy").
  fuse_opt_add_arg(&args, "-ofsname=visionfs");
  fuse_opt_add_arg(&args, "-osubtype=visionfs");
  out->fuse = args;
  return true;
}

void print_usage(const char* program) {
  std::printf(
      "usage: %s [options] MOUNTPOINT\n"
      "       mount -t fuse.visionfs none MOUNTPOINT -o OPTIONS\n\n"
      "A private, memory-only image analysis filesystem. Images copied in get\n"
      "sidecar JSON files (NAME.faces.json, NAME.text.json, ...) computed on read.\n\n"
      "visionfs options:\n"
      "    -o max_memory=SIZE     memory budget for files and results (512M, 2G; default: 1/4 of RAM)\n"
      "    -o ttl=DURATION        files vanish this long after their last change (30s, 10m, 2h, 1d; default 1h)\n"
      "    -o analyzers=LIST      analyzers to offer, ':'-separated (default: all that can run)\n"
      "    -o precompute=LIST     analyses to start when an image is closed after writing: LIST, all or none (default none)\n"
      "    -o listed=all|none|LIST which sidecars a listing shows: LIST is ':'-separated json (NAME.json),\n"
      "                           xmp (NAME.xmp), annotated (NAME.annotated.jpg) and analyzer names; every sidecar\n"
      "                           opens by its name whatever is listed (default: all but annotated)\n"
      "    -o tags=on|off         images carry user.xdg.tags and user.xdg.comment from their analysis, computed\n"
      "                           when read; a value the user sets wins (default on)\n"
      "    -o sizes=lazy|exact    a sidecar not read yet: size 0 until it is opened (lazy, default; stat computes\n"
      "                           nothing), or its exact size, which a stat computes (exact)\n"
      "    -o max_pixels=N        refuse images larger than N pixels (default 100000000)\n"
      "    -o models=DIR          models directory (default $VISIONFS_MODELS, then $XDG_DATA_HOME/visionfs/models)\n"
      "    -o min_score=X         minimum object detection score, 0..1 (default 0.3)\n"
      "    -o workers=N           analysis worker threads (default: one per core)\n"
      "    -o unload_idle=DURATION free the engines (networks, Tesseract) and their working memory after this long\n"
      "                           without an analysis; the next one loads them again (default 60s; never)\n"
      "    -o log_level=LEVEL     trace, debug, info, warn, error (default info)\n"
      "    -o allow_other         let other users in (implies default_permissions; needs user_allow_other)\n"
      "    -o auto_unmount        unmount when the daemon dies (off: a killed daemon leaves a dead mount that\n"
      "                           refuses writes until `fusermount3 -u MOUNTPOINT`, so nothing lands on disk)\n\n",
      program);
}

}  // namespace visionfs::fs
