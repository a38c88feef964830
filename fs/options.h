#pragma once
// Options: the daemon's command line, parsed with libfuse's option parser so
// that `visionfs -o ttl=2h MNT`, `mount -t fuse.visionfs none MNT -o ttl=2h`
// (mount.fuse3 passes a source argument first) and /etc/fstab all work.
//
// Owns: the fuse_args that remain for fuse_session_new (libfuse's own mount
// options). Not thread-safe; used once at start-up.

#include <fuse_lowlevel.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace visionfs::fs {

struct Options {
  std::string mountpoint;  // absolute
  bool foreground = false;
  bool debug = false;
  bool single_thread = false;
  bool show_help = false;
  bool show_version = false;
  bool allow_other = false;
  unsigned max_idle_threads = 10;
  unsigned max_threads = 10;

  std::uint64_t max_memory = 0;  // bytes; default derived from RAM
  std::chrono::milliseconds ttl = std::chrono::hours(1);
  std::optional<std::vector<std::string>> analyzers;  // unset: all that can run
  std::vector<std::string> precompute;                // analyzer names; "all" expanded later
  bool precompute_all = false;
  std::uint64_t max_pixels = 100'000'000;
  std::string models;  // -o models=; empty: $VISIONFS_MODELS, then the default
  float min_score = 0.3f;
  unsigned workers = 0;  // 0: one per core
  // unload_idle=: after this long without an analysis, the engines
  // (networks, Tesseract, cascades) and their working memory are freed;
  // the next analysis loads them again. 0: never.
  std::chrono::milliseconds unload_idle = std::chrono::seconds(60);
  std::string log_level = "info";
  // sizes=exact: a stat of a sidecar computes it, so its size is exact from
  // the first look. Default (lazy): a stat answers at once with size 0, and
  // only opening a sidecar computes it (docs/design.md, "Sidecars").
  bool exact_sizes = false;
  // listed=: which sidecar kinds a directory listing shows (analyzer names,
  // "" for NAME.json, "xmp", "annotated"; "*" for all). Unset: all but
  // annotated; empty: none. Every sidecar still opens by its name whatever
  // this says.
  std::optional<std::vector<std::string>> listed;
  // tags=on (default): images carry user.xdg.tags and user.xdg.comment,
  // computed when read (sidecars/desktop_tags.h).
  bool desktop_tags = true;

  fuse_args fuse{};  // what is left for libfuse
  ~Options();
};

// Parses argv. Returns false and fills `error` on a bad option.
bool parse_options(int argc, char** argv, Options* out, std::string* error);

std::optional<std::uint64_t> parse_size(const std::string& text);
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);
std::vector<std::string> split_list(const std::string& text);

void print_usage(const char* program);

}  // namespace visionfs::fs
