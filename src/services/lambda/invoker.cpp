#include "services/lambda/invoker.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include <unistd.h>

#include "core/json.hpp"
#include "services/lambda/fork_server.hpp"
#include "services/lambda/runtimes/runtimes.hpp"
#include "services/lambda/sandbox_process.hpp"

namespace sluice::services::lambda {

namespace {

using Steady = std::chrono::steady_clock;
constexpr size_t kMaxResponseBytes = 6291556;  // Lambda's synchronous response limit
constexpr auto kWatchdogTick = std::chrono::milliseconds(10);

struct Pending {
  InvokeRequest request;
  InvokeDone done;
};

enum class State { Starting, Idle, Busy, Dead };

// How an invocation ended, before its log is put together.
struct Outcome {
  std::string payload;
  bool functionError = false;
  std::string reportStatus;  // "", "error", "timeout"
  std::string errorType;     // for REPORT's Error Type
  std::string extraLog;      // lines Lambda itself writes (the timeout notice)
};

double msSince(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

int64_t epochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string errorObject(std::string_view type, std::string_view message) {
  JsonObject o;
  o["errorType"] = type;
  o["errorMessage"] = message;
  return toJsonText(o);
}

std::string logStreamName(IdGenerator& ids, std::string_view version) {
  int64_t ms = epochMs();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[48];
  std::snprintf(date, sizeof date, "%04d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string hex = ids.uuid();
  std::erase(hex, '-');
  return std::string(date) + "/[" + std::string(version) + "]" + hex;
}

std::string traceId(IdGenerator& ids) {
  char time[16];
  std::snprintf(time, sizeof time, "%08llx", static_cast<unsigned long long>(epochMs() / 1000));
  std::string a = ids.uuid(), b = ids.uuid();
  std::erase(a, '-');
  std::erase(b, '-');
  return "Root=1-" + std::string(time) + "-" + a.substr(0, 24) + ";Parent=" + b.substr(0, 16) +
         ";Sampled=0;Lineage=1:" + b.substr(16, 8) + ":0";
}

std::string twoDecimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Where an interpreter really lives: a shim found on PATH (pyenv's) costs a
// shell and a lookup at every sandbox start, so it is asked once.
std::string realInterpreter(const std::string& program, const std::string& probe) {
  std::string command = "'" + program + "' " + probe + " 2>/dev/null";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return program;
  char buf[4096];
  std::string out;
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return !out.empty() && ::access(out.c_str(), X_OK) == 0 ? out : program;
}

}  // namespace

struct Pool {
  SandboxConfig config;
  std::deque<Pending> queue;
  std::vector<std::shared_ptr<Sandbox>> sandboxes;
  bool retired = false;
  size_t starting() const;
  size_t busy() const;
};

class Sandbox final : public RuntimeApiHandler, public std::enable_shared_from_this<Sandbox> {
 public:
  Sandbox(std::weak_ptr<Invoker::Impl> impl, std::shared_ptr<Pool> pool)
      : impl(std::move(impl)), pool(std::move(pool)) {}

  void next(std::function<void(std::optional<NextInvocation>)> reply) override;
  Answer respond(const std::string& requestId, std::string body) override;
  Answer fail(const std::string& requestId, std::string errorType, std::string body) override;
  Answer initError(std::string errorType, std::string body) override;

  // Guarded by Impl::mu.
  std::weak_ptr<Invoker::Impl> impl;
  std::shared_ptr<Pool> pool;
  State state = State::Starting;
  std::unique_ptr<SandboxProcess> process;
  std::unique_ptr<RuntimeEndpoint> endpoint;
  std::function<void(std::optional<NextInvocation>)> waiting;  // a parked /next
  std::optional<Pending> current;
  std::string log;  // output since the current invocation began (or since start)
  std::string logStream;
  Steady::time_point spawnedAt = Steady::now();
  Steady::time_point startedAt, idleSince, deadline;
  std::optional<double> initDurationMs;  // reported with the first invocation only
  bool initReported = false;
  int64_t peakBytes = 0;
};

size_t Pool::starting() const {
  size_t n = 0;
  for (const auto& s : sandboxes) n += s->state == State::Starting;
  return n;
}

size_t Pool::busy() const {
  size_t n = 0;
  for (const auto& s : sandboxes) n += s->state == State::Busy;
  return n;
}

struct Invoker::Impl : std::enable_shared_from_this<Invoker::Impl> {
  Impl(engine::EventLoop& loop, RuntimeEndpointFactory endpoints, LogSink logs, IdGenerator& ids,
       InvokerOptions options)
      : loop(loop),
        endpoints(std::move(endpoints)),
        logs(std::move(logs)),
        ids(ids),
        options(std::move(options)) {}

  engine::EventLoop& loop;
  RuntimeEndpointFactory endpoints;
  LogSink logs;
  IdGenerator& ids;
  InvokerOptions options;

  mutable std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  std::map<std::string, std::shared_ptr<Pool>> pools;
  std::vector<std::shared_ptr<Sandbox>> graveyard;  // destroyed on the watchdog thread
  std::thread watchdog;
  mutable std::once_flag pythonFound, nodeFound;
  mutable std::string python, node;  // resolved once, on the first sandbox start
  std::mutex forkMu;
  std::shared_ptr<ForkServer> pythonForks;  // started with the first Python function

  // Work to do once the lock is released.
  struct After {
    std::vector<std::function<void()>> calls;
    void run() {
      for (auto& c : calls) c();
    }
  };

  void invoke(const SandboxConfig& config, InvokeRequest request, InvokeDone done);
  void startSandbox(const std::shared_ptr<Pool>& pool, After& after);
  void spawn(std::shared_ptr<Sandbox> sb);
  void assign(const std::shared_ptr<Sandbox>& sb, Pending p, After& after);
  void complete(const std::shared_ptr<Sandbox>& sb, Outcome outcome, After& after);
  void bury(const std::shared_ptr<Sandbox>& sb, After& after);
  void onOutput(const std::weak_ptr<Sandbox>& weak, std::string_view chunk);
  void onExit(const std::weak_ptr<Sandbox>& weak, int status);
  void failQueued(const std::shared_ptr<Pool>& pool, Outcome outcome, After& after);
  void watch();
  void shipLog(const Sandbox& sb, const std::string& text);
  std::vector<std::string> environmentFor(const Sandbox& sb, const std::string& runtimeApi) const;
  Result<std::vector<std::string>> commandFor(const SandboxConfig& c) const;
  bool forkable(const SandboxConfig& c) const;
  std::shared_ptr<ForkServer> forkServer();
};

// --- Runtime API, as the sandbox's endpoint calls it ---------------------

void Sandbox::next(std::function<void(std::optional<NextInvocation>)> reply) {
  auto i = impl.lock();
  if (!i) return reply(std::nullopt);
  Invoker::Impl::After after;
  {
    std::lock_guard lock(i->mu);
    auto self = shared_from_this();
    if (state == State::Dead) {
      after.calls.push_back([reply] { reply(std::nullopt); });
    } else {
      if (!initDurationMs) initDurationMs = msSince(spawnedAt);
      if (state == State::Busy && current) {
        // Asking for more work without answering: the runtime dropped it.
        i->complete(self,
                    {errorObject("Runtime.ExitError", "RequestId: " + current->request.requestId +
                                                          " Error: Runtime did not answer the "
                                                          "invocation before asking for the next"),
                     true, "error", "Runtime.ExitError", ""},
                    after);
      }
      if (!pool->queue.empty()) {
        Pending p = std::move(pool->queue.front());
        pool->queue.pop_front();
        waiting = std::move(reply);
        i->assign(self, std::move(p), after);
      } else if (pool->retired) {
        i->bury(self, after);
        after.calls.push_back([reply] { reply(std::nullopt); });
      } else {
        state = State::Idle;
        idleSince = Steady::now();
        waiting = std::move(reply);
      }
    }
  }
  after.run();
}

RuntimeApiHandler::Answer Sandbox::respond(const std::string& requestId, std::string body) {
  auto i = impl.lock();
  if (!i) return {500, "Runtime.Unavailable", "The server is shutting down."};
  if (process) process->drainOutput();
  Invoker::Impl::After after;
  Answer answer;
  {
    std::lock_guard lock(i->mu);
    if (!current || current->request.requestId != requestId) {
      return {400, "InvalidRequestID", "Invalid request ID: " + requestId};
    }
    auto self = shared_from_this();
    if (body.size() > kMaxResponseBytes) {
      answer = {413, "RequestEntityTooLarge", "Response payload size exceeded maximum allowed."};
      i->complete(self,
                  {errorObject("Function.ResponseSizeTooLarge",
                               "Response payload size exceeded maximum allowed payload size (" +
                                   std::to_string(kMaxResponseBytes) + " bytes)."),
                   true, "error", "Function.ResponseSizeTooLarge", ""},
                  after);
    } else {
      i->complete(self, {std::move(body), false, "", "", ""}, after);
    }
  }
  after.run();
  return answer;
}

RuntimeApiHandler::Answer Sandbox::fail(const std::string& requestId, std::string errorType,
                                        std::string body) {
  auto i = impl.lock();
  if (!i) return {500, "Runtime.Unavailable", "The server is shutting down."};
  if (process) process->drainOutput();
  Invoker::Impl::After after;
  {
    std::lock_guard lock(i->mu);
    if (!current || current->request.requestId != requestId) {
      return {400, "InvalidRequestID", "Invalid request ID: " + requestId};
    }
    std::string type = errorType;
    if (auto v = parseJson(body); v && v->is_object()) {
      if (const Json* t = v->as_object().if_contains("errorType"); t && t->is_string()) {
        type = std::string(t->get_string());
      }
    } else {
      body = errorObject(errorType.empty() ? "Unhandled" : errorType, body);
    }
    i->complete(shared_from_this(), {std::move(body), true, "error", type, ""}, after);
  }
  after.run();
  return {};
}

RuntimeApiHandler::Answer Sandbox::initError(std::string errorType, std::string body) {
  auto i = impl.lock();
  if (!i) return {500, "Runtime.Unavailable", "The server is shutting down."};
  if (process) process->drainOutput();
  Invoker::Impl::After after;
  {
    std::lock_guard lock(i->mu);
    auto self = shared_from_this();
    if (!initDurationMs) initDurationMs = msSince(spawnedAt);
    std::string type = errorType.empty() ? "Runtime.Unknown" : errorType;
    if (auto v = parseJson(body); v && v->is_object()) {
      if (const Json* t = v->as_object().if_contains("errorType"); t && t->is_string()) {
        type = std::string(t->get_string());
      }
    } else {
      body = errorObject(type, body);
    }
    // The invocation that started this sandbox gets the init error.
    if (!pool->queue.empty()) {
      Pending p = std::move(pool->queue.front());
      pool->queue.pop_front();
      i->assign(self, std::move(p), after);
      i->complete(self, {body, true, "error", type, ""}, after);
    }
    i->bury(self, after);
  }
  after.run();
  return {};
}

// --- The invoker ---------------------------------------------------------

void Invoker::Impl::invoke(const SandboxConfig& config, InvokeRequest request, InvokeDone done) {
  After after;
  {
    std::lock_guard lock(mu);
    auto& pool = pools[config.poolKey];
    if (!pool) {
      pool = std::make_shared<Pool>();
      pool->config = config;
    }
    size_t limit = config.reservedConcurrency
                       ? static_cast<size_t>(*config.reservedConcurrency)
                       : static_cast<size_t>(options.maxSandboxesPerFunction);
    if (config.reservedConcurrency &&
        pool->busy() + pool->queue.size() >= static_cast<size_t>(*config.reservedConcurrency)) {
      bool idle = false;
      for (const auto& s : pool->sandboxes) idle = idle || s->state == State::Idle;
      if (!idle) {
        AwsError e{"TooManyRequestsException", "Rate Exceeded.", 429};
        e.fields.push_back({"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"});
        after.calls.push_back([done, e] { done(e); });
        goto unlock;
      }
    }
    {
      Pending p{std::move(request), std::move(done)};
      std::shared_ptr<Sandbox> idle;
      for (;;) {
        idle = nullptr;
        for (const auto& s : pool->sandboxes) {
          if (s->state == State::Idle && (!idle || s->idleSince > idle->idleSince)) idle = s;
        }
        // One that died while idle (killed from outside) is not given work.
        if (!idle || !idle->process || !idle->process->hungUp()) break;
        bury(idle, after);
      }
      if (idle) {
        assign(idle, std::move(p), after);  // the most recently used: warmest caches
      } else {
        pool->queue.push_back(std::move(p));
        if (pool->starting() < pool->queue.size() && pool->sandboxes.size() < limit) {
          startSandbox(pool, after);
        }
      }
    }
  }
unlock:
  after.run();
}

void Invoker::Impl::assign(const std::shared_ptr<Sandbox>& sb, Pending p, After& after) {
  const SandboxConfig& c = sb->pool->config;
  sb->state = State::Busy;
  sb->startedAt = Steady::now();
  sb->deadline = sb->startedAt + std::chrono::seconds(c.timeoutSeconds);
  sb->log.clear();
  NextInvocation next;
  next.requestId = p.request.requestId;
  next.payload = p.request.payload;
  next.deadlineMs = epochMs() + c.timeoutSeconds * 1000;
  next.functionArn = p.request.invokedArn;
  next.traceId = traceId(ids);
  next.clientContext = p.request.clientContext;
  sb->current = std::move(p);
  auto reply = std::move(sb->waiting);
  sb->waiting = nullptr;
  if (reply) after.calls.push_back([reply, next = std::move(next)] { reply(next); });
  wake.notify_all();
}

void Invoker::Impl::complete(const std::shared_ptr<Sandbox>& sb, Outcome outcome, After& after) {
  if (!sb->current) return;
  Pending p = std::move(*sb->current);
  sb->current.reset();
  const SandboxConfig& c = sb->pool->config;
  const std::string& id = p.request.requestId;
  double duration = msSince(sb->startedAt);
  int64_t peak = sb->peakBytes;
  if (sb->process) peak = std::max(peak, sb->process->memory().peak);
  std::string text = "START RequestId: " + id + " Version: " + c.version + "\n";
  text += sb->log;
  if (!sb->log.empty() && sb->log.back() != '\n') text += "\n";
  text += outcome.extraLog;
  text += "END RequestId: " + id + "\n";
  text += "REPORT RequestId: " + id + "\tDuration: " + twoDecimals(duration) +
          " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(std::ceil(duration))) +
          " ms\tMemory Size: " + std::to_string(c.memoryMb) +
          " MB\tMax Memory Used: " + std::to_string((peak + (1 << 20) - 1) >> 20) + " MB";
  if (sb->initDurationMs && !sb->initReported) {
    text += "\tInit Duration: " + twoDecimals(*sb->initDurationMs) + " ms";
    sb->initReported = true;
  }
  if (!outcome.reportStatus.empty()) {
    text += "\tStatus: " + outcome.reportStatus;
    if (!outcome.errorType.empty()) text += "\tError Type: " + outcome.errorType;
  }
  text += "\t\n";
  sb->log.clear();
  if (sb->state == State::Busy) {
    sb->state = State::Starting;  // until it asks for the next invocation
    if (sb->pool->retired) bury(sb, after);
  }
  InvokeResult r;
  r.payload = std::move(outcome.payload);
  r.functionError = outcome.functionError ? "Unhandled" : "";
  r.executedVersion = c.version;
  r.log = text;
  after.calls.push_back([this, sb, text, r = std::move(r), done = std::move(p.done)]() mutable {
    shipLog(*sb, text);
    done(std::move(r));
  });
}

void Invoker::Impl::bury(const std::shared_ptr<Sandbox>& sb, After&) {
  if (sb->state == State::Dead) return;
  sb->state = State::Dead;
  if (sb->process) sb->process->kill();
  auto& list = sb->pool->sandboxes;
  std::erase(list, sb);
  graveyard.push_back(sb);
  wake.notify_all();
}

void Invoker::Impl::failQueued(const std::shared_ptr<Pool>& pool, Outcome outcome, After& after) {
  if (pool->queue.empty()) return;
  Pending p = std::move(pool->queue.front());
  pool->queue.pop_front();
  InvokeResult r;
  r.payload = std::move(outcome.payload);
  r.functionError = "Unhandled";
  r.executedVersion = pool->config.version;
  after.calls.push_back([r = std::move(r), done = std::move(p.done)]() mutable { done(r); });
}

void Invoker::Impl::startSandbox(const std::shared_ptr<Pool>& pool, After& after) {
  auto sb = std::make_shared<Sandbox>(weak_from_this(), pool);
  sb->logStream = logStreamName(ids, pool->config.version);
  pool->sandboxes.push_back(sb);
  // Forked from a worker thread: they live as long as the server, and the
  // death signal follows the forking thread.
  after.calls.push_back([self = shared_from_this(), sb] {
    self->loop.runBlocking([self, sb] { self->spawn(sb); }, [] {});
  });
}

void Invoker::Impl::spawn(std::shared_ptr<Sandbox> sb) {
  const SandboxConfig& c = sb->pool->config;
  auto fail = [&](const std::string& type, const std::string& message) {
    After after;
    {
      std::lock_guard lock(mu);
      failQueued(sb->pool, {errorObject(type, message), true, "error", type, ""}, after);
      bury(sb, after);
    }
    after.run();
  };
  auto command = commandFor(c);
  if (!command) return fail("Runtime.InvalidEntrypoint", command.error().message);
  auto endpoint = endpoints(sb);
  if (!endpoint) return fail("ServiceException", endpoint.error().message);
  ProcessSpec spec;
  spec.argv = std::move(*command);
  spec.env = environmentFor(*sb, (*endpoint)->address());
  spec.cwd = c.taskRoot;
  spec.readOnly.push_back(c.taskRoot);
  spec.readOnly.insert(spec.readOnly.end(), c.layers.begin(), c.layers.end());
  std::weak_ptr<Sandbox> weak = sb;
  SandboxProcess::OnOutput output = [this, weak](std::string_view chunk) { onOutput(weak, chunk); };
  SandboxProcess::OnExit exited = [self = shared_from_this(), weak](int status) {
    self->onExit(weak, status);
  };
  std::shared_ptr<ForkServer> forks = forkable(c) ? forkServer() : nullptr;
  auto process =
      forks ? forks->fork(spec, output, exited) : SandboxProcess::spawn(spec, output, exited);
  // A fork server that died a moment ago is replaced by the next start.
  if (!process && forks) process = SandboxProcess::spawn(spec, output, exited);
  if (!process) return fail("Runtime.ExitError", process.error().message);
  std::lock_guard lock(mu);
  sb->endpoint = std::move(*endpoint);
  sb->process = std::move(*process);
  if (sb->state == State::Dead) sb->process->kill();
}

void Invoker::Impl::onOutput(const std::weak_ptr<Sandbox>& weak, std::string_view chunk) {
  auto sb = weak.lock();
  if (!sb) return;
  std::lock_guard lock(mu);
  sb->log.append(chunk);
}

void Invoker::Impl::onExit(const std::weak_ptr<Sandbox>& weak, int status) {
  auto sb = weak.lock();
  if (!sb) return;
  After after;
  {
    std::lock_guard lock(mu);
    std::string why =
        status >= 128
            ? "signal: " + std::string(status == 128 + 9 ? "killed" : std::to_string(status - 128))
            : "exit status " + std::to_string(status);
    if (sb->current) {
      complete(sb,
               {errorObject("Runtime.ExitError", "RequestId: " + sb->current->request.requestId +
                                                     " Error: Runtime exited with error: " + why),
                true, "error", "Runtime.ExitError", ""},
               after);
    } else if (sb->state == State::Starting && !sb->initDurationMs) {
      // It died before asking for work: the invocation waiting for it fails.
      failQueued(sb->pool,
                 {errorObject("Runtime.ExitError", "Runtime exited with error: " + why), true,
                  "error", "Runtime.ExitError", ""},
                 after);
    }
    std::string pending = sb->log;
    bury(sb, after);
    if (!pending.empty()) after.calls.push_back([this, sb, pending] { shipLog(*sb, pending); });
    // Work still queued needs a sandbox.
    auto pool = sb->pool;
    if (!pool->queue.empty() && pool->starting() < pool->queue.size()) {
      startSandbox(pool, after);
    }
  }
  after.run();
}

void Invoker::Impl::shipLog(const Sandbox& sb, const std::string& text) {
  if (!logs || text.empty()) return;
  std::vector<LogLine> lines;
  int64_t now = epochMs();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back({now, text.substr(start, end - start + 1)});
    start = end + 1;
  }
  logs(sb.pool->config.scope, sb.pool->config.logGroup, sb.logStream, std::move(lines));
}

void Invoker::Impl::watch() {
  std::unique_lock lock(mu);
  while (!stopping) {
    auto now = Steady::now();
    After after;
    bool busy = false;
    for (auto& [key, pool] : pools) {
      auto sandboxes = pool->sandboxes;  // complete/bury edit the list
      for (auto& sb : sandboxes) {
        if (sb->state == State::Busy && sb->current) {
          busy = true;
          const SandboxConfig& c = pool->config;
          if (now >= sb->deadline) {
            std::string id = sb->current->request.requestId;
            std::string secs = twoDecimals(static_cast<double>(c.timeoutSeconds));
            complete(sb,
                     {errorObject(
                          "Sandbox.Timedout",
                          "RequestId: " + id + " Error: Task timed out after " + secs + " seconds"),
                      true, "timeout", "",
                      formatIso8601(std::chrono::time_point_cast<Duration>(
                          std::chrono::system_clock::now())) +
                          " " + id + " Task timed out after " + secs + " seconds\n"},
                     after);
            bury(sb, after);
            continue;
          }
          if (sb->process) {
            auto m = sb->process->memory();
            sb->peakBytes = std::max(sb->peakBytes, m.peak);
            if (m.rss > c.memoryMb * (int64_t(1) << 20)) {
              std::string id = sb->current->request.requestId;
              complete(sb,
                       {errorObject("Runtime.OutOfMemory",
                                    "RequestId: " + id +
                                        " Error: Runtime exited with error: signal: killed"),
                        true, "error", "Runtime.OutOfMemory", ""},
                       after);
              bury(sb, after);
            }
          }
        } else if (sb->state == State::Idle && now - sb->idleSince > options.idleTimeout) {
          auto reply = std::move(sb->waiting);
          sb->waiting = nullptr;
          bury(sb, after);
          if (reply) after.calls.push_back([reply] { reply(std::nullopt); });
        }
      }
    }
    std::erase_if(pools, [](const auto& kv) {
      return kv.second->sandboxes.empty() && kv.second->queue.empty();
    });
    auto dead = std::move(graveyard);
    graveyard.clear();
    lock.unlock();
    after.run();
    dead.clear();  // joins reader threads and closes endpoints, outside the lock
    lock.lock();
    if (busy || !graveyard.empty()) {
      wake.wait_for(lock, kWatchdogTick);
    } else {
      wake.wait_for(lock, std::chrono::seconds(1));
    }
  }
}

std::vector<std::string> Invoker::Impl::environmentFor(const Sandbox& sb,
                                                       const std::string& runtimeApi) const {
  const SandboxConfig& c = sb.pool->config;
  std::map<std::string, std::string> env;
  std::string runtimeDir = options.runtimeDir.string();
  std::string task = c.taskRoot.string();
  // Layers unpack into /opt on AWS; here each layer tree is its own
  // directory, listed in order on the search paths (later layers first,
  // as a later layer's files overwrite an earlier one's in /opt).
  std::string optBin, optLib, pyPath, nodePath;
  for (auto it = c.layers.rbegin(); it != c.layers.rend(); ++it) {
    std::string l = it->string();
    optBin += l + "/bin:";
    optLib += ":" + l + "/lib";
    pyPath += l + "/python:" + l + "/python/lib/" + c.runtime + "/site-packages:";
    nodePath += l + "/nodejs/node_modules:";
  }
  // The server's PATH (where its python3 and node come from) after the
  // layers' bin/, as /opt/bin comes first on AWS.
  const char* hostPath = std::getenv("PATH");
  env["PATH"] =
      optBin + (hostPath && *hostPath ? std::string(hostPath) : "/usr/local/bin:/usr/bin:/bin");
  env["LD_LIBRARY_PATH"] = "/lib64:/usr/lib64:" + runtimeDir + ":" + runtimeDir + "/lib:" + task +
                           ":" + task + "/lib" + optLib;
  env["LANG"] = "en_US.UTF-8";
  env["TZ"] = ":UTC";
  env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
  if (c.runtime.rfind("python", 0) == 0) env["PYTHONPATH"] = pyPath + runtimeDir + "/python";
  if (c.runtime.rfind("nodejs", 0) == 0) env["NODE_PATH"] = nodePath + runtimeDir + "/node_modules";
  for (const auto& [k, v] : c.environment) env[k] = v;
  // Reserved: the function cannot override these.
  env["_HANDLER"] = c.handler;
  env["AWS_REGION"] = c.scope.region;
  env["AWS_DEFAULT_REGION"] = c.scope.region;
  if (c.runtime.rfind("provided", 0) != 0) env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + c.runtime;
  env["AWS_LAMBDA_FUNCTION_NAME"] = c.functionName;
  env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(c.memoryMb);
  env["AWS_LAMBDA_FUNCTION_VERSION"] = c.version;
  env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  env["AWS_LAMBDA_LOG_GROUP_NAME"] = c.logGroup;
  env["AWS_LAMBDA_LOG_STREAM_NAME"] = sb.logStream;
  env["AWS_ACCESS_KEY_ID"] = options.accessKeyId;
  env["AWS_ACCESS_KEY"] = options.accessKeyId;
  env["AWS_SECRET_ACCESS_KEY"] = options.secretAccessKey;
  env["AWS_SECRET_KEY"] = options.secretAccessKey;
  env["AWS_SESSION_TOKEN"] = "";
  env["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
  env["LAMBDA_TASK_ROOT"] = task;
  env["LAMBDA_RUNTIME_DIR"] = runtimeDir;
  // Where the layers really are, so runtimes can show their paths as /opt.
  std::string layerRoots;
  for (const auto& l : c.layers) layerRoots += (layerRoots.empty() ? "" : ":") + l.string();
  if (!layerRoots.empty()) env["SLUICE_LAYER_ROOTS"] = layerRoots;
  if (!options.endpointUrl.empty() && !c.environment.count("AWS_ENDPOINT_URL")) {
    env["AWS_ENDPOINT_URL"] = options.endpointUrl;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) {
    if (k == "AWS_SESSION_TOKEN" && v.empty()) continue;
    out.push_back(k + "=" + v);
  }
  return out;
}

Result<std::vector<std::string>> Invoker::Impl::commandFor(const SandboxConfig& c) const {
  if (c.runtime.rfind("python", 0) == 0) {
    std::call_once(pythonFound, [this] {
      python = realInterpreter(options.python, "-c 'import sys; print(sys.executable)'");
    });
    return std::vector<std::string>{python,
                                    (options.runtimeDir / "python" / "bootstrap.py").string()};
  }
  if (c.runtime.rfind("nodejs", 0) == 0) {
    std::call_once(nodeFound,
                   [this] { node = realInterpreter(options.node, "-p process.execPath"); });
    return std::vector<std::string>{node, (options.runtimeDir / "node" / "bootstrap.mjs").string()};
  }
  // provided.al2 / provided.al2023: the package's (or a layer's) bootstrap.
  std::vector<std::filesystem::path> candidates{c.taskRoot / "bootstrap"};
  for (auto it = c.layers.rbegin(); it != c.layers.rend(); ++it) {
    candidates.push_back(*it / "bootstrap");
  }
  for (const auto& p : candidates) {
    if (::access(p.c_str(), X_OK) == 0) return std::vector<std::string>{p.string()};
  }
  return AwsError{"Runtime.InvalidEntrypoint",
                  "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]", 502};
}

bool Invoker::Impl::forkable(const SandboxConfig& c) const {
  if (!options.forkPython || c.runtime.rfind("python", 0) != 0) return false;
  // What only an interpreter's start reads: the function's own PYTHON*
  // settings, and the dynamic loader's paths (a lib/ folder in the code or a
  // layer is on LD_LIBRARY_PATH, which a forked process cannot take on).
  for (const auto& [name, value] : c.environment) {
    if (name.rfind("PYTHON", 0) == 0 || name.rfind("LD_", 0) == 0) return false;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(c.taskRoot / "lib", ec)) return false;
  for (const auto& l : c.layers) {
    if (std::filesystem::is_directory(l / "lib", ec)) return false;
  }
  return true;
}

std::shared_ptr<ForkServer> Invoker::Impl::forkServer() {
  std::lock_guard lock(forkMu);
  if (pythonForks && pythonForks->alive()) return pythonForks;
  std::string runtimeDir = options.runtimeDir.string();
  const char* hostPath = std::getenv("PATH");
  // What every sandbox's environment has before its function's own: the
  // interpreter starts with it, so locale and paths are the same as in a
  // started sandbox.
  std::vector<std::string> env{
      "PATH=" + std::string(hostPath && *hostPath ? hostPath : "/usr/local/bin:/usr/bin:/bin"),
      "LD_LIBRARY_PATH=/lib64:/usr/lib64:" + runtimeDir + ":" + runtimeDir + "/lib",
      "LANG=en_US.UTF-8", "TZ=:UTC", "PYTHONPATH=" + runtimeDir + "/python"};
  auto started = ForkServer::start(python, options.runtimeDir / "python" / "bootstrap.py", env);
  pythonForks = started ? *started : nullptr;
  return pythonForks;
}

// --- Public face -----------------------------------------------------------

Invoker::Invoker(engine::EventLoop& loop, RuntimeEndpointFactory endpoints, LogSink logs,
                 IdGenerator& ids, InvokerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(endpoints), std::move(logs), ids,
                                   std::move(options))) {
  impl_->watchdog = std::thread([impl = impl_.get()] { impl->watch(); });
}

void Invoker::prepare(const std::string& runtime) {
  // On the worker pool, once per interpreter (commandFor resolves it once),
  // so the first cold start does not pay for finding it.
  impl_->loop.runBlocking(
      [impl = impl_, runtime] {
        SandboxConfig c;
        c.runtime = runtime;
        (void)impl->commandFor(c);
        if (impl->options.forkPython && runtimeFamily(runtime) == "python") impl->forkServer();
      },
      [] {});
}

Invoker::~Invoker() {
  std::vector<std::shared_ptr<Sandbox>> all;
  std::vector<Pending> orphans;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    for (auto& [key, pool] : impl_->pools) {
      for (auto& sb : pool->sandboxes) {
        sb->state = State::Dead;
        if (sb->process) sb->process->kill();
        all.push_back(sb);
      }
      pool->sandboxes.clear();
      for (auto& p : pool->queue) orphans.push_back(std::move(p));
      pool->queue.clear();
    }
    for (auto& sb : impl_->graveyard) all.push_back(sb);
    impl_->graveyard.clear();
    impl_->wake.notify_all();
  }
  impl_->watchdog.join();
  for (auto& p : orphans) {
    p.done(AwsError{"ServiceException", "The Lambda service is shutting down.", 500});
  }
  all.clear();
}

void Invoker::invoke(const SandboxConfig& config, InvokeRequest request, InvokeDone done) {
  impl_->invoke(config, std::move(request), std::move(done));
}

void Invoker::retire(const std::string& prefix) {
  Impl::After after;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, pool] : impl_->pools) {
      if (key.rfind(prefix, 0) != 0) continue;
      pool->retired = true;
      auto sandboxes = pool->sandboxes;
      for (auto& sb : sandboxes) {
        if (sb->state == State::Busy) continue;  // finishes its invocation first
        auto reply = std::move(sb->waiting);
        sb->waiting = nullptr;
        impl_->bury(sb, after);
        if (reply) after.calls.push_back([reply] { reply(std::nullopt); });
      }
    }
  }
  after.run();
}

size_t Invoker::sandboxCount() const {
  std::lock_guard lock(impl_->mu);
  size_t n = 0;
  for (const auto& [key, pool] : impl_->pools) n += pool->sandboxes.size();
  return n;
}

std::string poolKey(const Scope& scope, const std::string& function, const std::string& version,
                    const std::string& revisionId) {
  return poolPrefix(scope, function) + version + "#" + revisionId;
}

std::string poolPrefix(const Scope& scope, const std::string& function) {
  return scope.account + "/" + scope.region + "/" + function + "/";
}

}  // namespace sluice::services::lambda
