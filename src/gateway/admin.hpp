// Sluice's own endpoints on the service port, under /_sluice/:
//   GET  /_sluice/health          readiness
//   GET  /_sluice/clock           {"now": ISO-8601, "mode": "virtual"|"real"}
//   POST /_sluice/clock/advance   {"seconds": N}: steps a virtual clock through
//                                 every timer due in the window (refused with
//                                 the real clock)
#pragma once

#include <functional>

#include "core/clock.hpp"
#include "engine/event_loop.hpp"
#include "gateway/gateway.hpp"

namespace sluice::gateway {

// Called after the virtual clock moved; calls `done` once the new time is
// stored (so the clock never runs backwards across a restart).
using ClockMoved = std::function<void(TimePoint now, std::function<void()> done)>;

AdminHandler makeAdminHandler(const Clock& clock, engine::EventLoop& loop,
                              ClockMoved clockMoved = {});

}  // namespace sluice::gateway
