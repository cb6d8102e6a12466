// A self-contained engine instance: clock, event loop, ids and integration
// registry, for running executions in-process (`sluice run`, tests, benches).
#pragma once

#include <memory>

#include "asl/machine.hpp"
#include "core/clock.hpp"
#include "core/ids.hpp"
#include "engine/event_loop.hpp"
#include "engine/execution.hpp"
#include "engine/integration.hpp"

namespace sluice::engine {

struct LocalEngineOptions {
  // Virtual: time stands still while work is runnable and jumps to the next
  // timer when the engine is idle, so waits and timeouts cost nothing.
  bool virtualClock = false;
  std::optional<uint64_t> seed;  // for ids and randomness
};

class LocalEngine {
 public:
  explicit LocalEngine(LocalEngineOptions options = {});
  ~LocalEngine();

  IntegrationRegistry& integrations() { return integrations_; }
  EventLoop& loop() { return *loop_; }
  IdGenerator& ids() { return ids_; }
  const Clock& clock() const { return *clock_; }
  EngineContext context() { return {*loop_, integrations_, ids_, &tokens_}; }
  TaskTokens& tokens() { return tokens_; }

  // Starts an execution and runs the loop until it finishes.
  std::shared_ptr<Execution> run(std::shared_ptr<const asl::Machine> machine, Json input,
                                 ExecutionConfig config = {});

 private:
  std::unique_ptr<Clock> clock_;
  ManualClock* manual_ = nullptr;
  IdGenerator ids_;
  IntegrationRegistry integrations_;
  TaskTokens tokens_{ids_};
  std::unique_ptr<EventLoop> loop_;
};

}  // namespace sluice::engine
