#pragma once
// Node: one inode of the in-memory filesystem: a directory, a regular file,
// or a sidecar (a read-only JSON file computed from an image file).
//
// Owns: its bytes (SecureBuffer, wiped when the last reference goes), its
// extended attributes, its children (directories) and its sidecars (image
// files). Releases everything it charged to the MemoryBudget on destruction,
// which happens only when no directory, kernel reference or open handle
// holds it.
// Thread-safety: every field except `ino`, `kind` and `budget` is guarded by
// the owning Tree's mutex. Content buffers, once handed out as
// shared_ptr<const SecureBuffer>, are immutable (writers copy on write).

#include "cache/clock.h"
#include "cache/memory_budget.h"
#include "cache/secure_buffer.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace visionfs::cache {

using Ino = std::uint64_t;

// kNameList: a directory's computed .hidden (cache/tree_hidden.cpp).
enum class NodeKind { kDirectory, kFile, kSidecar, kNameList };

struct Node;
using NodePtr = std::shared_ptr<Node>;

struct Node : std::enable_shared_from_this<Node> {
  Node(Ino ino_, NodeKind kind_, MemoryBudget* budget_) : ino(ino_), kind(kind_), budget(budget_) {}
  ~Node() {
    if (charged > 0) budget->release(charged, charge_kind());
  }
  // What `charged` counts: a sidecar's result, or what the user stored.
  MemoryBudget::Kind charge_kind() const {
    return kind == NodeKind::kSidecar ? MemoryBudget::Kind::kResult : MemoryBudget::Kind::kStored;
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const Ino ino;
  const NodeKind kind;
  MemoryBudget* const budget;

  // Attributes as stat(2) shows them (wall-clock times).
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  timespec atime{}, mtime{}, ctime{};

  // Place in the tree. `parent` is valid while `linked` (the parent holds us).
  Node* parent = nullptr;
  std::string name;
  bool linked = false;

  // Kernel references (lookup count), decremented by forget.
  std::uint64_t nlookup = 0;

  // TTL: steady time of the last change, and the key in Tree's expiry index.
  TimePoint changed{};
  std::optional<TimePoint> expires_at;

  std::map<std::string, SecureBuffer> xattrs;
  std::uint64_t charged = 0;  // bytes charged to the budget

  // kDirectory
  std::map<std::string, NodePtr> children;
  // Steady time of the last entry created, renamed or removed here, or of a
  // write to a file here. A new directory is being filled (cp -r, tar x)
  // from its creation until its first kNameQuiet without activity
  // (Tree::filling_locked); then `filling` stays false.
  TimePoint activity{};
  bool filling = false;
  // The processes (thread groups) that created files here while it was
  // being filled: the copiers whose O_EXCL creates a waiting name must not
  // meet. At most kMaxFillers; anyone else sees every name at once.
  std::vector<pid_t> fillers;
  // Its computed .hidden (made on the first lookup), and the wall time the
  // names in it last changed.
  NodePtr hidden_list;
  timespec hidden_names_changed{};

  // kFile
  std::shared_ptr<SecureBuffer> content;  // never null for a file
  std::uint64_t version = 0;              // bumped by every content change
  std::uint64_t version_at_last_open = 0; // page-cache coherence (keep_cache)
  std::uint32_t writers = 0;              // open handles with write access
  std::optional<bool> is_image;           // by magic bytes, valid for `is_image_version`
  std::uint64_t is_image_version = 0;
  bool names_announced = false;           // its sidecar names were announced to watchers
  // Created while its directory was being filled: its NAME.json and NAME.xmp
  // wait, for the directory's fillers, until the directory has been quiet
  // (Tree::sidecar_shown_locked), so that a library's own files of those
  // names can be copied in after it.
  bool names_wait_for_quiet = false;
  // Sidecar kinds the user removed (rm NAME.json): hidden until the bytes change.
  std::set<std::string> removed_sidecars;
  std::map<std::string, NodePtr> sidecars;  // analyzer ("" = combined) -> node, for `version`

  // kSidecar
  std::weak_ptr<Node> image;
  std::string analyzer;  // "" for the combined NAME.json
  std::uint64_t image_version = 0;
  std::shared_ptr<const SecureBuffer> result;  // null until computed
};

}  // namespace visionfs::cache
