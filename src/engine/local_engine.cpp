#include "engine/local_engine.hpp"

namespace sluice::engine {

LocalEngine::LocalEngine(LocalEngineOptions options)
    : ids_(options.seed ? *options.seed : std::random_device{}()) {
  if (options.virtualClock) {
    auto manual = std::make_unique<ManualClock>(SystemClock().now());
    manual_ = manual.get();
    clock_ = std::move(manual);
    loop_ = std::make_unique<EventLoop>(*clock_, [this](TimePoint t) { manual_->set(t); });
  } else {
    clock_ = std::make_unique<SystemClock>();
    loop_ = std::make_unique<EventLoop>(*clock_);
  }
}

LocalEngine::~LocalEngine() = default;

std::shared_ptr<Execution> LocalEngine::run(std::shared_ptr<const asl::Machine> machine, Json input,
                                            ExecutionConfig config) {
  auto exec = Execution::create(context(), std::move(machine), std::move(input), std::move(config));
  exec->start();
  loop_->runUntil([&] { return exec->done(); });
  return exec;
}

}  // namespace sluice::engine
