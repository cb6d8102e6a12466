// Firing schedules on the engine loop and invoking their targets.
//
// A firing records its scheduled time (lastFire) and commits it before the
// target is invoked: after a crash the schedule resumes strictly after that
// time, so no time fires twice. The next timer is set at once on the loop
// thread, so a virtual-clock advance walks through every firing in its window.
// Flexible time windows fire at the window's start (deterministic; AWS picks
// a moment inside the window).
#include <algorithm>
#include <future>

#include "services/common/target_delivery.hpp"
#include "services/scheduler/scheduler_service.hpp"

namespace sluice::services::scheduler {

namespace {

constexpr int kDefaultRetries = 185;
constexpr int64_t kDefaultMaxAgeSeconds = 86400;

const Json* member(const Json& o, std::string_view key) {
  const Json* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

void replaceAll(std::string& s, std::string_view what, const std::string& with) {
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) {
    s.replace(at, what.size(), with);
  }
}

// Universal targets name services by their SDK name; Sluice by signing name.
std::string registryService(const std::string& sdkName) {
  if (sdkName == "sfn") return "states";
  if (sdkName == "eventbridge") return "events";
  if (sdkName == "cloudwatchlogs") return "logs";
  return sdkName;
}

}  // namespace

std::string renderInput(const std::string& input, const std::string& scheduleArn,
                        TimePoint scheduledTime, const std::string& executionId, int attempt) {
  std::string out = input;
  std::string iso = formatIso8601(scheduledTime);
  replaceAll(out, "<aws.scheduler.schedule-arn>", scheduleArn);
  replaceAll(out, "<aws.scheduler.scheduled-time>", iso.substr(0, 19) + "Z");
  replaceAll(out, "<aws.scheduler.execution-id>", executionId);
  replaceAll(out, "<aws.scheduler.attempt-number>", std::to_string(attempt));
  return out;
}

std::optional<TimePoint> SchedulerService::nextFire(const ScheduleRecord& s, TimePoint now) const {
  if (!s.expression || s.state != "ENABLED") return std::nullopt;
  TimePoint after = now;
  if (s.lastFire) after = std::max(after, *s.lastFire);
  // A firing exactly at StartDate counts.
  if (s.startDate) after = std::max(after, *s.startDate - Duration(1));
  TimePoint anchor = s.startDate.value_or(s.created);
  auto next = s.expression->nextAfter(after, anchor, s.zone ? *s.zone : *TimeZone::utc());
  if (!next || (s.endDate && *next > *s.endDate)) return std::nullopt;
  return next;
}

void SchedulerService::arm(const Scope& scope, const std::string& key, uint64_t generation) {
  engine_.loop.post([this, scope, key, generation] {
    std::optional<TimePoint> next;
    {
      std::lock_guard lock(mu_);
      auto& schedules = schedulesOf(scope);
      auto it = schedules.find(key);
      if (it == schedules.end() || it->second.generation != generation) return;
      next = nextFire(it->second, engine_.loop.now());
    }
    if (!next) return;
    engine_.loop.schedule(
        *next, [this, scope, key, generation, at = *next] { fire(scope, key, generation, at); });
  });
}

void SchedulerService::fire(const Scope& scope, const std::string& key, uint64_t generation,
                            TimePoint at) {
  Invocation inv;
  std::promise<Result<void>> recorded;
  {
    std::lock_guard lock(mu_);
    auto& schedules = schedulesOf(scope);
    auto it = schedules.find(key);
    if (it == schedules.end() || it->second.generation != generation) return;
    ScheduleRecord& s = it->second;
    if (s.state != "ENABLED") return;
    inv.id = engine_.ids.uuid();
    inv.scope = scope;
    inv.scheduleArn = scheduleArn(scope, s);
    inv.target = s.target;
    const Json* input = member(s.target, "Input");
    inv.input = input && input->is_string() ? std::string(input->get_string()) : "{}";
    inv.scheduledTime = at;
    inv.firstTry = clock_.now();
    s.lastFire = at;
    DocumentBatch batch;
    bool oneTime = s.expression && s.expression->kind() == ScheduleExpression::Kind::At;
    if (oneTime && s.actionAfterCompletion == "DELETE") {
      batch.erase("scheduler_schedules", scope, key);
      schedules.erase(it);
    } else {
      persistSchedule(batch, scope, s);
      if (auto next = nextFire(s, at)) {
        engine_.loop.schedule(*next, [this, scope, key, generation, when = *next] {
          fire(scope, key, generation, when);
        });
      }
    }
    persistInvocation(batch, inv);
    // Submitted under the lock so commits keep the order of changes.
    docs_.commit(std::move(batch), [&recorded](Result<void> ok) { recorded.set_value(ok); });
  }
  // The target is invoked only once the firing is durable. The loop thread
  // waits for that commit (one group commit) rather than invoking later, so
  // the target sees the scheduled time even while a virtual-clock advance
  // runs. Never under the lock: a universal target may call the scheduler.
  if (!recorded.get_future().get()) return;  // not recorded, not invoked: the store fails
  invoke(std::move(inv));
}

void SchedulerService::invoke(Invocation inv) {
  ++inv.attempt;
  callTarget(inv, [this, inv](Result<Json> r) mutable {
    if (!r) return retryLater(std::move(inv), r.error());
    finishInvocation(inv);
  });
}

void SchedulerService::callTarget(const Invocation& inv, Reply done) {
  std::string arn(inv.target.at("Arn").as_string());
  CallContext ctx;
  ctx.scope = inv.scope;
  ctx.requestId = engine_.ids.uuid();
  std::string input =
      renderInput(inv.input, inv.scheduleArn, inv.scheduledTime, ctx.requestId, inv.attempt);
  if (arn.starts_with("arn:aws:scheduler:::aws-sdk:")) {
    // Universal target: Input is the request of <service>:<apiAction>.
    std::string action = arnPart(arn, 7);
    action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
    auto request = parseJson(input);
    if (!request) return done(AwsError::validation("The target Input is not valid JSON."));
    return registry_.call(registryService(arnPart(arn, 6)), action, *request, ctx, std::move(done));
  }
  if (arnPart(arn, 2) == "events") {
    const Json& params = inv.target.at("EventBridgeParameters");
    JsonObject entry;
    entry["Source"] = params.at("Source");
    entry["DetailType"] = params.at("DetailType");
    entry["Detail"] = input;
    entry["Resources"] = JsonArray{Json(inv.scheduleArn)};
    entry["EventBusName"] = arn;
    JsonObject in;
    in["Entries"] = JsonArray{Json(std::move(entry))};
    return registry_.call("events", "PutEvents", in, ctx, [done](Result<Json> r) {
      if (r && r->at("FailedEntryCount").to_number<int64_t>() > 0) {
        return done(AwsError{"FailedEntry", toJsonText(*r), 400});
      }
      done(std::move(r));
    });
  }
  const Json* sqs = member(inv.target, "SqsParameters");
  if (!sendToResource(registry_, ctx, arn, input, sqs ? *sqs : Json(nullptr), done)) {
    done(AwsError{"UnsupportedTarget", "Sluice cannot invoke " + arn + ".", 400});
  }
}

void SchedulerService::retryLater(Invocation inv, const AwsError& error) {
  int maxRetries = kDefaultRetries;
  int64_t maxAge = kDefaultMaxAgeSeconds;
  if (const Json* policy = member(inv.target, "RetryPolicy")) {
    if (const Json* n = member(*policy, "MaximumRetryAttempts")) {
      maxRetries = static_cast<int>(toDouble(*n));
    }
    if (const Json* a = member(*policy, "MaximumEventAgeInSeconds")) {
      maxAge = static_cast<int64_t>(toDouble(*a));
    }
  }
  // Exponential backoff with a one-minute ceiling.
  auto delay = std::chrono::seconds(std::min<int64_t>(60, int64_t{1} << std::min(inv.attempt, 6)));
  TimePoint at = clock_.now() + delay;
  if (inv.attempt > maxRetries || at - inv.firstTry > std::chrono::seconds(maxAge)) {
    // Exhausted: the dead-letter queue (if any) receives the input.
    const Json* dlq = member(inv.target, "DeadLetterConfig");
    const Json* arn = dlq ? member(*dlq, "Arn") : nullptr;
    if (!arn || !arn->is_string()) return finishInvocation(inv);
    CallContext ctx;
    ctx.scope = inv.scope;
    ctx.requestId = engine_.ids.uuid();
    (void)error;
    sendToResource(registry_, ctx, std::string(arn->get_string()), inv.input, Json(nullptr),
                   [this, inv](Result<Json>) { finishInvocation(inv); });
    return;
  }
  // The attempt count survives a crash with the invocation.
  DocumentBatch batch;
  persistInvocation(batch, inv);
  docs_.commit(std::move(batch), [](Result<void>) {});
  engine_.loop.post([this, inv = std::move(inv), at]() mutable {
    engine_.loop.schedule(at, [this, inv = std::move(inv)]() mutable { invoke(std::move(inv)); });
  });
}

}  // namespace sluice::services::scheduler
