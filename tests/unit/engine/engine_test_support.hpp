// Shared helpers for the engine unit tests: an in-process scripted function
// (Lambda stand-in) whose replies may be delayed on the engine's clock, and a
// runMachine() helper that compiles a definition and runs it on a LocalEngine
// with the virtual clock.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/compile.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "engine/execution.hpp"
#include "engine/functions.hpp"
#include "engine/local_engine.hpp"

namespace sluice::engine::testing {

// What a scripted function does for one invocation.
struct Reply {
  Json value = nullptr;                 // success payload (when no error is set)
  std::optional<std::string> error;     // set: an unhandled function error of this errorType
  std::string message;                  // its errorMessage
  std::optional<AwsError> invokeError;  // set: the Invoke call itself fails
  double delaySeconds = 0;              // reply after this long on the engine clock
  bool hang = false;                    // never reply (until cancelled)

  static Reply ok(Json v, double delay = 0) {
    Reply r;
    r.value = std::move(v);
    r.delaySeconds = delay;
    return r;
  }
  static Reply fail(std::string type, std::string message = "", double delay = 0) {
    Reply r;
    r.error = std::move(type);
    r.message = std::move(message);
    r.delaySeconds = delay;
    return r;
  }
  static Reply never() {
    Reply r;
    r.hang = true;
    return r;
  }
};

// One recorded invocation.
struct Call {
  std::string function;  // the function name
  Json payload;          // the payload the function received, parsed
  TimePoint at;          // engine time of the invocation
};

// A FunctionInvoker whose functions are C++ lambdas: `handler(payload, n)`
// gets the parsed payload and the 0-based call number of that function.
class ScriptedFunctions final : public FunctionInvoker {
 public:
  using Handler = std::function<Reply(const Json& payload, size_t callIndex)>;

  void on(const std::string& name, Handler handler) { handlers_[name] = std::move(handler); }
  // Convenience: a function that always answers the same.
  void always(const std::string& name, Reply reply) {
    on(name, [reply](const Json&, size_t) { return reply; });
  }
  // Echoes its payload.
  void echo(const std::string& name) {
    on(name, [](const Json& p, size_t) { return Reply::ok(p); });
  }

  const std::vector<Call>& calls() const { return calls_; }
  std::vector<Call> callsTo(const std::string& name) const {
    std::vector<Call> out;
    for (const auto& c : calls_)
      if (c.function == name) out.push_back(c);
    return out;
  }
  size_t inFlight() const { return inFlight_; }
  size_t maxInFlight() const { return maxInFlight_; }
  size_t cancelled() const { return cancelled_; }

  std::unique_ptr<RunningTask> invoke(const std::string& function, std::string payload,
                                      const Scope& scope, EventLoop& loop,
                                      FunctionDone done) override {
    std::string name = functionNameOf(function);
    auto parsed = parseJson(payload);
    size_t index = 0;
    for (const auto& c : calls_)
      if (c.function == name) ++index;
    calls_.push_back({name, parsed ? *parsed : Json(payload), loop.now()});
    auto it = handlers_.find(name);
    if (it == handlers_.end()) {
      done(AwsError{"ResourceNotFoundException",
                    "Function not found: " + arn::lambdaFunction(scope, name) + ":$LATEST", 404});
      return nullptr;
    }
    Reply reply = it->second(calls_.back().payload, index);
    ++inFlight_;
    maxInFlight_ = std::max(maxInFlight_, inFlight_);
    if (reply.hang) return std::make_unique<Pending>(*this, loop, 0);
    if (reply.delaySeconds <= 0) {
      --inFlight_;
      respond(reply, done);
      return nullptr;
    }
    auto id = loop.schedule(loop.now() + Duration(static_cast<int64_t>(reply.delaySeconds * 1e6)),
                            [this, reply, done] {
                              --inFlight_;
                              respond(reply, done);
                            });
    return std::make_unique<Pending>(*this, loop, id);
  }

 private:
  class Pending final : public RunningTask {
   public:
    Pending(ScriptedFunctions& owner, EventLoop& loop, EventLoop::TimerId id)
        : owner_(owner), loop_(loop), id_(id) {}
    void cancel() override {
      if (done_) return;
      done_ = true;
      // A timer that already fired has replied; only count real cancellations.
      if (id_ == 0 || loop_.cancel(id_)) {
        --owner_.inFlight_;
        ++owner_.cancelled_;
      }
    }
    ~Pending() override { cancel(); }

   private:
    ScriptedFunctions& owner_;
    EventLoop& loop_;
    EventLoop::TimerId id_;
    bool done_ = false;
  };

  static void respond(const Reply& reply, const FunctionDone& done) {
    if (reply.invokeError) return done(*reply.invokeError);
    FunctionResponse r;
    if (reply.error) {
      JsonObject e;
      e["errorType"] = *reply.error;
      e["errorMessage"] = reply.message;
      r.payload = toJsonText(e);
      r.functionError = true;
    } else {
      r.payload = toJsonText(reply.value);
    }
    done(std::move(r));
  }

