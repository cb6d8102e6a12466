// waitUntilSettled: returns only once a chain of work hopping between the
// engine loop and the writer (as a delivery's steps do) has run to its end.
#include "gateway/settle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "../store/store_test_support.hpp"

namespace sluice::gateway {
namespace {

using store::sqlite::Database;
using store::sqlite::WriteQueue;
using store::testing::TempDir;

// Runs an EventLoop on its own thread, as the server does.
class RunningLoop {
 public:
  RunningLoop() : loop_(clock_) {
    loop_.beginExternal();
    thread_ = std::thread([this] { loop_.runUntil([this] { return stopping_; }); });
  }
  ~RunningLoop() {
    loop_.post([this] { stopping_ = true; });
    loop_.endExternal();
    thread_.join();
  }
  engine::EventLoop& loop() { return loop_; }

 private:
  SystemClock clock_;
  engine::EventLoop loop_;
  bool stopping_ = false;  // loop thread only
  std::thread thread_;
};

TEST(Settle, WaitsForAChainOfLoopTasksAndCommits) {
  TempDir dir;
  auto writer = WriteQueue::open(dir / "s.db");
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  RunningLoop running;
  engine::EventLoop& loop = running.loop();
  constexpr int kSteps = 200;
  std::atomic<int> steps{0};
  // step: a loop task submits a write whose completion posts the next step.
  std::function<void()> step = [&] {
    if (steps.fetch_add(1) + 1 >= kSteps) return;
    (*writer)->submit([](Database&) -> Result<void> { return {}; },
                      [&](Result<void>) { loop.post(step); });
  };
  loop.post(step);
  EXPECT_TRUE(waitUntilSettled(loop, writer->get(), std::chrono::seconds(30)));
  EXPECT_EQ(steps.load(), kSteps);
}

TEST(Settle, AQuietServerSettlesAtOnce) {
  TempDir dir;
  auto writer = WriteQueue::open(dir / "s.db");
  ASSERT_TRUE(writer.ok());
  RunningLoop running;
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(waitUntilSettled(running.loop(), writer->get(), std::chrono::seconds(30)));
  EXPECT_TRUE(waitUntilSettled(running.loop(), nullptr, std::chrono::seconds(30)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Settle, EndlessActivityGivesUpAtTheLimit) {
  TempDir dir;
  auto writer = WriteQueue::open(dir / "s.db");
  ASSERT_TRUE(writer.ok());
  RunningLoop running;
  engine::EventLoop& loop = running.loop();
  std::atomic<bool> stop{false};
  std::function<void()> step = [&] {
    if (stop) return;
    (*writer)->submit([](Database&) -> Result<void> { return {}; },
                      [&](Result<void>) { loop.post(step); });
  };
  loop.post(step);
  EXPECT_FALSE(waitUntilSettled(loop, writer->get(), std::chrono::milliseconds(300)));
  stop = true;
  EXPECT_TRUE(waitUntilSettled(loop, writer->get(), std::chrono::seconds(30)));
}

}  // namespace
}  // namespace sluice::gateway
