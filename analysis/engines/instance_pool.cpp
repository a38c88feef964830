#include "analysis/engines/instance_pool.h"

#include <set>

namespace visionfs::analysis {
namespace {

// Every live pool. Pools are made with their analyzers at start-up and
// destroyed with the catalog, so this list changes only then.
struct Registry {
  std::mutex mutex;
  std::set<PoolBase*> pools;
};

Registry& registry() {
  static Registry* instance = new Registry;  // never destroyed: pools may outlive static destruction order
  return *instance;
}

}  // namespace

void PoolBase::enroll() {
  std::lock_guard lock(registry().mutex);
  registry().pools.insert(this);
}

void PoolBase::withdraw() {
  std::lock_guard lock(registry().mutex);
  registry().pools.erase(this);
}

std::size_t release_idle_instances() {
  std::lock_guard lock(registry().mutex);
  std::size_t released = 0;
  for (auto* pool : registry().pools) released += pool->release_idle();
  return released;
}

std::size_t loaded_instances() {
  std::lock_guard lock(registry().mutex);
  std::size_t alive = 0;
  for (const auto* pool : registry().pools) alive += pool->instances();
  return alive;
}

}  // namespace visionfs::analysis
