#include "gateway/settle.hpp"

#include <future>
#include <memory>
#include <thread>

namespace sluice::gateway {

namespace {

// Everything posted to the loop before this call has run when it returns
// true; false when the loop did not get there in time.
bool loopBarrier(engine::EventLoop& loop, std::chrono::steady_clock::time_point deadline) {
  auto reached = std::make_shared<std::promise<void>>();
  auto future = reached->get_future();
  loop.post([reached] { reached->set_value(); });
  return future.wait_until(deadline) == std::future_status::ready;
}

}  // namespace

bool waitUntilSettled(engine::EventLoop& loop, store::sqlite::WriteQueue* writer,
                      std::chrono::milliseconds limit, int ownJobs) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  int quietRounds = 0;
  uint64_t committed = writer ? writer->stats().items : 0;
  while (quietRounds < 2) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (!loopBarrier(loop, deadline)) return false;
    if (writer && !writer->flush()) return false;
    if (!loopBarrier(loop, deadline)) return false;
    // Stats count an item before its completion runs, so after flush()
    // returns they include the flush itself: a quiet round adds exactly one.
    uint64_t now = writer ? writer->stats().items : 0;
    bool working = loop.blockingJobs() > ownJobs;
    quietRounds = !working && now - committed <= (writer ? 1u : 0u) ? quietRounds + 1 : 0;
    committed = now;
    if (working) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace sluice::gateway
