// Functions the engine can invoke (Lambda semantics). The Lambda service will
// implement this; `sluice run --function NAME=EXECUTABLE` binds local
// executables; tests bind in-process doubles.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "engine/event_loop.hpp"
#include "engine/integration.hpp"

namespace sluice::engine {

struct FunctionResponse {
  std::string payload;         // the response payload bytes
  bool functionError = false;  // true: payload is an unhandled-error object
  std::string executedVersion = "$LATEST";
  std::string logs;  // the invocation's log output (Invoke's LogType=Tail returns its tail)
};

using FunctionDone = std::function<void(Result<FunctionResponse>)>;

class FunctionInvoker {
 public:
  virtual ~FunctionInvoker() = default;
  // `function` is a name, a partial ARN or a full function ARN. A missing
  // function completes with AwsError{"ResourceNotFoundException", ...}.
  virtual std::unique_ptr<RunningTask> invoke(const std::string& function, std::string payload,
                                              const Scope& scope, EventLoop& loop,
                                              FunctionDone done) = 0;
};

// The function name inside a name, partial ARN ("123:function:f") or full ARN.
std::string functionNameOf(std::string_view function);

// Registers "lambda:function" (Resource = function ARN) and "lambda:invoke"
// (the optimised integration and its result shape) over `invoker`.
void registerLambdaIntegrations(IntegrationRegistry& registry,
                                std::shared_ptr<FunctionInvoker> invoker, IdGenerator& ids);

}  // namespace sluice::engine
