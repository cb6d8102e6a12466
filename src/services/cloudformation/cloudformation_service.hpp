// CloudFormation (signing name "cloudformation", the query protocol):
// stacks deployed from JSON or YAML templates, each resource created through
// the other services' own operations (resource_types.hpp).
//
// A stack is one document of cfn_stacks (its template, parameters, status,
// outputs and every resource it holds), held in memory under one lock and
// written through after each step of a deployment, so a server killed
// mid-deployment knows what it had created: at start-up such a stack is
// rolled back (its resources deleted) and ends ROLLBACK_COMPLETE. Stack
// events grow with every deployment and live in the store only: rows of
// cfn_stack_events, read page by page.
//
// Deployments run on the worker pool, one resource at a time in dependency
// order. CreateStack and DeleteStack answer once the deployment has ended
// (or after a bounded wait for a long one): the answer is AWS's, and a
// client's first DescribeStacks poll already sees the outcome, so `aws
// cloudformation deploy`'s 30-second waiter never sleeps.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "services/builtin.hpp"
#include "services/cloudformation/intrinsics.hpp"
#include "services/cloudformation/template.hpp"
#include "services/common/documents.hpp"
#include "services/operation.hpp"

namespace sluice::services::cloudformation {

class CloudFormationService {
 public:
  // Loads the stacks; stacks a crash left in progress are rolled back once
  // the server runs (recover()).
  CloudFormationService(const ServiceEnvironment& env, const OperationRegistry& registry);
  // Stops deployments between resources and waits for them (a stack cut
  // there is recovered at the next start).
  ~CloudFormationService();

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();
  // Rolls back or finishes the deployments a crash cut short.
  void recover();

  void createStack(const Json& in, const CallContext& ctx, Reply reply);
  void updateStack(const Json& in, const CallContext& ctx, Reply reply);
  void deleteStack(const Json& in, const CallContext& ctx, Reply reply);
  // Change sets (change_sets.cpp).
  Result<Change> createChangeSet(const Json& in, const CallContext& ctx);
  Result<Change> describeChangeSet(const Json& in, const CallContext& ctx);
  void executeChangeSet(const Json& in, const CallContext& ctx, Reply reply);
  Result<Change> deleteChangeSet(const Json& in, const CallContext& ctx);
  Result<Change> listChangeSets(const Json& in, const CallContext& ctx);
  Result<Change> describeStacks(const Json& in, const CallContext& ctx);
  Result<Change> listStacks(const Json& in, const CallContext& ctx);
  Result<Change> describeStackEvents(const Json& in, const CallContext& ctx);
  Result<Change> describeStackResource(const Json& in, const CallContext& ctx);
  Result<Change> describeStackResources(const Json& in, const CallContext& ctx);
  Result<Change> listStackResources(const Json& in, const CallContext& ctx);
  Result<Change> getTemplate(const Json& in, const CallContext& ctx);
  Result<Change> validateTemplate(const Json& in, const CallContext& ctx);
  Result<Change> getTemplateSummary(const Json& in, const CallContext& ctx);
  Result<Change> listExports(const Json& in, const CallContext& ctx);

 private:
  // `fn` with a TemplateURL read from Sluice's S3 first and handed on as
  // the TemplateBody it names.
  OperationFn withTemplateUrl(OperationFn fn);
  // A template as an operation submits it (TemplateBody or
  // UsePreviousTemplate, Parameters with UsePreviousValue, Capabilities),
  // checked, its parameters resolved.
  struct PreparedTemplate {
    std::string text;
    CheckedTemplate checked;
    JsonObject values;  // resolved parameters
    JsonObject raw;     // parameters as given (UsePreviousValue reads them)
    JsonArray shown;    // Parameters as DescribeStacks shows them
    JsonArray capabilities;
  };
  // `current`: the stack an update or change set starts from.
  Result<PreparedTemplate> prepareTemplate(const Json& in, const JsonObject* current);
  // A new stack's document (CreateStack, a CREATE change set).
  JsonObject newStack(const Scope& scope, const std::string& name, const Json& in);
  // Installs `prepared` as the stack's template (CREATE) or as the update to
  // apply (`_next`), and starts deploying: status, event, commit, launch.
  void startDeployment(const Scope& scope, JsonObject& doc, PreparedTemplate prepared, bool update,
                       std::unique_lock<std::mutex>& lock, Reply reply, Json response);

