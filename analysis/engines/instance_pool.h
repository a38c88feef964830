#pragma once
// InstancePool<T>: lends out objects that are expensive to create and not
// thread-safe to use (cv::CascadeClassifier, tesseract::TessBaseAPI,
// cv::dnn::Net), one borrower at a time.
//
// Owns: every idle instance. A lease owns its instance while it is out and
// hands it back when destroyed. The pool creates a new instance only when
// none is idle, so it grows to the number of threads that ever used it at
// once (the analysis worker count) and never beyond; everything is freed
// with the pool, unlike a thread_local cache, which would keep instances of
// a destroyed engine alive until each worker thread exits.
//
// Idle instances can be dropped (release_idle_instances()): an instance
// keeps working memory sized by the largest image it last saw (a cascade's
// image pyramid, a network's layer blobs: 40-90 MB measured after a load),
// so the daemon drops them all once it has been idle for a while, and the
// next borrower loads a fresh one (docs/PERFORMANCE.md, "Memory").
// Every pool registers itself in one process-wide list for that.
//
// Thread-safety: acquire() and the statistics are thread-safe; the instance
// a lease holds is the borrower's alone. Every lease must end before the
// pool is destroyed (the engine that owns the pool outlives its own calls).
// Lock order: the registry's mutex, then a pool's mutex; no instance is
// created or destroyed under a pool's mutex.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace visionfs::analysis {

// What every pool answers to the registry (any T).
class PoolBase {
 public:
  PoolBase() = default;
  virtual ~PoolBase() = default;
  PoolBase(const PoolBase&) = delete;
  PoolBase& operator=(const PoolBase&) = delete;

  // Destroys the idle instances; returns how many.
  virtual std::size_t release_idle() = 0;
  // Instances alive: idle and lent out.
  virtual std::size_t instances() const = 0;

 protected:
  // Joins and leaves the registry: called by the derived pool once it is
  // whole, and first thing in its destructor, so the registry never calls
  // into a pool that is half built or half destroyed.
  void enroll();
  void withdraw();
};

// Drops the idle instances of every pool in the process. Returns how many.
std::size_t release_idle_instances();
// Instances alive in every pool (for stats.json).
std::size_t loaded_instances();

template <typename T>
class InstancePool final : public PoolBase {
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
  explicit InstancePool(Factory factory) : factory_(std::move(factory)) { enroll(); }
  ~InstancePool() override { withdraw(); }

  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto instance = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(instance));
      }
    }
    auto instance = factory_();
    std::lock_guard lock(mutex_);
    ++alive_;
    return Lease(this, std::move(instance));
  }

  // How many instances are idle now (tests and statistics).
  std::size_t idle_count() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
  }

  std::size_t instances() const override {
    std::lock_guard lock(mutex_);
    return alive_;
  }

  std::size_t release_idle() override {
    std::vector<std::unique_ptr<T>> dropped;  // destroyed after unlocking
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
    alive_ -= dropped.size();
    return dropped.size();
  }

 private:
  void give_back(std::unique_ptr<T> instance) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(instance));
  }

  Factory factory_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<T>> idle_;
  std::size_t alive_ = 0;
};

}  // namespace visionfs::analysis
