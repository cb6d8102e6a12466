// EventBridge Scheduler (signing name "scheduler", restJson1): schedule
// groups (with tags) and schedules — rate(), cron() and one-time at()
// expressions in a time zone, StartDate/EndDate, flexible time windows,
// ENABLED/DISABLED, ActionAfterCompletion — firing their target on the
// engine's event loop and injected clock (`--clock virtual` +
// POST /_sluice/clock/advance drives them).
//
// Targets go through the operation registry: templated targets (state
// machine, SQS queue, SNS topic, Lambda function, event bus; Kinesis, ECS and
// SageMaker targets are accepted and validated, but as those services do not
// exist here their invocations fail into the retry and dead-letter path) and universal
// targets arn:aws:scheduler:::aws-sdk:<service>:<apiAction> whose Input is
// the request. Failed invocations are retried per RetryPolicy, then sent to
// the DeadLetterConfig queue. Each firing stores its time before the target
// is invoked, so a schedule never fires twice for the same time across a
// restart.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/common/schedule_expression.hpp"
#include "services/common/time_zone.hpp"
#include "services/operation.hpp"

namespace sluice::services::scheduler {

struct GroupRecord {
  std::string name;
  TimePoint created;
  TimePoint modified;
  std::map<std::string, std::string> tags;
};

struct ScheduleRecord {
  std::string name;
  std::string group;
  std::string description;
  std::string expressionText;
  std::string timezone = "UTC";
  std::string state = "ENABLED";
  std::string actionAfterCompletion = "NONE";
  std::string kmsKeyArn;
  std::optional<TimePoint> startDate;
  std::optional<TimePoint> endDate;
  std::string windowMode = "OFF";
  int64_t windowMinutes = 0;
  Json target;  // the Target shape as given
  TimePoint created;
  TimePoint modified;
  std::optional<TimePoint> lastFire;  // the scheduled time of the last firing
  // CreateSchedule's ClientToken and a digest of the rest of its request: a
  // retry with the same token and request gets the same answer.
  std::string clientToken;
  std::string requestDigest;
  // Derived, not stored:
  std::optional<ScheduleExpression> expression;
  std::shared_ptr<const TimeZone> zone;
  uint64_t generation = 0;  // bumps on every change: stale timers see it and stop
};

// One invocation of a schedule's target. It is kept in scheduler_invocations
// from the firing's commit until it is over (delivered, dead-lettered or
// given up), so a crash in between re-invokes it at start-up: at least once.
struct Invocation {
  std::string id;  // its scheduler_invocations key
  Scope scope;
  std::string scheduleArn;
  Json target;
  std::string input;
  TimePoint scheduledTime;
  int attempt = 0;
  TimePoint firstTry;
};

class SchedulerService {
 public:
  SchedulerService(const ServiceEnvironment& env, const OperationRegistry& registry);

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();

  Result<Change> createScheduleGroup(const Json& in, const CallContext& ctx);
  Result<Change> getScheduleGroup(const Json& in, const CallContext& ctx);
  Result<Change> listScheduleGroups(const Json& in, const CallContext& ctx);
  Result<Change> deleteScheduleGroup(const Json& in, const CallContext& ctx);
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> listTagsForResource(const Json& in, const CallContext& ctx);
  Result<Change> createSchedule(const Json& in, const CallContext& ctx);
  Result<Change> updateSchedule(const Json& in, const CallContext& ctx);
  Result<Change> getSchedule(const Json& in, const CallContext& ctx);
  Result<Change> listSchedules(const Json& in, const CallContext& ctx);
  Result<Change> deleteSchedule(const Json& in, const CallContext& ctx);

 private:
  using Groups = std::map<std::string, GroupRecord>;
  using Schedules = std::map<std::string, ScheduleRecord>;  // by "<group>\n<name>"

  Groups& groupsOf(const Scope& scope);
  Schedules& schedulesOf(const Scope& scope) { return schedules_[scopeKey(scope)]; }
  Result<GroupRecord*> findGroup(const Scope& scope, const std::string& name);
  Result<GroupRecord*> groupOfArn(const Scope& scope, const std::string& arn);
  std::string groupArn(const Scope& scope, const std::string& group) const;
  std::string scheduleArn(const Scope& scope, const ScheduleRecord& s) const;
  // Reads and checks CreateSchedule/UpdateSchedule members into `s`.
  Result<void> readSchedule(const Json& in, ScheduleRecord& s) const;
  Result<Change> putSchedule(const Json& in, const CallContext& ctx, bool create);
  void persistSchedule(DocumentBatch& b, const Scope& scope, const ScheduleRecord& s) const;
  void persistGroup(DocumentBatch& b, const Scope& scope, const GroupRecord& g) const;
  void loadFromStore();

  // Firing (firing.cpp).
  std::optional<TimePoint> nextFire(const ScheduleRecord& s, TimePoint now) const;
  void arm(const Scope& scope, const std::string& key, uint64_t generation);
  void fire(const Scope& scope, const std::string& key, uint64_t generation, TimePoint at);
  void invoke(Invocation inv);
  void callTarget(const Invocation& inv, Reply done);
  void retryLater(Invocation inv, const AwsError& error);
  // In-flight invocations (invocations.cpp): their rows, and resuming the
  // ones a crash left at start-up.
  void persistInvocation(DocumentBatch& b, const Invocation& inv) const;
  void finishInvocation(const Invocation& inv);
  void resumeInvocations();

  const Clock& clock_;
  engine::EngineContext engine_;
  const OperationRegistry& registry_;
  DocumentStore docs_;
  std::mutex mu_;
  std::map<std::string, Groups> groups_;        // by scopeKey
  std::map<std::string, Schedules> schedules_;  // by scopeKey
  uint64_t generations_ = 0;                    // never reused, so old timers stay stale
};

// The text of a schedule's target input with the context attributes
// <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
// <aws.scheduler.execution-id> and <aws.scheduler.attempt-number> replaced.
std::string renderInput(const std::string& input, const std::string& scheduleArn,
                        TimePoint scheduledTime, const std::string& executionId, int attempt);

}  // namespace sluice::services::scheduler
