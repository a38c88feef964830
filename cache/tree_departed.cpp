// Departed sidecar names (cache/tree.h): queued when the user renames or
// removes an image, looked up and unlinked by the evictor's requests only.

#include "cache/tree.h"
#include "cache/tree_internal.h"

#include <algorithm>

namespace visionfs::cache {

std::vector<std::string> Tree::listed_kinds() const {
  std::vector<std::string> kinds{kCombinedSidecar, kXmpSidecar, kAnnotatedSidecar};
  kinds.insert(kinds.end(), options_.sidecar_analyzers.begin(), options_.sidecar_analyzers.end());
  const auto& listed = options_.listed_sidecars;
  if (!listed) {
    std::erase(kinds, kAnnotatedSidecar);
  } else if (std::find(listed->begin(), listed->end(), "*") == listed->end()) {
    std::erase_if(kinds, [&](const std::string& k) { return std::find(listed->begin(), listed->end(), k) == listed->end(); });
  }
  return kinds;
}

std::vector<std::string> Tree::listed_sidecar_names_locked(const Node& dir, const std::string& image_name) const {
  std::vector<std::string> names;
  for (const auto& kind : listed_kinds()) {
    std::string name = sidecar_name(image_name, kind);
    // A name over NAME_MAX could be listed but never looked up (ls -l and
    // tar fail on it): an image with a very long name has no such sidecar.
    // A real file of that name shadows the sidecar.
    if (name.size() <= internal::kNameMax && !dir.children.count(name)) names.push_back(std::move(name));
  }
  return names;
}

void Tree::queue_departed_locked(const Node& dir, const std::string& image_name) {
  for (auto& name : listed_sidecar_names_locked(dir, image_name)) departed_.emplace(dir.ino, std::move(name));
}

void Tree::queue_arrived_locked(const Node& dir, const std::string& image_name) {
  for (auto& name : listed_sidecar_names_locked(dir, image_name)) arrived_.emplace(dir.ino, std::move(name));
}

std::vector<DepartedName> Tree::departed() const {
  MutexLock lock(mu_);
  return named_paths_locked(departed_);
}

std::vector<DepartedName> Tree::arrived() {
  MutexLock lock(mu_);
  // Only names that exist now. A NAME.json or NAME.xmp still waiting for
  // its directory to go quiet stays queued for a later batch; a name the
  // user's own file holds, or removed, is not announced.
  std::set<std::pair<Ino, std::string>> shown;
  for (auto it = arrived_.begin(); it != arrived_.end();) {
    const auto& [dir_ino, name] = *it;
    auto dir = find_locked(dir_ino);
    const bool is_dir = dir && dir->kind == NodeKind::kDirectory;
    if (is_dir && !dir->children.count(name) && resolve_sidecar_locked(*dir, name)) {
      shown.insert(*it++);
    } else if (is_dir && filling_locked(*dir)) {
      ++it;
    } else {
      it = arrived_.erase(it);
    }
  }
  return named_paths_locked(shown);
}

bool Tree::arrivals_waiting() const {
  MutexLock lock(mu_);
  return !arrived_.empty();
}

std::vector<DepartedName> Tree::named_paths_locked(const std::set<std::pair<Ino, std::string>>& names) const {
  std::vector<DepartedName> out;
  for (const auto& [dir_ino, name] : names) {
    auto dir = find_locked(dir_ino);
    if (!dir || dir->kind != NodeKind::kDirectory || (!dir->linked && dir_ino != kRootIno)) continue;
    out.push_back({dir_ino, path_locked(*dir), name});
  }
  return out;
}

Errno Tree::lookup_departed(Ino parent, const std::string& name, Entry* out) {
  MutexLock lock(mu_);
  if (!departed_.count({parent, name})) return ENOENT;
  // An empty, unlinked stand-in: the kernel needs a node to unlink, and
  // this one exists only until it forgets it.
  auto ghost = std::make_shared<Node>(next_ino_++, NodeKind::kSidecar, &budget_);
  ghost->mode = S_IFREG | 0444;
  ghost->linked = false;
  inodes_[ghost->ino] = ghost;
  out->node = ghost;
  fill_stat_locked(*ghost, &out->attr);
  return 0;
}

Errno Tree::unlink_departed(Ino parent, const std::string& name) {
  Transaction tx(mu_);
  if (departed_.erase({parent, name}) == 0) return ENOENT;
  // The name may lead somewhere again (a new image of the old name): then
  // it must not vanish from the watchers' view.
  auto dir = find_locked(parent);
  if (dir && (dir->children.count(name) || resolve_sidecar_locked(*dir, name))) return ESTALE;
  return 0;
}

void Tree::forget_departed(const std::vector<DepartedName>& names) {
  MutexLock lock(mu_);
  for (const auto& d : names) departed_.erase({d.dir, d.name});
}

bool Tree::is_arrived(Ino parent, const std::string& name) const {
  MutexLock lock(mu_);
  return arrived_.count({parent, name}) > 0;
}

Errno Tree::mknod_arrived(Ino parent, const std::string& name, Entry* out) {
  MutexLock lock(mu_);
  if (arrived_.erase({parent, name}) == 0) return EEXIST;
  auto dir = find_locked(parent);
  auto sidecar = dir && dir->kind == NodeKind::kDirectory ? resolve_sidecar_locked(*dir, name) : nullptr;
  if (!sidecar) return ENOENT;  // gone again meanwhile: nothing to announce
  out->node = sidecar;
  fill_stat_locked(*sidecar, &out->attr);
  return 0;
}

void Tree::forget_arrived(const std::vector<DepartedName>& names) {
  MutexLock lock(mu_);
  for (const auto& d : names) arrived_.erase({d.dir, d.name});
}

}  // namespace visionfs::cache
