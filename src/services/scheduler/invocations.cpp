// Invocations in flight, kept durable. A firing's row commits with the
// firing itself (its lastFire), so an invocation is never lost between the
// firing and the target's answer: a crash leaves the row, and start-up
// invokes it again (EventBridge Scheduler delivers at least once). Retries
// update the row's attempt count; the row goes when the invocation is over.
#include "services/scheduler/scheduler_service.hpp"

namespace sluice::services::scheduler {

namespace {

constexpr std::string_view kTable = "scheduler_invocations";

}  // namespace

void SchedulerService::persistInvocation(DocumentBatch& b, const Invocation& inv) const {
  JsonObject doc{{"scheduleArn", inv.scheduleArn},
                 {"target", inv.target},
                 {"input", inv.input},
                 {"scheduledTime", inv.scheduledTime.time_since_epoch().count()},
                 {"firstTry", inv.firstTry.time_since_epoch().count()},
                 {"attempt", inv.attempt}};
  b.put(kTable, inv.scope, inv.id, Json(std::move(doc)));
}

void SchedulerService::finishInvocation(const Invocation& inv) {
  DocumentBatch b;
  b.erase(kTable, inv.scope, inv.id);
  docs_.commit(std::move(b), [](Result<void>) {});
}

void SchedulerService::resumeInvocations() {
  std::vector<Invocation> left;
  auto scanned = docs_.scan(kTable, [&](const Scope& scope, const std::string& key, Json doc) {
    const JsonObject& o = doc.as_object();
    Invocation inv;
    inv.id = key;
    inv.scope = scope;
    inv.scheduleArn = std::string(o.at("scheduleArn").as_string());
    inv.target = o.at("target");
    inv.input = std::string(o.at("input").as_string());
    inv.scheduledTime = TimePoint(Duration(o.at("scheduledTime").to_number<int64_t>()));
    inv.firstTry = TimePoint(Duration(o.at("firstTry").to_number<int64_t>()));
    inv.attempt = static_cast<int>(o.at("attempt").to_number<int64_t>());
    left.push_back(std::move(inv));
  });
  if (!scanned) throw std::runtime_error("scheduler: " + scanned.error().message);
  // Invoked once the loop runs, when every service is registered.
  for (auto& inv : left) {
    engine_.loop.post([this, inv = std::move(inv)]() mutable { invoke(std::move(inv)); });
  }
}

}  // namespace sluice::services::scheduler
