// EventBridge (signing name "events", X-Amz-Target "AWSEvents"): event buses,
// rules (event patterns and schedules), targets, PutEvents and
// TestEventPattern.
//
// Matching events are delivered to targets through the operation registry —
// states StartExecution, sqs SendMessage, sns Publish, another bus's
// PutEvents, lambda Invoke — so each works as soon as that service is
// registered. Scheduled rules fire from timers on the engine's event loop and
// its injected clock (`--clock virtual` + POST /_sluice/clock/advance drives
// them). Failed deliveries are retried with backoff per the target's
// RetryPolicy, then sent to its DeadLetterConfig queue. Every delivery is
// stored before PutEvents answers and until it is over, so a restart after
// kill -9 resumes it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/common/pending_deliveries.hpp"
#include "services/common/schedule_expression.hpp"
#include "services/events/event_pattern.hpp"
#include "services/operation.hpp"

namespace sluice::services::events {

struct BusRecord {
  std::string name;
  std::string description;
  TimePoint created;
  TimePoint modified;
};

struct RuleRecord {
  std::string name;
  std::string bus;
  std::string eventPatternText;  // as given
  std::string scheduleText;
  std::string state = "ENABLED";
  std::string description;
  std::string roleArn;
  std::map<std::string, std::string> tags;
  std::vector<Json> targets;  // Target shapes as given, by Id order
  TimePoint anchor;           // when the schedule began (PutRule)
  std::optional<EventPattern> pattern;
  std::optional<ScheduleExpression> schedule;
  uint64_t generation = 0;  // bumps on every change: stale timers see it and stop

  bool enabled() const { return state != "DISABLED"; }
};

// One event on its way to one target.
struct Delivery {
  Scope scope;
  std::string ruleArn;
  Json target;
  Json event;
  std::string input;  // the target's input (JSON text)
  int attempt = 0;
  TimePoint firstTry;
  std::string pendingId;  // its events_pending row
};

class EventsService {
 public:
  EventsService(const ServiceEnvironment& env, const OperationRegistry& registry);

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();

  Result<Change> createEventBus(const Json& in, const CallContext& ctx);
  Result<Change> deleteEventBus(const Json& in, const CallContext& ctx);
  Result<Change> describeEventBus(const Json& in, const CallContext& ctx);
  Result<Change> listEventBuses(const Json& in, const CallContext& ctx);
  Result<Change> putRule(const Json& in, const CallContext& ctx);
  Result<Change> describeRule(const Json& in, const CallContext& ctx);
  Result<Change> listRules(const Json& in, const CallContext& ctx);
  Result<Change> enableRule(const Json& in, const CallContext& ctx);
  Result<Change> disableRule(const Json& in, const CallContext& ctx);
  Result<Change> deleteRule(const Json& in, const CallContext& ctx);
  Result<Change> putTargets(const Json& in, const CallContext& ctx);
  Result<Change> removeTargets(const Json& in, const CallContext& ctx);
  Result<Change> listTargetsByRule(const Json& in, const CallContext& ctx);
  Result<Change> testEventPattern(const Json& in, const CallContext& ctx);
  // PutEvents answers at once; the deliveries it sets off are returned.
  Result<Json> putEvents(const Json& in, const CallContext& ctx, std::vector<Delivery>& out);

  // Sends one delivery (outside the lock), retrying as its target says;
  // its pending row goes when it is over.
  void deliver(Delivery d);
  // Stores `deliveries` (events_pending), calls `stored` after the commit
  // (where the caller answers), then delivers them (pending.cpp).
  void deliverAfterCommit(std::vector<Delivery> deliveries,
                          std::function<void(Result<void>)> stored);

 private:
  using Buses = std::map<std::string, BusRecord>;
  using Rules = std::map<std::string, RuleRecord>;  // by "<bus>\n<rule>"

  Buses& busesOf(const Scope& scope);
  Rules& rulesOf(const Scope& scope) { return rules_[scopeKey(scope)]; }
  // EventBusName (a name or an ARN; default when absent) of a request.
  Result<BusRecord*> findBus(const Scope& scope, const Json* nameOrArn);
  Result<RuleRecord*> findRule(const Scope& scope, const Json& in);
  std::string busArn(const Scope& scope, const std::string& bus) const;
  std::string ruleArn(const Scope& scope, const RuleRecord& r) const;
  void persistRule(DocumentBatch& b, const Scope& scope, const RuleRecord& r) const;
  void persistBus(DocumentBatch& b, const Scope& scope, const BusRecord& bus) const;

  // Deliveries of `event` (already an EventBridge event document) to the
  // enabled rules of `bus` it matches.
  std::vector<Delivery> route(const Scope& scope, const std::string& bus, const Json& event);
  std::vector<Delivery> deliveriesFor(const Scope& scope, const RuleRecord& rule,
                                      const Json& event);
  // Scheduled rules: a timer for the next firing on the engine loop.
  void arm(const Scope& scope, const std::string& key, uint64_t generation);
  void fire(const Scope& scope, const std::string& key, uint64_t generation);
  void retryLater(Delivery d, const AwsError& error);
  void deadLetter(const Delivery& d, const AwsError& error);
  void callTarget(const Delivery& d, std::function<void(Result<Json>)> done);
  // Delivers the rows a previous run left (start-up).
  Result<void> resumePending();

  const Clock& clock_;
  engine::EngineContext engine_;
  const OperationRegistry& registry_;
  DocumentStore docs_;
  PendingDeliveries pending_;  // events_pending: one row per delivery in flight
  std::mutex mu_;
  std::map<std::string, Buses> buses_;  // by scopeKey
  std::map<std::string, Rules> rules_;  // by scopeKey
};

// "2024-01-02T03:04:05Z": event times have no fraction.
std::string eventTime(TimePoint t);

// The target's input for `event`: Input, InputPath, InputTransformer, else
// the whole event. Errors are validation failures of the target.
Result<std::string> targetInput(const Json& target, const Json& event, const std::string& ruleArn,
                                const std::string& ruleName, TimePoint ingestion);

// Checks a Target shape as PutTargets does (one input form, valid JSON Input,
// paths and templates).
Result<void> checkTarget(const Json& target);

}  // namespace sluice::services::events
