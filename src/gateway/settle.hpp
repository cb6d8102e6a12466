// Waiting for the server to go quiet: the work that timers, deliveries and
// executions set off has run (for POST /_sluice/clock/advance and
// GET /_sluice/idle, so tests check "nothing more happened" without sleeping).
//
// Quiet means two rounds in a row in which nothing new was committed: a round
// lets every task queued on the engine loop run (a barrier task), commits
// everything queued on the writer (flush) and lets the loop run what those
// commits' completions posted. Every step of an execution, SQS send, SNS or
// EventBridge delivery commits, so a quiet round means none is under way.
// A round is not quiet either while work on the loop's worker pool (an HTTP
// POST, an SMTP exchange, a function process) is under way, beyond the
// caller's own `ownJobs`. Not seen: wall-clock timers.
#pragma once

#include <chrono>

#include "engine/event_loop.hpp"
#include "store/sqlite/write_queue.hpp"

namespace sluice::gateway {

// Blocks (never call it on the loop or writer thread) until quiet or until
// `limit` passed; returns whether it became quiet. `writer` may be null.
bool waitUntilSettled(engine::EventLoop& loop, store::sqlite::WriteQueue* writer,
                      std::chrono::milliseconds limit, int ownJobs = 0);

}  // namespace sluice::gateway
