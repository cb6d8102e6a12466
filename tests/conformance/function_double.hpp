// The Lambda test double of the conformance README: each function name maps
// to a behaviour (echo, return:<JSON>, raise:<type>:<message>, sleep_echo:<s>,
// ...). Sleeps are timers on the engine's clock, so they cost no real time.
#pragma once

#include <map>
#include <string>

#include "engine/functions.hpp"

namespace sluice::conformance {

class FunctionDouble final : public engine::FunctionInvoker {
 public:
  explicit FunctionDouble(std::map<std::string, std::string> behaviours, IdGenerator& ids)
      : behaviours_(std::move(behaviours)), ids_(ids) {}

  std::unique_ptr<engine::RunningTask> invoke(const std::string& function, std::string payload,
                                              const Scope& scope, engine::EventLoop& loop,
                                              engine::FunctionDone done) override;

 private:
  std::map<std::string, std::string> behaviours_;
  IdGenerator& ids_;
};

// Python's str() of a decoded JSON value: {'k': 'v'}, True/False/None.
std::string pythonRepr(const Json& v);
// Python's json.dumps(v): ", " and ": " separators, non-ASCII escaped. The
// recorded functions ran on the Python runtime, so their payloads look so.
std::string pythonJsonDumps(const Json& v);

}  // namespace sluice::conformance
