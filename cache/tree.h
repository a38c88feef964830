#pragma once
// Tree: the memory-only filesystem core. Directories, files, extended
// attributes, the budget, the TTL index and the sidecar nodes of images.
// It knows nothing of FUSE or OpenCV: fs/ adapts kernel requests to it, and
// the image test and sidecar names are injected.
//
// One class, one mutex, implemented by concern (docs/design.md, "Layers"):
//   cache/tree.cpp            nodes, inode table, lookup counts, attributes
//   cache/tree_namespace.cpp  mkdir, create, unlink, rmdir, rename, listings
//   cache/tree_content.cpp    open, read, write, truncate, release
//   cache/tree_xattr.cpp      extended attributes
//   cache/sidecar_index.cpp   sidecar names, resolution, detaching, results
//   cache/tree_expiry.cpp     the expiry index (cache/expiry_index.h), eviction
//   cache/tree_departed.cpp   sidecar names gone with a renamed or removed image
//   cache/tree_hidden.cpp     every directory's .hidden list of computed names
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
// Thread-safety: every public method is thread-safe (mu_). Node fields are
// guarded by mu_ too (cache/node.h). Nodes that die in an operation are
// destroyed after mu_ is released, because destroying wipes their bytes:
// every mutating method runs in a Transaction, which owns that order.
// Lock order: Tree::mu_ is a leaf; nothing outside the Tree is called while
// holding it.

#include "cache/clock.h"
#include "cache/expiry_index.h"
#include "cache/memory_budget.h"
#include "cache/node.h"
#include "cache/thread_annotations.h"
#include "cache/tree_types.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace visionfs::cache {

class Tree {
 public:
  Tree(const Clock& clock, MemoryBudget& budget, TreeOptions options);
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  // `asking`: the requesting thread (see sidecar_shown_locked), 0 if unknown.
  Errno lookup(Ino parent, const std::string& name, Entry* out, pid_t asking = 0);
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
  // follows, detaches it). For anyone else a computed sidecar name goes
  // until its image's bytes change (docs/design.md, "Your files win").
  Errno unlink(Ino parent, const std::string& name, const ExpiryTarget* evicting = nullptr);
  Errno rmdir(Ino parent, const std::string& name, const ExpiryTarget* evicting = nullptr);
  Errno rename(Ino parent, const std::string& name, Ino new_parent, const std::string& new_name,
               unsigned flags);

  Errno open(const NodePtr& node, int flags, OpenResult* out);
  // REQUIRES: `node` was opened with `flags`.
  ReleaseResult release(const NodePtr& node, int flags);
  Errno read(const NodePtr& node, off_t offset, std::size_t size, ReadResult* out);
  Errno write(const NodePtr& node, off_t offset, std::span<const std::uint8_t> bytes);

  Errno readdir(Ino ino, std::vector<DirEntry>* out, Ino* parent_ino, pid_t asking = 0);
  // Whether `name` in directory `dir` still is node `ino` with attributes to
  // hand out (a linked file or directory, or a computed sidecar of the
  // image's current version); fills `out` if so. A listing taken earlier
  // must not bring back what was removed, replaced or rewritten since.
  bool current_entry(Ino dir, const std::string& name, Ino ino, Entry* out);

  Errno setxattr(Ino ino, const std::string& name, std::span<const std::uint8_t> value, int flags);
  Errno getxattr(Ino ino, const std::string& name, std::vector<std::uint8_t>* value);
  Errno listxattr(Ino ino, std::vector<std::string>* names);
  Errno removexattr(Ino ino, const std::string& name);

  // .hidden (cache/tree_hidden.cpp): what a read-only open of a
  // directory's computed list, or of a .hidden the user wrote, reads.
  Errno hidden_list_text(const NodePtr& node, std::string* out);
  bool is_hidden_list(const NodePtr& node) const;
  // An open for writing with O_TRUNC of a computed name (a sidecar, a
  // .hidden): the user replaces it with their own empty file under that name
  // (mode & 0777), which then shadows it. The caller answers ESTALE, so the
  // kernel looks the name up again and opens the new file.
  Errno replace_computed(const NodePtr& node, mode_t mode, const Caller& caller);

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

