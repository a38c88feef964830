#pragma once
// Clang's thread-safety annotations (leveldb's port/thread_annotations.h is
// the model): what each mutex guards and which functions need it held are
// written in the code and checked by -Wthread-safety in a clang build
// (scripts/test.sh --tsan). Other compilers ignore them.
// Mutex and MutexLock are std::mutex and std::lock_guard with those
// annotations (libstdc++'s own carry none).

#include <mutex>

#if defined(__clang__)
#define VISIONFS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define VISIONFS_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) VISIONFS_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY VISIONFS_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) VISIONFS_THREAD_ANNOTATION(guarded_by(x))
#define REQUIRES(...) VISIONFS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) VISIONFS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) VISIONFS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) VISIONFS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

namespace visionfs::cache {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace visionfs::cache
