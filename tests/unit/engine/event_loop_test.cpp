#include "engine/event_loop.hpp"

#include <gtest/gtest.h>

#include <future>
#include <optional>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sluice::engine {
namespace {

using std::chrono::seconds;

// An event loop on a manual clock that jumps to the next timer when idle.
struct VirtualLoop {
  ManualClock clock{TimePoint(seconds(1'700'000'000))};
  EventLoop loop{clock, [this](TimePoint t) { clock.set(t); }};
  TimePoint start = clock.now();
};

TEST(EventLoop, TimersFireInDeadlineOrderAtTheirExactDeadlines) {
  VirtualLoop v;
  std::vector<std::pair<int, TimePoint>> fired;
  for (int s : {30, 10, 20, 5}) {
    v.loop.schedule(v.start + seconds(s), [&, s] { fired.emplace_back(s, v.clock.now()); });
  }
  EXPECT_FALSE(v.loop.runUntil([] { return false; }));  // ran out of work
  ASSERT_EQ(fired.size(), 4u);
  int expected[] = {5, 10, 20, 30};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(fired[i].first, expected[i]);
    // The virtual clock jumped exactly to each deadline, no further.
    EXPECT_EQ(fired[i].second, v.start + seconds(expected[i]));
  }
  EXPECT_EQ(v.clock.now(), v.start + seconds(30));
}

TEST(EventLoop, TimersWithTheSameDeadlineFireInScheduleOrder) {
  VirtualLoop v;
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) v.loop.schedule(v.start + seconds(1), [&, i] { order.push_back(i); });
  (void)v.loop.runUntil([] { return false; });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(EventLoop, CancelledTimerNeverRunsAndCancelReportsWhetherItWasPending) {
  VirtualLoop v;
  bool cancelledRan = false, keptRan = false;
  auto id = v.loop.schedule(v.start + seconds(5), [&] { cancelledRan = true; });
  v.loop.schedule(v.start + seconds(10), [&] { keptRan = true; });
  EXPECT_TRUE(v.loop.cancel(id));
  EXPECT_FALSE(v.loop.cancel(id));  // already gone
  (void)v.loop.runUntil([] { return false; });
  EXPECT_FALSE(cancelledRan);
  EXPECT_TRUE(keptRan);
  // The clock only moved to the surviving timer.
  EXPECT_EQ(v.clock.now(), v.start + seconds(10));
}

TEST(EventLoop, CancelFromInsideAnEarlierTimer) {
  VirtualLoop v;
  bool laterRan = false;
  EventLoop::TimerId later = v.loop.schedule(v.start + seconds(2), [&] { laterRan = true; });
  v.loop.schedule(v.start + seconds(1), [&] { EXPECT_TRUE(v.loop.cancel(later)); });
  (void)v.loop.runUntil([] { return false; });
  EXPECT_FALSE(laterRan);
  EXPECT_EQ(v.clock.now(), v.start + seconds(1));
}

TEST(EventLoop, FiredTimerCannotBeCancelled) {
  VirtualLoop v;
  auto id = v.loop.schedule(v.start + seconds(1), [] {});
  (void)v.loop.runUntil([] { return false; });
  EXPECT_FALSE(v.loop.cancel(id));
}

TEST(EventLoop, TimersScheduledFromTimersKeepDeadlineOrder) {
  VirtualLoop v;
  std::vector<std::pair<std::string, TimePoint>> fired;
  v.loop.schedule(v.start + seconds(10), [&] {
    fired.emplace_back("a", v.clock.now());
    // Earlier than the pending 15 s timer: must run first.
    v.loop.schedule(v.clock.now() + seconds(3), [&] { fired.emplace_back("c", v.clock.now()); });
  });
  v.loop.schedule(v.start + seconds(15), [&] { fired.emplace_back("b", v.clock.now()); });
  (void)v.loop.runUntil([] { return false; });
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, "a");
  EXPECT_EQ(fired[1].first, "c");
  EXPECT_EQ(fired[1].second, v.start + seconds(13));
  EXPECT_EQ(fired[2].first, "b");
  EXPECT_EQ(fired[2].second, v.start + seconds(15));
}

TEST(EventLoop, PostedTasksRunBeforeTimersAndInPostOrder) {
  VirtualLoop v;
  std::vector<int> order;
  v.loop.schedule(v.start, [&] { order.push_back(3); });  // already due
  v.loop.post([&] { order.push_back(1); });
  v.loop.post([&] { order.push_back(2); });
  (void)v.loop.runUntil([] { return false; });
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(v.clock.now(), v.start);  // nothing needed time to pass
}

TEST(EventLoop, RunUntilStopsAsSoonAsFinished) {
  VirtualLoop v;
  int count = 0;
  for (int s = 1; s <= 5; ++s) v.loop.schedule(v.start + seconds(s), [&] { ++count; });
  EXPECT_TRUE(v.loop.runUntil([&] { return count == 2; }));
  EXPECT_EQ(count, 2);
  EXPECT_EQ(v.clock.now(), v.start + seconds(2));
  // The rest still runs later.
  EXPECT_FALSE(v.loop.runUntil([] { return false; }));
  EXPECT_EQ(count, 5);
}

TEST(EventLoop, RunBlockingRunsWorkOffTheLoopAndCompletesOnTheLoopThread) {
  VirtualLoop v;
  auto loopThread = std::this_thread::get_id();
  std::thread::id workThread, doneThread;
  TimePoint clockDuringWork;
  bool done = false;
  bool timerRan = false;
  bool doneBeforeTimer = false;
  // A timer is pending: while the work runs the clock must not jump to it.
  v.loop.schedule(v.start + seconds(60), [&] {
    timerRan = true;
    doneBeforeTimer = done;
  });
  v.loop.runBlocking(
      [&] {
        workThread = std::this_thread::get_id();
        clockDuringWork = v.clock.now();
      },
      [&] {
        doneThread = std::this_thread::get_id();
        done = true;
      });
  (void)v.loop.runUntil([] { return false; });
  EXPECT_TRUE(done);
  EXPECT_NE(workThread, loopThread);
  EXPECT_EQ(doneThread, loopThread);
  EXPECT_EQ(clockDuringWork, v.start);
  EXPECT_TRUE(timerRan);
  EXPECT_TRUE(doneBeforeTimer);
}

TEST(EventLoop, ManyBlockingJobsAllComplete) {
  VirtualLoop v;
  std::atomic<int> worked{0};
  int completed = 0;
  for (int i = 0; i < 50; ++i) v.loop.runBlocking([&] { ++worked; }, [&] { ++completed; });
  EXPECT_TRUE(v.loop.runUntil([&] { return completed == 50; }));
  EXPECT_EQ(worked.load(), 50);
}

// A job queued while every worker is busy with a long job gets a thread of
// its own: the long job may be waiting for it (GET /_sluice/idle waits on a
// worker until the deliveries queued behind it are done).
TEST(EventLoop, AJobQueuedBehindALongOneStillRuns) {
  VirtualLoop v;
  std::promise<void> secondRan;
  auto second = secondRan.get_future();
  bool firstSawSecond = false;
  int completed = 0;
  v.loop.runBlocking(
      [&] {
        v.loop.runBlocking([&] { secondRan.set_value(); }, [&] { ++completed; });
        firstSawSecond = second.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
      },
      [&] { ++completed; });
  EXPECT_TRUE(v.loop.runUntil([&] { return completed == 2; }));
  EXPECT_TRUE(firstSawSecond);
}

// `--clock virtual` moves time only by advanceVirtual. A blocking job in
// flight holds the advance: what its completion schedules inside the window
// (a retry one second on) fires before the window closes.
TEST(EventLoop, AnExplicitAdvanceWaitsForBlockingWorkInFlight) {
  ManualClock clock{TimePoint(seconds(1'700'000'000))};
  EventLoop loop{clock, [&](TimePoint t) { clock.set(t); }, /*autoAdvance=*/false};
  TimePoint start = clock.now();
  std::promise<void> release;
  auto released = release.get_future().share();
  std::optional<TimePoint> retried;
  bool advanced = false;
  loop.runBlocking(
      [released] { released.wait(); },
      [&] { loop.schedule(clock.now() + seconds(1), [&] { retried = clock.now(); }); });
  loop.advanceVirtual(seconds(60), [&] { advanced = true; });
  std::thread unblock([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the advance is queued first
    release.set_value();
  });
  EXPECT_TRUE(loop.runUntil([&] { return advanced; }));
  unblock.join();
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(*retried, start + seconds(1));
  EXPECT_EQ(clock.now(), start + seconds(60));
}

TEST(EventLoop, ExternalWorkHoldsTheVirtualClockUntilItPostsBack) {
  VirtualLoop v;
  bool posted = false;
  TimePoint timerAt;
  v.loop.schedule(v.start + seconds(5), [&] { timerAt = v.clock.now(); });
  v.loop.beginExternal();
  std::thread other([&] {
    v.loop.post([&] { posted = true; });
    v.loop.endExternal();
  });
  EXPECT_TRUE(v.loop.runUntil([&] { return posted; }));
  other.join();
  // The post was handled before virtual time moved to the timer.
  EXPECT_EQ(v.clock.now(), v.start);
  (void)v.loop.runUntil([] { return false; });
  EXPECT_EQ(timerAt, v.start + seconds(5));
}

TEST(EventLoop, WithoutAdvanceFunctionAVirtualClockDoesNotMove) {
  ManualClock clock{TimePoint(seconds(1000))};
  EventLoop loop(clock);
  bool ran = false;
  loop.schedule(clock.now() + seconds(1), [&] { ran = true; });
  // Advance by hand, then wake the loop with a post.
  clock.advance(seconds(1));
  loop.post([] {});
  EXPECT_TRUE(loop.runUntil([&] { return ran; }));
  EXPECT_EQ(clock.now(), TimePoint(seconds(1001)));
}

}  // namespace
}  // namespace sluice::engine
