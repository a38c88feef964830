#pragma once
// InstancePool<T>: lends out objects that are expensive to create and not
// thread-safe to use (cv::CascadeClassifier, tesseract::TessBaseAPI), one
// borrower at a time.
//
// Owns: every idle instance. A lease owns its instance while it is out and
// hands it back when destroyed. The pool creates a new instance only when
// none is idle, so it grows to the number of threads that ever used it at
// once (the analysis worker count) and never beyond; everything is freed
// with the pool, unlike a thread_local cache, which would keep instances of
// a destroyed engine alive until each worker thread exits.
// Thread-safety: acquire() is thread-safe; the instance a lease holds is the
// borrower's alone. Every lease must end before the pool is destroyed (the
// engine that owns the pool outlives its own calls).

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace visionfs::analysis {

template <typename T>
class InstancePool {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  class Lease {
   public:
    Lease(InstancePool* pool, std::unique_ptr<T> instance) : pool_(pool), instance_(std::move(instance)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (instance_) pool_->give_back(std::move(instance_));
    }
    T& operator*() const { return *instance_; }
    T* operator->() const { return instance_.get(); }

   private:
    InstancePool* pool_;
    std::unique_ptr<T> instance_;
  };

  // `factory` runs outside the lock (it may take 100+ ms) and may throw; a
  // throw leaves the pool unchanged.
  explicit InstancePool(Factory factory) : factory_(std::move(factory)) {}
  InstancePool(const InstancePool&) = delete;
  InstancePool& operator=(const InstancePool&) = delete;

  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto instance = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(instance));
      }
    }
    return Lease(this, factory_());
  }

  // How many instances are idle now (tests and statistics).
  std::size_t idle_count() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }

 private:
  void give_back(std::unique_ptr<T> instance) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(instance));
  }

  Factory factory_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace visionfs::analysis
