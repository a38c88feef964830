// Tree: the sidecar index. Sidecar names are derived, never stored:
// NAME.json (kCombinedSidecar) and NAME.<analyzer>.json, resolved against the
// directory's images; sidecar nodes belong to one version of one image.

#include "cache/tree.h"
#include "cache/process.h"
#include "cache/tree_internal.h"

#include <algorithm>
#include <cerrno>

namespace visionfs::cache {

using internal::kJson;

std::string Tree::sidecar_name(const std::string& image_name, const std::string& analyzer) const {
  if (analyzer == kXmpSidecar) return image_name + ".xmp";
  if (analyzer == kAnnotatedSidecar) return image_name + ".annotated.jpg";
  return analyzer == kCombinedSidecar ? image_name + std::string(kJson) : image_name + "." + analyzer + std::string(kJson);
}

bool Tree::is_image_locked(Node& file) const {
  if (file.kind != NodeKind::kFile || !options_.is_image) return false;
  if (!file.is_image || file.is_image_version != file.version) {
    auto bytes = file.content->bytes();
    file.is_image = options_.is_image(bytes.first(std::min(bytes.size(), options_.sniff_bytes)));
    file.is_image_version = file.version;
  }
  return *file.is_image;
}

void Tree::queue_sidecar_invalidations_locked(const Node& dir, const std::string& image_name, const Node& image) {
  for (const auto& [analyzer, sidecar] : image.sidecars) {
    if (sidecar->nlookup > 0) {
      notifications_.push_back({Notification::Type::kInvalEntry, dir.ino, sidecar_name(image_name, analyzer), 0});
    }
  }
}

void Tree::detach_sidecars_locked(Node& image, Graveyard& dead) {
  if (!image.sidecars.empty()) {
    dropped_versions_.emplace_back(image.ino, image.sidecars.begin()->second->image_version);
  }
  for (auto& [analyzer, sidecar] : image.sidecars) {
    sidecar->linked = false;
    sidecar->parent = nullptr;
    if (sidecar->result && sidecar->charged > 0) {
      // The bytes live on while an open handle reads them; the budget is
      // given back now, as for the image itself.
      budget_.release(sidecar->charged, MemoryBudget::Kind::kResult);
      sidecar->charged = 0;
    }
    maybe_drop_inode_locked(sidecar, dead);
  }
  image.sidecars.clear();
}

NodePtr Tree::sidecar_for_locked(Node& image, const std::string& analyzer) {
  auto it = image.sidecars.find(analyzer);
  if (it != image.sidecars.end()) return it->second;
  auto sidecar = std::make_shared<Node>(next_ino_++, NodeKind::kSidecar, &budget_);
  sidecar->mode = S_IFREG | 0444;
  sidecar->uid = image.uid;
  sidecar->gid = image.gid;
  sidecar->atime = sidecar->mtime = sidecar->ctime = image.mtime;
  sidecar->parent = image.parent;
  sidecar->linked = true;
  sidecar->analyzer = analyzer;
  sidecar->image_version = image.version;
  sidecar->changed = image.changed;
  // The image node holds its sidecars; a sidecar holds its image weakly.
  sidecar->image = image.weak_from_this();
  image.sidecars[analyzer] = sidecar;
  inodes_[sidecar->ino] = sidecar;
  return sidecar;
}

NodePtr Tree::resolve_sidecar_locked(Node& dir, const std::string& name, pid_t asking) {
  if (name.size() > 4 && name.ends_with(".xmp")) {
    return image_sidecar_locked(dir, name.substr(0, name.size() - 4), kXmpSidecar, asking);
  }
  static constexpr std::string_view kAnnotatedSuffix = ".annotated.jpg";
  if (name.size() > kAnnotatedSuffix.size() && name.ends_with(kAnnotatedSuffix)) {
    return image_sidecar_locked(dir, name.substr(0, name.size() - kAnnotatedSuffix.size()), kAnnotatedSidecar, asking);
  }
  if (name.size() <= kJson.size() || !name.ends_with(kJson)) return nullptr;
  std::string stem = name.substr(0, name.size() - kJson.size());
  if (auto combined = image_sidecar_locked(dir, stem, kCombinedSidecar, asking)) return combined;
  auto dot = stem.rfind('.');
  if (dot == std::string::npos || dot == 0) return nullptr;
  std::string analyzer = stem.substr(dot + 1);
  if (std::find(options_.sidecar_analyzers.begin(), options_.sidecar_analyzers.end(), analyzer) ==
      options_.sidecar_analyzers.end()) {
    return nullptr;
  }
  return image_sidecar_locked(dir, stem.substr(0, dot), analyzer, asking);
}

NodePtr Tree::image_sidecar_locked(Node& dir, const std::string& image_name, const std::string& analyzer,
                                   pid_t asking) {
  auto it = dir.children.find(image_name);
  if (it == dir.children.end() || !is_image_locked(*it->second)) return nullptr;
  if (!sidecar_shown_locked(dir, *it->second, analyzer, asking)) return nullptr;
  return sidecar_for_locked(*it->second, analyzer);
}

bool Tree::sidecar_shown_locked(const Node& dir, Node& image, const std::string& kind, pid_t asking) const {
  if (image.removed_sidecars.count(kind)) return false;
  // Only the names other tools write for themselves (darktable's and
  // digiKam's NAME.xmp, Google Takeout's NAME.json) wait: cp -r creates
  // them with O_EXCL right after the photo, and the kernel refuses that
  // (EEXIST) without asking us once our name exists.
  if (!image.names_wait_for_quiet || (kind != kCombinedSidecar && kind != kXmpSidecar)) return true;
  if (clock_.now() - dir.activity >= kNameQuiet) {
    image.names_wait_for_quiet = false;
    return true;
  }
  // They wait only for the copiers: `cp a.jpg new/ && jq . new/a.jpg.json`
  // is another process, and finds the name at once (provisionally).
  return asking != 0 && !is_filler_locked(dir, asking);
}

bool Tree::is_filler_locked(const Node& dir, pid_t thread) {
  if (dir.fillers.empty()) return false;
  pid_t process = thread_group_of(thread);
  return std::find(dir.fillers.begin(), dir.fillers.end(), process) != dir.fillers.end();
}

void Tree::note_filler_locked(Node& dir, pid_t thread) {
  if (thread == 0 || !filling_locked(dir)) return;
  pid_t process = thread_group_of(thread);
  if (std::find(dir.fillers.begin(), dir.fillers.end(), process) != dir.fillers.end()) return;
  if (dir.fillers.size() == kMaxFillers) dir.fillers.erase(dir.fillers.begin());
  dir.fillers.push_back(process);
}

bool Tree::remove_sidecar_name_locked(Node& dir, const NodePtr& sidecar) {
  auto image = sidecar->image.lock();
  if (!image || !image->linked) return false;
  image->removed_sidecars.insert(sidecar->analyzer);
  touch_dir_locked(dir);
  note_hidden_names_changed_locked(dir);
  return true;
}

SidecarSource Tree::sidecar_source(const NodePtr& sidecar) {
  MutexLock lock(mu_);
  SidecarSource source;
  source.analyzer = sidecar->analyzer;
  auto image = sidecar->image.lock();
  if (!image) return source;
  source.image_ino = image->ino;
  source.image_version = sidecar->image_version;
  source.current = sidecar->linked && image->version == sidecar->image_version;
  source.image_linked = image->linked;
  source.content = image->content;
  source.image_open_for_writing = image->writers > 0;
  return source;
}

void Tree::complete_sidecar(const NodePtr& sidecar, std::string_view result, struct stat* out) {
  auto bytes = std::make_shared<const SecureBuffer>(result);
  MutexLock lock(mu_);
  if (!sidecar->result) {
    if (sidecar->linked) {
      budget_.force_charge(bytes->size(), MemoryBudget::Kind::kResult);
      sidecar->charged += bytes->size();
    }
    sidecar->result = std::move(bytes);
  }
  fill_stat_locked(*sidecar, out);
}

bool Tree::is_image_file(const NodePtr& node) {
  MutexLock lock(mu_);
  return is_image_locked(*node);
}

std::shared_ptr<const SecureBuffer> Tree::sidecar_result(const NodePtr& sidecar) const {
  MutexLock lock(mu_);
  return sidecar->result;
}

bool Tree::sidecar_attr(const NodePtr& sidecar, struct stat* out) const {
  MutexLock lock(mu_);
  if (!sidecar->result) return false;
  fill_stat_locked(*sidecar, out);
  return true;
}

std::vector<NodePtr> Tree::sidecar_parts(const NodePtr& combined, const std::vector<std::string>& analyzers,
                                         Errno* err) {
  MutexLock lock(mu_);
  auto image = combined->image.lock();
  std::vector<NodePtr> parts;
  if (!image || !image->linked) {
    *err = ENOENT;
  } else if (!combined->linked || image->version != combined->image_version) {
    *err = ESTALE;
  } else {
    for (const auto& analyzer : analyzers) parts.push_back(sidecar_for_locked(*image, analyzer));
    *err = 0;
  }
  return parts;
}

NodePtr Tree::sidecar_of(const NodePtr& image, const std::string& analyzer) {
  MutexLock lock(mu_);
  if (!image || image->kind != NodeKind::kFile || !image->linked || !is_image_locked(*image)) return nullptr;
  return sidecar_for_locked(*image, analyzer);
}

}  // namespace visionfs::cache