  // Departed sidecar names: when the user renames or removes an image, the
  // sidecar names a listing showed go too, but a directory watcher (Nautilus,
  // Dolphin, inotifywait) hears of them only through a VFS unlink on the
  // mount (fuse-lessons.md section 2). So they are queued here, and the
  // evictor unlinks them through the mount: only its requests look them up
  // (as empty, unlinked files) and unlink them (which removes nothing else).
  std::vector<DepartedName> departed() const;
  Errno lookup_departed(Ino parent, const std::string& name, Entry* out);
  Errno unlink_departed(Ino parent, const std::string& name);
  // Drops what is left of `names` (the mount could not be reached).
  void forget_departed(const std::vector<DepartedName>& names);
  // Arrived sidecar names, the other way round: names that appeared with a
  // renamed image, or with a new image when its last writer closed it. The
  // evictor makes each through the mount (mknod), so that watchers get
  // IN_CREATE: its lookup of such a name is told ENOENT (is_arrived), and
  // its mknod is answered with the existing sidecar (mknod_arrived).
  std::vector<DepartedName> arrived();
  // Whether arrived names are still queued (some wait for their directory
  // to go quiet): the evictor tries again after another quiet period.
  bool arrivals_waiting() const;
  bool is_arrived(Ino parent, const std::string& name) const;
  Errno mknod_arrived(Ino parent, const std::string& name, Entry* out);
  void forget_arrived(const std::vector<DepartedName>& names);

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

