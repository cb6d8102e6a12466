// The running part of an optimised .sync task (athena:startQueryExecution,
// glue:startJobRun): when the execution moves on (timeout, abort) the work
// it started is stopped through the service's own stop operation, as Step
// Functions stops the work of a .sync task.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "core/json.hpp"
#include "engine/integration.hpp"
#include "services/operation.hpp"

namespace sluice::services {

// Shared between a .sync task's callbacks and its stopper.
struct SyncTaskState {
  bool cancelled = false;
  Json stopRequest;  // the stop operation's input; null until the work has started
};

class SyncTaskStop final : public engine::RunningTask {
 public:
  SyncTaskStop(std::shared_ptr<SyncTaskState> state, const OperationRegistry& registry, Scope scope,
               std::string service, std::string operation)
      : state_(std::move(state)),
        registry_(registry),
        scope_(std::move(scope)),
        service_(std::move(service)),
        operation_(std::move(operation)) {}

  void cancel() override {
    state_->cancelled = true;
    if (state_->stopRequest.is_null()) return;
    CallContext ctx;
    ctx.scope = scope_;
    registry_.call(service_, operation_, state_->stopRequest, ctx, [](Result<Json>) {});
  }

 private:
  std::shared_ptr<SyncTaskState> state_;
  const OperationRegistry& registry_;
  Scope scope_;
  std::string service_, operation_;
};

}  // namespace sluice::services
