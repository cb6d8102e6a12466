// The Step Functions service (signing name "states"): state machines,
// versions and aliases, executions, activities and task tokens, tags.
//
// All of its state lives on the engine's event loop thread: every operation
// is posted there, so executions and API calls never race and need no locks.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "asl/machine.hpp"
#include "engine/execution.hpp"
#include "services/common/pagination.hpp"
#include "services/operation.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services::states {

// A published, immutable version: arn:...:stateMachine:<name>:<number>.
struct VersionRecord {
  std::string arn;
  int64_t number = 0;
  std::string definition;
  std::string roleArn;
  std::string description;
  std::string revisionId;
  TimePoint creationDate;
  std::shared_ptr<const asl::Machine> machine;
};

// An alias routes executions to one or two versions by weight:
// arn:...:stateMachine:<name>:<alias>.
struct AliasRecord {
  std::string arn;
  std::string name;
  std::string description;
  Json routing;  // [{"stateMachineVersionArn", "weight"}]
  TimePoint creationDate;
  TimePoint updateDate;
};

struct StateMachineRecord {
  std::string arn;
  std::string name;
  std::string type;  // STANDARD | EXPRESS
  std::string definition;
  std::string roleArn;
  std::string description;
  Json loggingConfiguration;
  Json tracingConfiguration;
  Json encryptionConfiguration;
  std::string revisionId;
  TimePoint creationDate;
  std::shared_ptr<const asl::Machine> machine;
  int64_t nextVersion = 1;
  std::map<int64_t, VersionRecord> versions;
  std::map<std::string, AliasRecord> aliases;  // by alias name
};

class MachineCache;

struct ExecutionRecord {
  std::shared_ptr<engine::Execution> execution;
  std::string stateMachineArn;         // the unqualified state machine ARN
  std::string stateMachineVersionArn;  // when started through a version
  std::string stateMachineAliasArn;    // when started through an alias
  std::string inputText;               // as given, for idempotent StartExecution
  std::string definition;              // the definition it runs (DescribeStateMachineForExecution)
  std::string roleArn;
  bool express = false;
  std::string redriveToken;  // the clientToken of the last redrive
  uint64_t sequence = 0;     // start order: breaks ties between equal start times
  // Durability bookkeeping (persistence.cpp).
  bool dirty = false;          // changed since the last flush
  bool persisted = false;      // its row exists
  size_t persistedEvents = 0;  // history events already written
};

struct ActivityTask {
  std::string token;
  std::string input;
  std::function<void(const std::string& workerName)> started;
};

struct ActivityPoller {
  uint64_t id;
  std::string workerName;
  Reply reply;
  engine::EventLoop::TimerId timeout = 0;
};

struct ActivityRecord {
  std::string arn;
  std::string name;
  TimePoint creationDate;
  std::deque<ActivityTask> pending;    // scheduled, not yet taken by a worker
  std::deque<ActivityPoller> pollers;  // GetActivityTask calls waiting for work
};

class StatesService {
 public:
  // `store` null: everything stays in memory.
  StatesService(engine::EngineContext engine, const Clock& clock,
                store::sqlite::SqliteStore* store = nullptr);
  // Loads what the store holds and resumes running executions (before the
  // engine loop runs).
  Result<void> load();
  // A stored execution brought into memory (nullptr: none of that ARN).
  Result<ExecutionRecord*> loadExecution(const std::string& arn);
  ~StatesService();

  // Registers every operation; each is posted onto the engine loop.
  void registerOperations(OperationRegistry& registry);
  // Closed executions are deleted `retention` after they stopped (AWS: 90
  // days), swept hourly on the server's clock; with a store only
  // (retention.cpp).
  void keepClosedExecutionsFor(Duration retention);

  // Told of every execution just before it runs (engine loop thread): when
  // it starts, when it is redriven, and when it resumes after a restart, with
  // its state machine's loggingConfiguration. CloudWatch Logs delivery
  // (services/logs/execution_logs.hpp) and EventBridge status-change events
  // (services/events/execution_status_events.hpp) hook in here.
  enum class ExecutionPhase { Started, Redriven, Resumed };
  using ExecutionObserver = std::function<void(
      ExecutionPhase phase, const Json& loggingConfiguration,
      const std::shared_ptr<engine::Execution>& execution, const CallContext& ctx)>;
  void addExecutionObserver(ExecutionObserver observer) {
    executionObservers_.push_back(std::move(observer));
  }

