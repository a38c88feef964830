#pragma once
// Tree: the memory-only filesystem core. Directories, files, extended
// attributes, the budget, the TTL index and the sidecar nodes of images.
// It knows nothing of FUSE or OpenCV: fs/ adapts kernel requests to it, and
// the image test and sidecar names are injected.
//
// Errors are returned as errno values (0 = success); nothing here throws on
// the request path except std::bad_alloc.
//
// Kernel references: lookup() resolves without counting; the adapter calls
// ref() when it hands an entry to the kernel, and forget() when the kernel
// drops it. A node stays addressable by inode number while it is linked or
// referenced.
//
// Notifications: operations that make a name the kernel may have cached
// stale (a sidecar of a rewritten, renamed or removed image) queue a
// Notification; the adapter drains them with take_notifications() and sends
// them from its own thread, never from inside a request handler.
//
// Thread-safety: every public method is thread-safe (one mutex). Nodes that
// die are destroyed after the mutex is released, because destroying wipes
// their bytes. Lock order: Tree::mu_ is a leaf; nothing is called while
// holding it.

#include "cache/clock.h"
#include "cache/memory_budget.h"
#include "cache/node.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <functional>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace visionfs::cache {

using Errno = int;

inline constexpr Ino kRootIno = 1;
// Inode numbers below this are the adapter's own (control directory).
inline constexpr Ino kFirstDynamicIno = 16;
// The analyzer name of NAME.json, the sidecar that combines all the others.
inline const std::string kCombinedSidecar{};

struct TreeOptions {
  Duration ttl = std::chrono::hours(1);
  uid_t root_uid = 0;
  gid_t root_gid = 0;
  mode_t root_mode = 0755;
  // Sidecar analyzer names: NAME.<analyzer>.json, plus NAME.json for "".
  std::vector<std::string> sidecar_analyzers;
  // Whether bytes starting with `head` are an image (gets sidecars).
  std::function<bool(std::span<const std::uint8_t> head)> is_image;
  std::size_t sniff_bytes = 32;
};

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct Entry {
  NodePtr node;
  struct stat attr {};
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
  std::vector<std::string> sidecar_names;  // computed sidecars the kernel may know
  std::uint64_t bytes = 0;                 // file size, for the log
};

struct TreeStats {
  std::uint64_t files = 0, directories = 0, images = 0, sidecars_computed = 0;
  std::uint64_t bytes_used = 0, bytes_limit = 0;
  std::uint64_t evictions = 0;
};

class Tree {
 public:
  Tree(const Clock& clock, MemoryBudget& budget, TreeOptions options);
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  Errno lookup(Ino parent, const std::string& name, Entry* out);
  void ref(const NodePtr& node);
  void forget(Ino ino, std::uint64_t count);
  NodePtr find(Ino ino) const;

  Errno getattr(Ino ino, struct stat* out);
  Errno setattr(Ino ino, const SetAttr& changes, const Caller& caller, struct stat* out);

  Errno mkdir(Ino parent, const std::string& name, mode_t mode, const Caller& caller, Entry* out);
  // O_CREAT: creates, or opens an existing file (EEXIST with O_EXCL).
  Errno create(Ino parent, const std::string& name, mode_t mode, int flags, const Caller& caller,
               Entry* out, OpenResult* open_out);
  // `evicting`: the request is the evictor's own expiry of that target. It
  // removes the name only if it still is that target (ESTALE otherwise), and
  // a sidecar name of that image answers 0 without changing anything, so
  // that directory watchers see the sidecar go (the image's removal, which
  // follows, detaches it). Everyone else gets EPERM for a sidecar name.
  Errno unlink(Ino parent, const std::string& name, const ExpiryTarget* evicting = nullptr);
  Errno rmdir(Ino parent, const std::string& name, const ExpiryTarget* evicting = nullptr);
  Errno rename(Ino parent, const std::string& name, Ino new_parent, const std::string& new_name,
               unsigned flags);

  Errno open(const NodePtr& node, int flags, OpenResult* out);
  // REQUIRES: `node` was opened with `flags`.
  ReleaseResult release(const NodePtr& node, int flags);
  Errno read(const NodePtr& node, off_t offset, std::size_t size, ReadResult* out);
  Errno write(const NodePtr& node, off_t offset, std::span<const std::uint8_t> bytes);

  Errno readdir(Ino ino, std::vector<DirEntry>* out, Ino* parent_ino);
  // Whether `name` in directory `dir` still is node `ino` with attributes to
  // hand out (a linked file or directory, or a computed sidecar of the
  // image's current version); fills `out` if so. A listing taken earlier
  // must not bring back what was removed, replaced or rewritten since.
  bool current_entry(Ino dir, const std::string& name, Ino ino, Entry* out);

