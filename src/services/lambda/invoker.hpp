// Runs invocations in warm sandboxes. Sandboxes are kept per function
// version and revision (every change to code or configuration makes a new
// one, so older sandboxes are left to retire): an invocation takes an idle one
// (warm), or starts one (cold) when none is free, up to the concurrency the
// function may use; queued invocations go to the first sandbox that asks for
// work. A watchdog thread enforces each invocation's deadline and the
// function's memory size, and retires sandboxes idle for too long.
//
// Process timing is wall-clock time: a function runs in real time whatever
// the server's clock says (the deadline a runtime sees is real epoch time).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "engine/event_loop.hpp"
#include "services/lambda/runtime_api.hpp"

namespace sluice::services::lambda {

// Everything a sandbox of one function version is started from.
struct SandboxConfig {
  std::string poolKey;  // account/region/name/version#revisionId
  Scope scope;
  std::string functionName;
  std::string version;  // "$LATEST" or a number
  std::string runtime;
  std::string handler;
  std::filesystem::path taskRoot;
  std::vector<std::filesystem::path> layers;  // unpacked layer trees, in order
  int64_t memoryMb = 128;
  int64_t timeoutSeconds = 3;
  std::map<std::string, std::string> environment;  // Environment.Variables
  std::optional<int64_t> reservedConcurrency;
  std::string logGroup;
};

struct InvokeRequest {
  std::string requestId;
  std::string invokedArn;  // as called: qualified when a qualifier was given
  std::string payload;
  std::string clientContext;  // decoded JSON text, or empty
};

struct InvokeResult {
  std::string payload;
  std::string functionError;  // "" or "Unhandled"
  std::string executedVersion;
  std::string log;  // the invocation's log text, START to REPORT
};

using InvokeDone = std::function<void(Result<InvokeResult>)>;

// Where log text goes: group, stream, lines with their wall-clock times.
struct LogLine {
  int64_t timestampMs;
  std::string message;
};
using LogSink = std::function<void(const Scope& scope, const std::string& group,
                                   const std::string& stream, std::vector<LogLine> lines)>;

struct InvokerOptions {
  std::filesystem::path runtimeDir;  // the in-tree bootstraps (python/, node/)
  // The interpreters serving python3.x and nodejsNN.x: the server's own
  // python3 and node, found on its PATH when the runtime starts.
  std::string python = "python3";
  std::string node = "node";
  std::string endpointUrl;  // AWS_ENDPOINT_URL inside functions
  std::string accessKeyId = "test";
  std::string secretAccessKey = "test";
  std::chrono::seconds idleTimeout{300};
  int maxSandboxesPerFunction = 64;  // without reserved concurrency
  // Python sandboxes are forked from a warm interpreter (fork_server.hpp)
  // unless the function needs a fresh one; false starts every one afresh.
  bool forkPython = true;
};

class Sandbox;
struct Pool;

class Invoker {
 public:
  Invoker(engine::EventLoop& loop, RuntimeEndpointFactory endpoints, LogSink logs, IdGenerator& ids,
          InvokerOptions options);
  ~Invoker();
  Invoker(const Invoker&) = delete;
  Invoker& operator=(const Invoker&) = delete;

  // Finds the interpreter of `runtime` in the background (a function of it
  // exists), so its first cold start does not wait for that.
  void prepare(const std::string& runtime);
  // Runs one invocation; `done` runs once, on some thread, never under a lock.
  void invoke(const SandboxConfig& config, InvokeRequest request, InvokeDone done);
  // Stops the sandboxes of every pool whose key starts with `prefix` (a
  // function was updated or deleted); invocations in flight finish first.
  void retire(const std::string& prefix);
  // Sandboxes now running (for tests and the console).
  size_t sandboxCount() const;

  // Called by sandboxes (under no lock).
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The pool key of one version at one revision.
std::string poolKey(const Scope& scope, const std::string& function, const std::string& version,
                    const std::string& revisionId);
// The prefix that covers every pool of a function.
std::string poolPrefix(const Scope& scope, const std::string& function);

}  // namespace sluice::services::lambda