  // One operation under mu_: takes the lock, collects the nodes that die in
  // it, and wipes them after unlocking (destroying a node wipes its bytes;
  // no one should wait on mu_ for that). Every mutating method runs in one.
  class SCOPED_CAPABILITY Transaction {
   public:
    explicit Transaction(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
    ~Transaction() RELEASE() {
      mu_.unlock();
      dead.clear();  // the wipe, outside the lock
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Graveyard dead;

   private:
    Mutex& mu_;
  };

  NodePtr new_node(NodeKind kind, mode_t mode, const Caller& caller) REQUIRES(mu_);
  NodePtr dir_locked(Ino ino, Errno* err) const REQUIRES(mu_);
  NodePtr find_locked(Ino ino) const REQUIRES(mu_);
  void fill_stat_locked(const Node& node, struct stat* out) const REQUIRES(mu_);
  void link_locked(Node& dir, const std::string& name, const NodePtr& child) REQUIRES(mu_);
  NodePtr unlink_child_locked(Node& dir, const std::string& name, Graveyard& dead) REQUIRES(mu_);
  void maybe_drop_inode_locked(const NodePtr& node, Graveyard& dead) REQUIRES(mu_);
  void touch_dir_locked(Node& dir) REQUIRES(mu_);
  void reindex_locked(Node& node) REQUIRES(mu_);
  bool is_image_locked(Node& file) const REQUIRES(mu_);  // caches its answer in `file`
  // Whether `dir` is a new directory still being filled: made, and changed
  // since, each time less than kNameQuiet before the next change.
  bool filling_locked(Node& dir) const REQUIRES(mu_);
  // Sidecars of `image` become stale (rewritten, renamed or removed).
  void detach_sidecars_locked(Node& image, Graveyard& dead) REQUIRES(mu_);
  void queue_sidecar_invalidations_locked(const Node& dir, const std::string& image_name, const Node& image)
      REQUIRES(mu_);
  // The sidecar kinds a listing shows (-o listed=), NAME.json first.
  std::vector<std::string> listed_kinds() const;
  // The names a listing of `dir` shows for the image `image_name`.
  std::vector<std::string> listed_sidecar_names_locked(const Node& dir, const std::string& image_name) const
      REQUIRES(mu_);
  void queue_departed_locked(const Node& dir, const std::string& image_name) REQUIRES(mu_);
  void queue_arrived_locked(const Node& dir, const std::string& image_name) REQUIRES(mu_);
  // `asking`: the requesting thread for lookups and listings (0: anyone,
  // who does not see names still waiting for a copy to finish).
  NodePtr resolve_sidecar_locked(Node& dir, const std::string& name, pid_t asking = 0) REQUIRES(mu_);
  // The sidecar for `analyzer` of the image `image_name` in `dir`, if that is an image.
  NodePtr image_sidecar_locked(Node& dir, const std::string& image_name, const std::string& analyzer,
                               pid_t asking = 0) REQUIRES(mu_);
  NodePtr sidecar_for_locked(Node& image, const std::string& analyzer) REQUIRES(mu_);
  // Whether the sidecar `kind` of `image` (in `dir`) has a name now: the user
  // has not removed it, and a NAME.json or NAME.xmp of an image copied in
  // while its directory was being filled waits for kNameQuiet of quiet,
  // unless `asking` (a thread; 0 for nobody in particular) belongs to a
  // process that is not filling the directory.
  bool sidecar_shown_locked(const Node& dir, Node& image, const std::string& kind, pid_t asking = 0) const
      REQUIRES(mu_);
  static bool is_filler_locked(const Node& dir, pid_t thread);
  void note_filler_locked(Node& dir, pid_t thread) REQUIRES(mu_);
  // The user removed a computed name: it stays away until the image's bytes
  // change. False if the sidecar's image is gone.
  bool remove_sidecar_name_locked(Node& dir, const NodePtr& sidecar) REQUIRES(mu_);
  // The computed names of `dir`'s .hidden changed (mtime for KIO's cache).
  void note_hidden_names_changed_locked(Node& dir) REQUIRES(mu_);
  // The computed .hidden of `dir`: its text, and its node (null when the
  // user has their own, or nothing is listed).
  std::string hidden_text_locked(const Node& dir) const REQUIRES(mu_);
  NodePtr hidden_list_locked(Node& dir) REQUIRES(mu_);
  std::string sidecar_name(const std::string& image_name, const std::string& analyzer) const;
  Errno resize_locked(Node& file, std::size_t new_size) REQUIRES(mu_);
  static bool is_target(const Node& node, const ExpiryTarget* target);
  void content_changed_locked(Node& file, Graveyard& dead) REQUIRES(mu_);
  Errno open_locked(Node& node, int flags, OpenResult* out, Graveyard& dead) REQUIRES(mu_);
  Errno exchange_locked(Node& from_dir, const std::string& name, const NodePtr& src, Node& to_dir,
                        const std::string& new_name, const NodePtr& dst) REQUIRES(mu_);
  std::vector<std::string> path_locked(const Node& node) const REQUIRES(mu_);

  const Clock& clock_;
  MemoryBudget& budget_;
  const TreeOptions options_;

  mutable Mutex mu_;  // a leaf: guards everything below, and every Node's fields
  NodePtr root_ GUARDED_BY(mu_);
  std::map<Ino, NodePtr> inodes_ GUARDED_BY(mu_);  // linked or referenced nodes
  ExpiryIndex expiry_ GUARDED_BY(mu_);             // files, and empty directories
  std::vector<Notification> notifications_ GUARDED_BY(mu_);
  std::vector<std::pair<Ino, std::uint64_t>> dropped_versions_ GUARDED_BY(mu_);
  Ino next_ino_ GUARDED_BY(mu_) = kFirstDynamicIno;
  std::uint64_t evictions_ GUARDED_BY(mu_) = 0;
  std::set<std::pair<Ino, std::string>> departed_ GUARDED_BY(mu_);  // (directory, name)
  std::set<std::pair<Ino, std::string>> arrived_ GUARDED_BY(mu_);   // (directory, name)
  std::vector<DepartedName> named_paths_locked(const std::set<std::pair<Ino, std::string>>& names) const
      REQUIRES(mu_);
};

}  // namespace visionfs::cache