  Errno setxattr(Ino ino, const std::string& name, std::span<const std::uint8_t> value, int flags);
  Errno getxattr(Ino ino, const std::string& name, std::vector<std::uint8_t>* value);
  Errno listxattr(Ino ino, std::vector<std::string>* names);
  Errno removexattr(Ino ino, const std::string& name);

  // Sidecars.
  SidecarSource sidecar_source(const NodePtr& sidecar);
  // Stores a computed result on the sidecar (charged to the budget even past
  // its limit: a sidecar the user asked for must not fail). Fills `out`.
  void complete_sidecar(const NodePtr& sidecar, std::string_view result, struct stat* out);
  bool is_image_file(const NodePtr& node);
  // The computed result of a sidecar, or null.
  std::shared_ptr<const SecureBuffer> sidecar_result(const NodePtr& sidecar) const;
  // Whether `sidecar` is computed; if so, fills `out` with its attributes.
  bool sidecar_attr(const NodePtr& sidecar, struct stat* out) const;
  // The per-analyzer sidecars (in `analyzers` order) of the image version
  // that `combined` (a NAME.json) belongs to, taken in one step. Sets `err`
  // to ENOENT if the image is gone, ESTALE if it was rewritten.
  std::vector<NodePtr> sidecar_parts(const NodePtr& combined, const std::vector<std::string>& analyzers, Errno* err);
  // The sidecar node of `image` for `analyzer` at the image's current
  // version (created if needed); null if `image` is not a linked image.
  NodePtr sidecar_of(const NodePtr& image, const std::string& analyzer);

  // TTL.
  std::optional<TimePoint> next_expiry() const;
  std::vector<ExpiredEntry> expired(TimePoint now) const;
  // Removes an expired entry directly (when the unlink through the mount
  // could not be done). ENOENT if it is gone already, ESTALE if it changed
  // since it was found due.
  Errno evict(const ExpiryTarget& target);
  void count_eviction();

  std::vector<Notification> take_notifications();
  // Image versions that had sidecars and are now gone (rewritten, removed,
  // evicted): whoever keeps their decoded pixels must drop them.
  std::vector<std::pair<Ino, std::uint64_t>> take_dropped_versions();
  // Walks every node: for .visionfs/stats.json, not for hot paths.
  TreeStats stats() const;
  // Inodes addressable now (linked or referenced). O(1), for statfs.
  std::size_t inode_count() const;
  const MemoryBudget& budget() const { return budget_; }
  Duration ttl() const { return options_.ttl; }

 private:
  using Graveyard = std::vector<NodePtr>;

  NodePtr new_node(NodeKind kind, mode_t mode, const Caller& caller);
  NodePtr dir_locked(Ino ino, Errno* err) const;
  NodePtr find_locked(Ino ino) const;
  void fill_stat_locked(const Node& node, struct stat* out) const;
  void link_locked(Node& dir, const std::string& name, const NodePtr& child);
  NodePtr unlink_child_locked(Node& dir, const std::string& name, Graveyard& dead);
  void maybe_drop_inode_locked(const NodePtr& node, Graveyard& dead);
  void touch_dir_locked(Node& dir);
  void reindex_locked(Node& node);
  bool is_image_locked(Node& file);
  // Sidecars of `image` become stale (rewritten, renamed or removed).
  void detach_sidecars_locked(Node& image, Graveyard& dead);
  void queue_sidecar_invalidations_locked(const Node& dir, const std::string& image_name, const Node& image);
  NodePtr resolve_sidecar_locked(Node& dir, const std::string& name);
  NodePtr sidecar_for_locked(Node& image, const std::string& analyzer);
  std::string sidecar_name(const std::string& image_name, const std::string& analyzer) const;
  Errno resize_locked(Node& file, std::size_t new_size);
  static bool is_target(const Node& node, const ExpiryTarget* target);
  void content_changed_locked(Node& file, Graveyard& dead);
  std::vector<std::string> path_locked(const Node& node) const;

  const Clock& clock_;
  MemoryBudget& budget_;
  const TreeOptions options_;

  mutable std::mutex mu_;
  NodePtr root_;
  std::map<Ino, NodePtr> inodes_;                // linked or referenced nodes
  std::set<std::pair<TimePoint, Ino>> expiry_;  // files, and empty directories
  std::vector<Notification> notifications_;
  std::vector<std::pair<Ino, std::uint64_t>> dropped_versions_;
  Ino next_ino_ = kFirstDynamicIno;
  std::uint64_t evictions_ = 0;
};

}  // namespace visionfs::cache
