// Sluice's own endpoints on the service port, under /_sluice/:
//   GET  /_sluice/health          readiness
//   GET  /_sluice/clock           {"now": ISO-8601, "mode": "virtual"|"real"}
//   POST /_sluice/clock/advance   {"seconds": N}: steps a virtual clock through
//                                 every timer due in the window (refused with
//                                 the real clock), then waits until the work
//                                 they set off has settled
//   GET  /_sluice/lambda/code/<sha256>.zip
//                                 a function's deployment package (GetFunction's
//                                 Code.Location)
//   GET  /_sluice/idle            waits until the server is quiet (settle.hpp):
//                                 {"idle": true}, or false after 10 s
#pragma once

#include <filesystem>
#include <functional>

#include "core/clock.hpp"
#include "engine/event_loop.hpp"
#include "gateway/gateway.hpp"
#include "store/sqlite/write_queue.hpp"

namespace sluice::gateway {

// Called after the virtual clock moved; calls `done` once the new time is
// stored (so the clock never runs backwards across a restart).
using ClockMoved = std::function<void(TimePoint now, std::function<void()> done)>;

// `writer` (may be null) is the store's writer, watched to tell when the
// server has settled; `lambdaCodeDir` holds the functions' packages.
AdminHandler makeAdminHandler(const Clock& clock, engine::EventLoop& loop,
                              ClockMoved clockMoved = {},
                              store::sqlite::WriteQueue* writer = nullptr,
                              std::filesystem::path lambdaCodeDir = {});

}  // namespace sluice::gateway
