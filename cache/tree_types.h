#pragma once
// The value types of cache::Tree's API: what callers pass in and get back.
// Plain data; no locking of their own.

#include "cache/clock.h"
#include "cache/node.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace visionfs::cache {

// Whether an open with `flags` would change a file (write access or
// O_TRUNC): what read-only files (sidecars, control files) refuse with EACCES.
inline bool opens_for_change(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC); }

using Errno = int;

inline constexpr Ino kRootIno = 1;
// Inode numbers below this are the adapter's own (control directory).
inline constexpr Ino kFirstDynamicIno = 16;
// The analyzer name of NAME.json, the sidecar that combines all the others.
inline const std::string kCombinedSidecar{};
// The analyzer name of NAME.xmp, composed from the same parts (sidecars/xmp.h).
inline const std::string kXmpSidecar{"xmp"};
// The analyzer name of NAME.annotated.jpg (sidecars/annotated.h).
inline const std::string kAnnotatedSidecar{"annotated"};
// How long a directory must go without a change before the NAME.json and
// NAME.xmp of images copied into it while it was being filled appear
// (docs/design.md, "Your files win"). The evictor announces arrived names
// after the same quiet.
inline constexpr std::chrono::seconds kNameQuiet{1};
// How many copying processes a directory being filled remembers.
inline constexpr std::size_t kMaxFillers = 8;
// The name of the list of computed names in every directory (freedesktop's
// hidden-files convention, read by GLib and KIO).
inline const std::string kHiddenList{".hidden"};
// Sidecars composed from the per-analyzer ones rather than computed.
inline bool is_composed_sidecar(const std::string& kind) {
  return kind == kCombinedSidecar || kind == kXmpSidecar || kind == kAnnotatedSidecar;
}

struct TreeOptions {
  Duration ttl = std::chrono::hours(1);
  uid_t root_uid = 0;
  gid_t root_gid = 0;
  mode_t root_mode = 0755;
  // Sidecar analyzer names: NAME.<analyzer>.json, plus NAME.json for "".
  std::vector<std::string> sidecar_analyzers;
  // The sidecar kinds readdir shows (names from sidecar_analyzers, "" for
  // NAME.json, "xmp", "annotated"; "*" for all). Unset: all but
  // "annotated" (a thumbnailer would compute every image's preview).
  // Lookup resolves every sidecar regardless.
  std::optional<std::vector<std::string>> listed_sidecars;
  // Whether bytes starting with `head` are an image (gets sidecars).
  std::function<bool(std::span<const std::uint8_t> head)> is_image;
  std::size_t sniff_bytes = 32;
};

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t thread = 0;  // the requesting thread, 0 if unknown (see process.h)
};

struct Entry {
  NodePtr node;
  struct stat attr {};
  // A name shown to one process while another may still be copying a file
  // of that name in (Tree::sidecar_shown_locked): the kernel must not keep
  // it, or the copier's O_EXCL create would be refused without asking us.
  bool provisional = false;
};

struct SetAttr {
  std::optional<mode_t> mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<off_t> size;
  std::optional<timespec> atime;  // tv_nsec == UTIME_NOW means now
  std::optional<timespec> mtime;
};

struct DirEntry {
  std::string name;
  Ino ino = 0;
  mode_t type = 0;         // S_IFDIR or S_IFREG
  bool attr_known = true;  // false for sidecars not computed yet
};

struct ReadResult {
  std::shared_ptr<const SecureBuffer> snapshot;  // keeps the bytes alive
  std::span<const std::uint8_t> bytes;
};

struct OpenResult {
  bool keep_cache = false;
  std::uint64_t version = 0;  // the file's content version at open
};

struct ReleaseResult {
  bool last_writer = false;   // no write handle is left open
  std::uint64_t version = 0;  // the file's content version now
};

// What a sidecar computation needs: an immutable snapshot of its image.
struct SidecarSource {
  std::shared_ptr<const SecureBuffer> content;
  Ino image_ino = 0;
  std::uint64_t image_version = 0;
  bool image_open_for_writing = false;
  bool image_linked = false;  // false once the image is removed or expired
  bool current = false;  // the sidecar still belongs to the image's current version
  std::string analyzer;
};

struct Notification {
  enum class Type { kInvalEntry, kInvalInode } type;
  Ino parent = 0;  // kInvalEntry
  std::string name;
  Ino ino = 0;  // kInvalInode
};

// What the evictor means to remove: the node that expired, as it was when
// it was found due. A node renewed since (rewritten) or another node at the
// same name (replaced by mv or cp) is not it.
struct ExpiryTarget {
  Ino ino = 0;
  TimePoint changed{};
};

struct ExpiredEntry {
  Ino ino = 0;
  TimePoint changed{};  // with `ino`: the ExpiryTarget
  bool is_dir = false;
  std::vector<std::string> path;           // from the root
  std::vector<std::string> sidecar_names;  // the image's listed sidecar names
  std::uint64_t bytes = 0;                 // file size, for the log
};

// A sidecar name that went with its image, and where: the directory's
// inode and its path from the root (at the time departed() was called).
struct DepartedName {
  Ino dir = 0;
  std::vector<std::string> dir_path;
  std::string name;
};

struct TreeStats {
  std::uint64_t files = 0, directories = 0, images = 0, sidecars_computed = 0;
  std::uint64_t bytes_used = 0, bytes_limit = 0;
  std::uint64_t evictions = 0;
};

}  // namespace visionfs::cache
