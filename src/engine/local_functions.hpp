// Local executables standing in for Lambda functions (`sluice run
// --function NAME=EXECUTABLE`). The payload goes to the process's stdin;
// exit status 0 means stdout is the response payload, anything else means
// stdout is a Lambda error object ({"errorType", "errorMessage", ...}).
#pragma once

#include <map>
#include <string>

#include "engine/functions.hpp"

namespace sluice::engine {

class LocalFunctions final : public FunctionInvoker {
 public:
  // `function` may be a name or an ARN; it is keyed by its function name.
  void bind(const std::string& function, std::string executable);
  // Receives each invocation's log (the process's stderr), e.g. to show it.
  void onLog(std::function<void(const std::string& function, const std::string& log)> sink) {
    logSink_ = std::move(sink);
  }

  std::unique_ptr<RunningTask> invoke(const std::string& function, std::string payload,
                                      const Scope& scope, EventLoop& loop,
                                      FunctionDone done) override;

 private:
  std::map<std::string, std::string> executables_;
  std::function<void(const std::string&, const std::string&)> logSink_;
};

// Runs `executable` with `input` on stdin; returns exit status and stdout.
// `onStart` receives the child's pid (so the caller can kill it).
struct ProcessResult {
  int exitStatus = -1;  // -1: could not start; 128+n: killed by signal n
  std::string out;
  std::string err;
};
ProcessResult runProcess(const std::string& executable, const std::string& input,
                         const std::function<void(int pid)>& onStart);

}  // namespace sluice::engine
