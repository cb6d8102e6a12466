// The engine's single-threaded scheduler. Executions never block a thread:
// their steps are posted here, their Wait/Retry/timeout timers are kept here,
// and blocking work (function processes, SQL, I/O) runs on a worker pool and
// posts its completion back.
//
// Time comes from the injected Clock. With a virtual clock and auto-advance
// on, a loop that has nothing runnable and no outside work in flight jumps
// straight to its next timer: a 1-hour Wait costs nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.hpp"

namespace sluice::engine {

class EventLoop {
 public:
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  // `advance` moves a virtual clock (to a timer's deadline, or to the end of
  // an advanceVirtual window). With `autoAdvance`, an idle loop jumps to its
  // next timer by itself (sluice run, tests); without it time moves only
  // through advanceVirtual (the server's `--clock virtual`).
  EventLoop(const Clock& clock, std::function<void(TimePoint)> advance = {},
            bool autoAdvance = true);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  const Clock& clock() const { return clock_; }
  TimePoint now() const { return clock_.now(); }

  // Thread-safe: runs `task` on the loop thread.
  void post(Task task);
  // Loop thread only.
  TimerId schedule(TimePoint at, Task task);
  bool cancel(TimerId id);
  // Loop thread only: a timer on wall-clock time whatever the injected clock
  // is. For client-facing waits (long polls), which are not workflow time.
  TimerId scheduleReal(std::chrono::steady_clock::duration after, Task task);

  // Runs blocking `work` on the worker pool, then `done` on the loop thread.
  // While it runs, the virtual clock does not auto-advance.
  void runBlocking(std::function<void()> work, Task done);
  // Thread-safe: runBlocking jobs whose `done` is not posted yet, and jobs
  // begun with beginJob() and not ended.
  int blockingJobs() const { return blockingJobs_.load(); }
  // Thread-safe: work running elsewhere (a function's process) that counts
  // as a blocking job until endJob(): auto-advance waits for it, and so does
  // settling (/_sluice/idle, clock advances).
  void beginJob();
  void endJob();

  // Runs until `finished()` is true (checked after every task), or until
  // there is nothing left to do. Returns whether `finished()` became true.
  bool runUntil(const std::function<bool()>& finished);

  // Thread-safe: marks outside work that will post back later (e.g. a task
  // running in another process); auto-advance waits for it.
  void beginExternal();
  void endExternal();

  // Thread-safe, virtual clock only: moves time forward by `by`, firing every
  // timer due in that window in deadline order and letting the work each one
  // sets off run before stepping on; then `done` runs (on the loop thread)
  // with the clock at the end of the window. Outside work is not waited for.
  void advanceVirtual(Duration by, std::function<void()> done);

 private:
  struct Timer {
    TimePoint at;
    Task task;
  };
  void workerMain();

  const Clock& clock_;
  std::function<void(TimePoint)> advance_;
  bool autoAdvance_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> ready_;
  std::map<std::pair<TimePoint, TimerId>, Task> timers_;
  std::map<TimerId, TimePoint> timerIndex_;
  std::map<std::pair<std::chrono::steady_clock::time_point, TimerId>, Task> realTimers_;
  std::map<TimerId, std::chrono::steady_clock::time_point> realIndex_;
  TimerId nextTimer_ = 1;
  int external_ = 0;
  std::atomic<int> blockingJobs_{0};
  struct Advance {
    TimePoint target;
    std::function<void()> done;
  };
  std::deque<Advance> advances_;

  // Worker pool for blocking work (started lazily).
  std::mutex workMu_;
  std::condition_variable workCv_;
  std::deque<std::function<void()>> work_;
  std::vector<std::thread> workers_;
  size_t idleWorkers_ = 0;  // waiting for work; a job finds one or starts a thread
  bool stopping_ = false;
};

}  // namespace sluice::engine