  // One deployment on the worker pool (launch: loop thread).
  enum class Deploy { Create, Update, Delete, Rollback, UpdateRollback, Cleanup };
  void launch(const Scope& scope, const std::string& stackId, Deploy kind, Reply reply,
              Json response);
  void runDeployment(const Scope& scope, const std::string& stackId, Deploy kind);
  // Creates the template's resources; false when one failed.
  bool createResources(const Scope& scope, const std::string& stackId);
  // Applies the pending update (`_next`): resources added, updated in
  // place or replaced; false when one failed (stack_update.cpp).
  bool updateResources(const Scope& scope, const std::string& stackId);
  // After a successful update: replaced and removed resources deleted.
  void cleanUpUpdate(const Scope& scope, const std::string& stackId);
  // After a failed one: everything put back as it was.
  void rollBackUpdate(const Scope& scope, const std::string& stackId);
  // The values a deployment of `body` resolves against: its parameters (SSM
  // parameter types read now), exports of the other stacks.
  Result<TemplateValues> deploymentValues(const StackIdentity& stack, const Json& body,
                                          std::map<std::string, Json> params);
  // Creates resource `id` of the template being deployed, recording it.
  bool createResource(const Scope& scope, const std::string& stackId, const std::string& stackName,
                      TemplateValues& values, const std::string& id, const JsonObject& resource,
                      const char* failedStatus);
  // The resolved Outputs of a deployment; false (the reason recorded) when
  // one cannot be resolved or exports a name another stack exports.
  bool resolveOutputs(const Scope& scope, const std::string& stackId, const Json& body,
                      TemplateValues& values, JsonArray& outputs);
  // Records the stack's failure reason; returns false.
  bool failStack(const Scope& scope, const std::string& stackId, std::string reason);
  // Deletes the stack's resources, newest first; false when one could not
  // be deleted.
  bool deleteResources(const Scope& scope, const std::string& stackId, const char* inProgress,
                       const char* complete, const char* failed);

  // Under the lock: the stack by name or id (live stacks by name; deleted
  // ones by id only), or ValidationError "Stack with id X does not exist".
  Result<Json*> stack(const Scope& scope, const std::string& nameOrId);
  Json* liveStack(const Scope& scope, const std::string& name);
  // Applies `edit` to the stack's document and records `events` (each a
  // partial StackEvent) in one commit, waiting for it (worker threads).
  void record(const Scope& scope, const std::string& stackId,
              const std::function<void(JsonObject&)>& edit, std::vector<JsonObject> events);
  // The StackEvent rows of a change.
  void appendEvents(DocumentBatch& batch, const Scope& scope, const JsonObject& stack,
                    std::vector<JsonObject> events);
  // The value an export has in this scope (any live stack's Outputs but
  // `exceptStack`'s).
  std::optional<std::string> exportValue(const Scope& scope, const std::string& name,
                                         const std::string& exceptStack = {});
  // The parameters a stack resolves: defaults, AllowedValues, types,
  // UsePreviousValue (from `previous`, the values as given before); `raw`
  // gets each value as given.
  Result<std::map<std::string, Json>> resolveParameters(const Json& body, const Json& given,
                                                        const JsonObject* previous,
                                                        JsonArray& shown, JsonObject& raw);
  // A deployment has ended: wakes whoever waits on it.
  void settled(const std::string& stackId);

  static Json stackView(const JsonObject& doc);

  const OperationRegistry& registry_;
  const Clock& clock_;
  engine::EventLoop& loop_;
  IdGenerator& ids_;
  DocumentStore docs_;
  std::mutex mu_;
  // Stacks by scopeKey, then StackId (deleted ones included).
  std::map<std::string, std::map<std::string, Json>> stacks_;
  int64_t nextEventSeq_ = 1;
  // Replies waiting for a deployment to end, by StackId.
  std::map<std::string, std::vector<std::function<void()>>> waiting_;
  // Deployments running, for the destructor.
  int running_ = 0;
  std::condition_variable idle_;
  std::atomic<bool> stopping_{false};
};

}  // namespace sluice::services::cloudformation
