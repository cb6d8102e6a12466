#include "engine/event_loop.hpp"

#include <algorithm>

namespace sluice::engine {

namespace {
constexpr size_t kWorkers = 8;
}

EventLoop::EventLoop(const Clock& clock, std::function<void(TimePoint)> advance, bool autoAdvance)
    : clock_(clock), advance_(std::move(advance)), autoAdvance_(autoAdvance) {}

EventLoop::~EventLoop() {
  {
    std::lock_guard lock(workMu_);
    stopping_ = true;
  }
  workCv_.notify_all();
  for (auto& t : workers_) t.join();
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(mu_);
    ready_.push_back(std::move(task));
  }
  cv_.notify_one();
}

EventLoop::TimerId EventLoop::schedule(TimePoint at, Task task) {
  std::lock_guard lock(mu_);
  TimerId id = nextTimer_++;
  timers_.emplace(std::make_pair(at, id), std::move(task));
  timerIndex_.emplace(id, at);
  return id;
}

bool EventLoop::cancel(TimerId id) {
  std::lock_guard lock(mu_);
  if (auto it = timerIndex_.find(id); it != timerIndex_.end()) {
    timers_.erase(std::make_pair(it->second, id));
    timerIndex_.erase(it);
    return true;
  }
  if (auto it = realIndex_.find(id); it != realIndex_.end()) {
    realTimers_.erase(std::make_pair(it->second, id));
    realIndex_.erase(it);
    return true;
  }
  return false;
}

EventLoop::TimerId EventLoop::scheduleReal(std::chrono::steady_clock::duration after, Task task) {
  std::lock_guard lock(mu_);
  TimerId id = nextTimer_++;
  auto at = std::chrono::steady_clock::now() + after;
  realTimers_.emplace(std::make_pair(at, id), std::move(task));
  realIndex_.emplace(id, at);
  return id;
}

void EventLoop::beginExternal() {
  std::lock_guard lock(mu_);
  ++external_;
}

void EventLoop::endExternal() {
  {
    std::lock_guard lock(mu_);
    --external_;
  }
  cv_.notify_one();
}

void EventLoop::beginJob() {
  beginExternal();
  ++blockingJobs_;
}

void EventLoop::endJob() {
  --blockingJobs_;
  endExternal();
}

void EventLoop::advanceVirtual(Duration by, std::function<void()> done) {
  post([this, by, done = std::move(done)]() mutable {
    std::lock_guard lock(mu_);
    TimePoint from = advances_.empty() ? clock_.now() : advances_.back().target;
    advances_.push_back({from + by, std::move(done)});
  });
}

void EventLoop::runBlocking(std::function<void()> work, Task done) {
  beginExternal();
  ++blockingJobs_;
  {
    std::lock_guard lock(workMu_);
    // Start a thread unless an idle worker is free for this job: counting
    // queued jobs against all workers would leave a job waiting behind long
    // ones (a settle wait that waits for that very job, say).
    if (workers_.size() < kWorkers && work_.size() >= idleWorkers_) {
      workers_.emplace_back([this] { workerMain(); });
    }
    work_.push_back([this, work = std::move(work), done = std::move(done)]() mutable {
      work();
      post(std::move(done));
      --blockingJobs_;
      endExternal();
    });
  }
  workCv_.notify_one();
}

void EventLoop::workerMain() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(workMu_);
      ++idleWorkers_;
      workCv_.wait(lock, [&] { return stopping_ || !work_.empty(); });
      --idleWorkers_;
      if (work_.empty()) return;
      job = std::move(work_.front());
      work_.pop_front();
    }
    job();
  }
}

bool EventLoop::runUntil(const std::function<bool()>& finished) {
  for (;;) {
    if (finished()) return true;
    Task task;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (!ready_.empty()) {
          task = std::move(ready_.front());
          ready_.pop_front();
          break;
        }
        TimePoint now = clock_.now();
        if (!timers_.empty() && timers_.begin()->first.first <= now) {
          auto it = timers_.begin();
          timerIndex_.erase(it->first.second);
          task = std::move(it->second);
          timers_.erase(it);
          break;
        }
        auto steadyNow = std::chrono::steady_clock::now();
        if (!realTimers_.empty() && realTimers_.begin()->first.first <= steadyNow) {
          auto it = realTimers_.begin();
          realIndex_.erase(it->first.second);
          task = std::move(it->second);
          realTimers_.erase(it);
          break;
        }
        if (!advances_.empty() && advance_ && blockingJobs_.load() == 0) {
          // An explicit advance: step to the next timer inside the window, or
          // to the window's end once nothing inside it is left. Blocking work
          // in flight holds it: its completion may schedule timers inside the
          // window (a retry after a failed delivery), which must fire too.
          Advance& a = advances_.front();
          if (!timers_.empty() && timers_.begin()->first.first <= a.target) {
            TimePoint next = timers_.begin()->first.first;
            lock.unlock();
            advance_(next);
            lock.lock();
            continue;
          }
          TimePoint target = a.target;
          task = std::move(a.done);
          advances_.pop_front();
          lock.unlock();
          advance_(target);
          lock.lock();
          if (task) break;
          continue;
        }
        if (timers_.empty() && realTimers_.empty() && external_ == 0) return finished();
        if (clock_.isVirtual() && external_ == 0 && advance_ && autoAdvance_ && !timers_.empty() &&
            realTimers_.empty()) {
          // Nothing can happen before the next timer: jump to it.
          TimePoint next = timers_.begin()->first.first;
          lock.unlock();
          advance_(next);
          lock.lock();
          continue;
        }
        // Sleep until the earliest of: the next real-time timer, the next
        // timer on a real clock, or a post.
        auto deadline = std::chrono::steady_clock::time_point::max();
        if (!realTimers_.empty()) deadline = realTimers_.begin()->first.first;
        if (!clock_.isVirtual() && !timers_.empty()) {
          deadline = std::min(deadline, steadyNow + (timers_.begin()->first.first - now));
        }
        if (deadline == std::chrono::steady_clock::time_point::max()) {
          cv_.wait(lock);
        } else {
          cv_.wait_until(lock, deadline);
        }
      }
    }
    task();
  }
}

}  // namespace sluice::engine