  // Operations (engine loop thread). Public for the engine's in-process door.
  Result<Json> createStateMachine(const Json& in, const CallContext& ctx);
  Result<Json> describeStateMachine(const Json& in, const CallContext& ctx);
  Result<Json> updateStateMachine(const Json& in, const CallContext& ctx);
  Result<Json> deleteStateMachine(const Json& in, const CallContext& ctx);
  Result<Json> listStateMachines(const Json& in, const CallContext& ctx);
  Result<Json> validateStateMachineDefinition(const Json& in, const CallContext& ctx);
  Result<Json> describeStateMachineForExecution(const Json& in, const CallContext& ctx);
  Result<Json> startExecution(const Json& in, const CallContext& ctx);
  void startSyncExecution(const Json& in, const CallContext& ctx, Reply reply);
  // TestState (test_state.cpp): runs one state; stores nothing.
  void testState(const Json& in, const CallContext& ctx, Reply reply);
  Result<Json> describeExecution(const Json& in, const CallContext& ctx);
  Result<Json> listExecutions(const Json& in, const CallContext& ctx);
  Result<Json> getExecutionHistory(const Json& in, const CallContext& ctx);
  Result<Json> stopExecution(const Json& in, const CallContext& ctx);
  Result<Json> redriveExecution(const Json& in, const CallContext& ctx);  // redrive.cpp
  // Why RedriveExecution would refuse the execution now; nullopt when it would not.
  std::optional<std::string> notRedrivableReason(const ExecutionRecord& r) const;
  Result<Json> createActivity(const Json& in, const CallContext& ctx);
  Result<Json> deleteActivity(const Json& in, const CallContext& ctx);
  Result<Json> describeActivity(const Json& in, const CallContext& ctx);
  Result<Json> listActivities(const Json& in, const CallContext& ctx);
  void getActivityTask(const Json& in, const CallContext& ctx, Reply reply);
  Result<Json> sendTaskSuccess(const Json& in, const CallContext& ctx);
  Result<Json> sendTaskFailure(const Json& in, const CallContext& ctx);
  Result<Json> sendTaskHeartbeat(const Json& in, const CallContext& ctx);
  Result<Json> publishStateMachineVersion(const Json& in, const CallContext& ctx);
  Result<Json> listStateMachineVersions(const Json& in, const CallContext& ctx);
  Result<Json> deleteStateMachineVersion(const Json& in, const CallContext& ctx);
  Result<Json> createStateMachineAlias(const Json& in, const CallContext& ctx);
  Result<Json> describeStateMachineAlias(const Json& in, const CallContext& ctx);
  Result<Json> updateStateMachineAlias(const Json& in, const CallContext& ctx);
  Result<Json> deleteStateMachineAlias(const Json& in, const CallContext& ctx);
  Result<Json> listStateMachineAliases(const Json& in, const CallContext& ctx);
  Result<Json> tagResource(const Json& in, const CallContext& ctx);
  Result<Json> untagResource(const Json& in, const CallContext& ctx);
  Result<Json> listTagsForResource(const Json& in, const CallContext& ctx);

 private:
  Result<StateMachineRecord*> findMachine(const std::string& arn);
  // A version ARN (…:stateMachine:<name>:<n>) → its machine and version.
  Result<std::pair<StateMachineRecord*, VersionRecord*>> findVersion(const std::string& arn);
  VersionRecord& publish(StateMachineRecord& machine, const std::string& description);
  Result<std::pair<StateMachineRecord*, AliasRecord*>> findAlias(const std::string& arn);
  // Checks a routingConfiguration: 1-2 versions of `machine`, weights summing to 100.
  Result<Json> checkRouting(const StateMachineRecord& machine, const Json* routing);
  // The version an execution through this alias runs (weighted choice).
  VersionRecord* route(StateMachineRecord& machine, const AliasRecord& alias);
  Result<ExecutionRecord*> findExecution(const std::string& arn);
  // ListExecutions over the store (executions_ holds only some of them).
  Result<Json> listStoredExecutions(const std::string& machineArn,
                                    const std::optional<std::string>& status,
                                    const std::optional<std::string>& redriveFilter,
                                    const Page& page);
  // Starts an execution of `machine` (StartExecution and StartSyncExecution).
  // `adopt`: an execution of that name and input, even a finished one, is
  // the one asked for (a nested task's derived name after a re-dispatch).
  Result<ExecutionRecord*> launch(const Json& in, const CallContext& ctx, bool sync,
                                  bool adopt = false);
  Result<ActivityRecord*> findActivity(const std::string& arn);
  // The engine's Task integrations: activity resources, nested executions.
  void registerActivityIntegration();
  void registerNestedIntegration();

  // Durability (persistence.cpp): what changed is marked, then flushed once
  // per loop turn in one group-commit work item.
  void touch(const Json& in, const Json& out);  // ARNs named by a mutating call
  void trackExecution(ExecutionRecord& r);
  Result<ExecutionRecord*> restoreExecution(store::sqlite::Database& db, const std::string& arn,
                                            MachineCache& cache);
  void afterCommit(std::function<void(Result<void>)> ack);
  void scheduleFlush();
  void flush();
  void evictFinished(const std::vector<std::string>& arns);
  Duration retention_ = std::chrono::hours(24 * 90);
  void armRetentionSweep(Duration after);
  void sweepClosedExecutions();

 public:
  // StartExecution from a workflow task (the states:startExecution integration).
  Result<ExecutionRecord*> startFromTask(const Json& in, const CallContext& ctx, bool adopt);

 private:
  friend class ActivityIntegration;

  engine::EngineContext engine_;
  const Clock& clock_;
  store::sqlite::SqliteStore* store_ = nullptr;
  std::set<std::string> dirtyMachines_, dirtyActivities_, dirtyTags_;
  std::vector<std::string> dirtyExecutions_;
  std::vector<std::function<void(Result<void>)>> pendingAcks_;
  bool flushScheduled_ = false;
  std::map<std::string, StateMachineRecord> machines_;  // by ARN
  std::map<std::string, ExecutionRecord> executions_;   // by ARN
  uint64_t nextSequence_ = 1;
  std::map<std::string, std::map<std::string, std::string>> tags_;  // ARN -> key -> value
  std::map<std::string, ActivityRecord> activities_;                // by ARN
  uint64_t nextPoller_ = 1;
  std::vector<ExecutionObserver> executionObservers_;
  void notifyObservers(ExecutionPhase phase, const std::string& stateMachineArn,
                       const std::shared_ptr<engine::Execution>& execution, const CallContext& ctx);
};

}  // namespace sluice::services::states
