// arn:aws:states:::states:startExecution[.sync|.sync:2]: a state machine
// starting another. Request-response answers with the new execution's ARN;
// .sync waits for it and answers with its DescribeExecution (Input/Output as
// JSON text), .sync:2 the same with Input/Output as JSON values.
#include "core/digest.hpp"
#include "services/common/input.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

// Dates in optimised-integration results are epoch milliseconds.
Json epochMillis(TimePoint t) {
  return static_cast<int64_t>(t.time_since_epoch().count() / 1000);
}

Json describeForTask(const ExecutionRecord& r, bool parsed) {
  const engine::Execution& e = *r.execution;
  JsonObject o;
  o["ExecutionArn"] = e.arn();
  o["StateMachineArn"] = r.stateMachineArn;
  o["Name"] = e.name();
  o["Status"] = statusName(e.status());
  o["StartDate"] = epochMillis(e.startTime());
  o["StopDate"] = epochMillis(e.stopTime());
  JsonObject included;
  included["Included"] = true;
  o["Input"] = parsed ? e.input() : Json(r.inputText);
  o["InputDetails"] = included;
  if (e.status() == engine::ExecutionStatus::Succeeded) {
    o["Output"] = parsed ? e.output() : Json(toJsonText(e.output()));
    o["OutputDetails"] = included;
  }
  if (!e.error().empty()) o["Error"] = e.error();
  if (!e.cause().empty()) o["Cause"] = e.cause();
  return o;
}

class StartExecutionIntegration final : public engine::Integration {
 public:
  explicit StartExecutionIntegration(StatesService& s) : s_(s) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request, engine::EventLoop&,
                                             engine::TaskDone done) override {
    // The SDK shape (PascalCase) mapped onto the API's members.
    const Json& p = request.parameters;
    const JsonObject* o = p.is_object() ? &p.as_object() : nullptr;
    auto member = [&](const char* k) { return o ? o->if_contains(k) : nullptr; };
    JsonObject in;
    if (const Json* v = member("StateMachineArn")) in["stateMachineArn"] = *v;
    // Without a Name, AWS names the child with a UUID. This one is derived
    // from the parent's task attempt, so an attempt dispatched again after a
    // restart finds the child it already started instead of a second one.
    const Json* name = member("Name");
    in["name"] = name ? *name : Json(derivedName(request));
    if (const Json* v = member("TraceHeader")) in["traceHeader"] = *v;
    if (const Json* v = member("Input")) in["input"] = v->is_string() ? *v : Json(toJsonText(*v));
    CallContext ctx;
    ctx.scope = request.scope;
    auto started = s_.startFromTask(Json(std::move(in)), ctx, name == nullptr);
    if (!started) {
      done(asl::StatesError{"StepFunctions." + started.error().code + "Exception",
                            started.error().message});
      return nullptr;
    }
    ExecutionRecord* child = *started;
    if (request.pattern == asl::IntegrationPattern::RequestResponse) {
      JsonObject out;
      out["ExecutionArn"] = child->execution->arn();
      out["StartDate"] = epochMillis(child->execution->startTime());
      done(Json(std::move(out)));
      return nullptr;
    }
    bool parsed = request.pattern == asl::IntegrationPattern::Sync2;
    auto finish = [child, parsed, done] {
      Json result = describeForTask(*child, parsed);
      if (child->execution->status() == engine::ExecutionStatus::Succeeded) return done(result);
      done(asl::StatesError{"States.TaskFailed", toJsonText(result)});
    };
    if (child->execution->done()) {
      finish();
      return nullptr;
    }
    child->execution->onFinished(finish);
    return std::make_unique<StopChild>(child->execution);
  }

 private:
  // The parent moved on (timeout, abort): the child execution is stopped too.
  class StopChild final : public engine::RunningTask {
   public:
    explicit StopChild(std::shared_ptr<engine::Execution> e) : e_(std::move(e)) {}
    void cancel() override {
      if (!e_->done()) e_->stop("States.Aborted", "The parent execution stopped this execution.");
    }

   private:
    std::shared_ptr<engine::Execution> e_;
  };

  static std::string derivedName(const engine::TaskRequest& request) {
    std::string h =
        hexDigest("SHA-256", request.executionArn + "/" + request.attemptId).value_or("");
    h.resize(32, '0');
    // UUID layout, version 4 and RFC 4122 variant bits, like a random one.
    h[12] = '4';
    h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
  }

  StatesService& s_;
};

}  // namespace

Result<ExecutionRecord*> StatesService::startFromTask(const Json& in, const CallContext& ctx,
                                                      bool adopt) {
  return launch(in, ctx, false, adopt);
}

void StatesService::registerNestedIntegration() {
  engine_.integrations.add("states:startExecution",
                           std::make_shared<StartExecutionIntegration>(*this));
}

}  // namespace sluice::services::states
