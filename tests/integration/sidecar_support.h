#pragma once
// Helpers for the sidecar integration tests (sidecar_*_test.cpp): a mount
// fixture whose analyzers and models are chosen per suite, access to the
// control files .visionfs/stats.json and config.json, errno probes through
// Python (so a test sees the exact errno a syscall got, not a tool's
// wording), builders of malformed image files, and an strace log reader.
//
// Everything reads the mount through run() (under timeout), as MountFixture
// requires, so a hung daemon fails a test instead of hanging it.
// Thread-safety: none; gtest runs each test on one thread.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/mount_fixture.h"

namespace visionfs::itest {

// A photo shipped by Debian's opencv-doc (messi5.jpg, HappyFish.jpg, ...).
std::string sample_image(const std::string& name);

// One of Python's imghdr test images (16x16 samples of many formats:
// python.webp, python.exr, python.ppm, ...) from the system's or a pyenv
// interpreter's test suite; empty when none is installed.
std::string imghdr_sample(const std::string& name);

// The models directory the tests were configured with (VISIONFS_MODELS_DIR);
// empty when model tests must skip.
std::string models_dir();

// Sorted copy, for comparing name lists.
std::vector<std::string> sorted(std::vector<std::string> v);

// NAME.json plus NAME.<a>.json for each analyzer, sorted.
// NAME.json, NAME.xmp and NAME.<analyzer>.json of `image`, sorted.
std::vector<std::string> sidecar_names(const std::string& image, const std::vector<std::string>& analyzers);
// The analyzers of `available` whose results NAME.json (Google's
// AnnotateImageResponse) is made of.
std::vector<std::string> name_json_analyzers(const std::vector<std::string>& available);

// Parses JSON; on failure returns a JSON null and records a test failure
// naming `what` and showing the text.
nlohmann::json parse_or_fail(const std::string& text, const std::string& what);

// Resident set size of a process in KiB (VmRSS; VmHWM for its peak), or -1.
long rss_kib(pid_t pid, const std::string& field = "VmRSS");

class SidecarFixture : public MountFixture {
 protected:
  // ttl=1h, max_memory=512M, models= (the configured directory when
  // with_models() and one exists, otherwise a directory that does not
  // exist, so a developer's ~/.local/share/visionfs/models never leaks in),
  // then extra_options().
  MountOptions mount_options() const override;
  virtual bool with_models() const { return true; }
  virtual std::vector<std::string> extra_options() const { return {}; }
  virtual std::vector<std::string> wrapper() const { return {}; }

  // The whole file, read with cat; ADD_FAILURE if cat fails.
  std::string cat(const std::string& rel);
  nlohmann::json read_json(const std::string& rel);
  nlohmann::json stats() { return read_json(".visionfs/stats.json"); }
  nlohmann::json config() { return read_json(".visionfs/config.json"); }
  // analyses.<analyzer>.<field> from a stats.json document (0 when absent).
  static std::uint64_t stat_of(const nlohmann::json& stats, const std::string& analyzer,
                               const std::string& field = "runs");
  // Names of config.json "available", in its order.
  std::vector<std::string> available_analyzers();

  // cp of an opencv-doc photo (or any local file when `source` is absolute)
  // to `rel` in the mount.
  void put(const std::string& source, const std::string& rel);

  // Runs `statement` in Python with p = m(rel) and q = m(rel2) and returns
  // "OK" or the errno name it raised (EACCES, EPERM, ...).
  std::string errno_of(const std::string& statement, const std::string& rel,
                       const std::string& rel2 = "");
};

// A malformed or unusual file for the robustness tests, written to `path`.
enum class Malformed {
  kTruncatedJpeg,   // the first 20000 bytes of messi5.jpg
  kHeaderOnlyJpeg,  // the first 300 bytes: a segment runs past the end
  kPngBomb,         // PNG whose IHDR says 100000x100000, valid CRCs
  kGifNoFrames,     // GIF89a header and screen descriptor, then the trailer
  kExrSignature,    // OpenEXR magic followed by garbage
  kPnmGarbage,      // "P6 640 480 255" header, far too few pixel bytes
  kHdrSignature,    // Radiance "#?RADIANCE" header and garbage
  kJp2Signature,    // JPEG 2000 signature box and garbage
  kRandomJpg,       // random bytes (no signature) named .jpg
  kTextPng,         // a text file named .png
  kEmpty,           // zero bytes
};
void write_malformed(Malformed kind, const std::string& path);

// Findings of an `strace -f -e trace=...` log of the daemon: every call that
// writes or removes a file, except opening /dev/fuse or /dev/null for
// writing and unlink/rmdir/rename of paths under `mountpoint` (the daemon
// removes expired files through its own mount).
struct TraceFindings {
  std::vector<std::string> violations;
  std::set<std::string> writable_opens;  // allowed ones, to prove the trace is real
  std::set<std::string> read_opens;      // everything opened read-only
  int calls = 0;
};
TraceFindings analyze_trace(const std::string& trace, const std::string& mountpoint);
extern const char* const kFileSyscalls;  // for strace -e

}  // namespace visionfs::itest
