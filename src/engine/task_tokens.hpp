// Tasks that finish through a callback: `.waitForTaskToken` integrations and
// activities. A token names one waiting task; SendTaskSuccess / Failure /
// Heartbeat find it here. Loop thread only.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "asl/outcome.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::engine {

class TaskTokens {
 public:
  struct Waiter {
    std::function<void(asl::Outcome<Json>)> complete;
    std::function<void()> heartbeat;  // the task is alive: restart its heartbeat timer
  };

  explicit TaskTokens(IdGenerator& ids) : ids_(ids) {}

  // A fresh token (the engine needs it before the task's Parameters run).
  std::string newToken();
  // Starts waiting on `token`.
  void await(const std::string& token, Waiter waiter);
  // The task ended another way (timeout, abort, its execution stopped).
  void retire(const std::string& token);

  // The callbacks of the API, with AWS's errors: a token never issued is
  // InvalidToken; one whose task is over is TaskTimedOut.
  Result<void> succeed(const std::string& token, Json output);
  Result<void> fail(const std::string& token, std::string error, std::string cause);
  Result<void> heartbeat(const std::string& token);

 private:
  Result<Waiter*> find(const std::string& token);

  IdGenerator& ids_;
  std::unordered_map<std::string, Waiter> waiting_;
  std::unordered_set<std::string> retired_;
};

}  // namespace sluice::engine
