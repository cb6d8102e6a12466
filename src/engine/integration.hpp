// Task dispatch: a registry of integrations keyed by the Task state's
// resource, so services plug in without the engine knowing them.
//
//   arn:aws:lambda:<region>:<account>:function:<name>  -> key "lambda:function"
//   arn:aws:states:::lambda:invoke[.waitForTaskToken]  -> key "lambda:invoke"
//   arn:aws:states:::aws-sdk:s3:getObject              -> key "aws-sdk:s3:getObject"
//                                                         (falls back to "aws-sdk:*")
//   arn:aws:states:<region>:<account>:activity:<name>  -> key "activity"
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "asl/machine.hpp"
#include "asl/outcome.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "engine/event_loop.hpp"

namespace sluice::engine {

// Which family of history events a task produces.
enum class TaskFamily { Task, LambdaFunction, Activity };

struct ParsedResource {
  TaskFamily family = TaskFamily::Task;
  std::string key;           // registry key (see above)
  std::string resourceType;  // TaskScheduled.resourceType, e.g. "lambda", "aws-sdk:s3"
  std::string resource;      // TaskScheduled.resource incl. pattern, e.g. "invoke.waitForTaskToken"
  std::string region;        // from the ARN when present
  std::string account;
  std::string name;  // function or activity name
};

// Splits a Task resource ARN; nullopt when it is not a resource Step Functions knows.
std::optional<ParsedResource> parseTaskResource(std::string_view arn,
                                                asl::IntegrationPattern pattern);

struct TaskRequest {
  const ParsedResource* resource = nullptr;
  std::string resourceArn;  // as written, without the pattern suffix
  asl::IntegrationPattern pattern = asl::IntegrationPattern::RequestResponse;
  Json parameters;
  std::string taskToken;  // set for .waitForTaskToken
  std::optional<double> timeoutSeconds;
  std::optional<double> heartbeatSeconds;
  Scope scope;
  std::string executionArn;
  std::string stateMachineArn;
  std::string stateName;
  // Names this attempt of the task within its execution, the same when a
  // restart dispatches the attempt again: "<entered event id>.<retry count>".
  std::string attemptId;
  // Activities: a worker took the task (records ActivityStarted).
  std::function<void(const std::string& workerName)> started;
};

using TaskDone = std::function<void(asl::Outcome<Json>)>;

// A task in flight. Destroying or cancelling it means nobody waits for the
// result any more (the execution moved on: timeout, abort).
class RunningTask {
 public:
  virtual ~RunningTask() = default;
  virtual void cancel() = 0;
};

class Integration {
 public:
  virtual ~Integration() = default;
  // Starts the task. `done` must be called at most once, on the loop thread.
  virtual std::unique_ptr<RunningTask> start(const TaskRequest& request, EventLoop& loop,
                                             TaskDone done) = 0;
};

class IntegrationRegistry {
 public:
  void add(std::string key, std::shared_ptr<Integration> integration);
  Integration* find(const ParsedResource& resource) const;

 private:
  std::unordered_map<std::string, std::shared_ptr<Integration>> byKey_;
};

}  // namespace sluice::engine
