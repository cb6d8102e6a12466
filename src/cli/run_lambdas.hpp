// `sluice run --lambda name=N,code=PATH,runtime=R,handler=H[,timeout=S][,memory=MB]`:
// real Lambda functions for one in-process execution. The Lambda service runs
// inside `sluice run` (no data directory: packages and bootstraps go to a
// private temporary directory), each function is created through its
// CreateFunction operation from a folder or a .zip, and Task states reach it
// through Invoke, exactly as in `sluice server`. Functions bound with
// --function NAME=EXECUTABLE keep answering for their names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "engine/functions.hpp"
#include "engine/local_engine.hpp"

namespace sluice::cli {

class RunLambdas {
 public:
  // Starts the runtime and creates every function in `specs` (running the
  // engine's loop while they are created). An error names the bad spec.
  static Result<std::unique_ptr<RunLambdas>> start(engine::LocalEngine& engine,
                                                   const std::vector<std::string>& specs,
                                                   const Scope& scope);
  ~RunLambdas();
  // Invokes the functions created here; others go to `fallback`.
  std::shared_ptr<engine::FunctionInvoker> invoker(
      std::shared_ptr<engine::FunctionInvoker> fallback) const;

  struct Impl;

 private:
  explicit RunLambdas(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::cli