  std::map<std::string, Handler> handlers_;
  std::vector<Call> calls_;
  size_t inFlight_ = 0;
  size_t maxInFlight_ = 0;
  size_t cancelled_ = 0;
};

// A LocalEngine on the virtual clock with ScriptedFunctions bound to both
// Lambda integrations.
class TestEngine {
 public:
  explicit TestEngine(uint64_t seed = 42)
      : engine_({.virtualClock = true, .seed = seed}),
        functions_(std::make_shared<ScriptedFunctions>()) {
    registerLambdaIntegrations(engine_.integrations(), functions_, engine_.ids());
  }

  LocalEngine& engine() { return engine_; }
  ScriptedFunctions& functions() { return *functions_; }

  static std::shared_ptr<const asl::Machine> compile(std::string_view definition) {
    auto r = asl::compileDefinition(definition);
    if (!r.machine) {
      ADD_FAILURE() << "definition does not compile: "
                    << asl::invalidDefinitionError(r.diagnostics).message;
    }
    return r.machine;
  }

  std::shared_ptr<Execution> run(std::string_view definition, Json input = JsonObject{}) {
    auto machine = compile(definition);
    if (!machine) return nullptr;
    return engine_.run(machine, std::move(input));
  }

  // Starts an execution without running the loop (for stop(), timers, ...).
  std::shared_ptr<Execution> start(std::string_view definition, Json input = JsonObject{}) {
    auto machine = compile(definition);
    if (!machine) return nullptr;
    auto exec = Execution::create(engine_.context(), machine, std::move(input), {});
    exec->start();
    return exec;
  }
  void runToCompletion(const std::shared_ptr<Execution>& exec) {
    engine_.loop().runUntil([&] { return exec->done(); });
  }

 private:
  LocalEngine engine_;
  std::shared_ptr<ScriptedFunctions> functions_;
};

// ARN of a Lambda function in the default test scope.
inline std::string fnArn(const std::string& name) {
  return "arn:aws:lambda:us-east-1:000000000000:function:" + name;
}

inline Json json(std::string_view text) {
  auto v = parseJson(text);
  EXPECT_TRUE(v.has_value()) << "bad JSON in test: " << text;
  return v ? *v : Json();
}

inline std::vector<HistoryEvent> eventsOfType(const Execution& exec, std::string_view type) {
  std::vector<HistoryEvent> out;
  for (const auto& e : exec.history())
    if (e.type == type) out.push_back(e);
  return out;
}

inline const HistoryEvent* firstEvent(const Execution& exec, std::string_view type) {
  for (const auto& e : exec.history())
    if (e.type == type) return &e;
  return nullptr;
}

inline const HistoryEvent* lastEvent(const Execution& exec, std::string_view type) {
  const HistoryEvent* found = nullptr;
  for (const auto& e : exec.history())
    if (e.type == type) found = &e;
  return found;
}

inline double secondsBetween(TimePoint a, TimePoint b) {
  return static_cast<double>((b - a).count()) / 1e6;
}

// Gaps in seconds between consecutive events of `type`.
inline std::vector<double> gapsBetween(const Execution& exec, std::string_view type) {
  auto events = eventsOfType(exec, type);
  std::vector<double> out;
  for (size_t i = 1; i < events.size(); ++i)
    out.push_back(secondsBetween(events[i - 1].timestamp, events[i].timestamp));
  return out;
}

inline std::vector<std::string> eventTypes(const Execution& exec) {
  std::vector<std::string> out;
  for (const auto& e : exec.history()) out.emplace_back(e.type);
  return out;
}

// Seconds from ExecutionStarted to the execution's final event.
inline double executionSeconds(const Execution& exec) {
  if (exec.history().empty()) return -1;
  return secondsBetween(exec.history().front().timestamp, exec.history().back().timestamp);
}

// The event's `...EventDetails` object as GetExecutionHistory shows it
// (empty when the event has none).
inline JsonObject details(const HistoryEvent& e) {
  Json rendered = historyEventToJson(e);
  for (const auto& kv : rendered.as_object()) {
    if (kv.key().ends_with("EventDetails") && kv.value().is_object()) return kv.value().as_object();
  }
  return {};
}

inline std::string detailString(const HistoryEvent& e, std::string_view key) {
  JsonObject d = details(e);
  if (const Json* v = d.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

inline Json detail(const HistoryEvent& e, std::string_view key) {
  JsonObject d = details(e);
  if (const Json* v = d.if_contains(key)) return *v;
  return nullptr;
}

// A readable dump of the history, for failure messages.
inline std::string historyText(const Execution& exec) {
  return toPrettyJsonText(historyToJson(exec.history()));
}

}  // namespace sluice::engine::testing
