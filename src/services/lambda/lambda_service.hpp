// AWS Lambda (signing name "lambda", restJson1): functions from zip
// packages, versions and aliases, Invoke (RequestResponse, Event, DryRun)
// running each function as a local process behind AWS's Runtime API
// (invoker.hpp), and function logs in CloudWatch Logs (/aws/lambda/<name>).
//
// Functions are small configuration: one document per function in
// lambda_functions (account, region, name), held in memory under one lock and
// written through. Packages are content-addressed files in <data-dir>/lambda
// (code_store.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/lambda/async_events.hpp"
#include "services/lambda/code_store.hpp"
#include "services/lambda/function_record.hpp"
#include "services/lambda/invoker.hpp"
#include "services/lambda/sqs_poller.hpp"
#include "services/operation.hpp"

namespace sluice::services::lambda {

// How the service reaches its sandboxes and the rest of the server; set by
// `sluice server` once its port is open.
struct LambdaRuntimeOptions {
  RuntimeEndpointFactory endpoints;
  std::string endpointUrl;  // AWS_ENDPOINT_URL for code inside functions
  std::string accessKeyId = "test";
  std::string secretAccessKey = "test";
  // Where function logs go instead of CloudWatch Logs (`sluice run` prints
  // them): the log group and one line of text at a time.
  std::function<void(const std::string& group, const std::string& line)> logPrinter;
};

// A FunctionName member resolved: the name, and the qualifier it carried
// (name:qualifier or a qualified ARN), if any.
struct FunctionRef {
  std::string name;
  std::string qualifier;
};

// PreconditionFailedException when the request's RevisionId is given and is
// not `current` (a change made on a stale read).
Result<void> checkRevision(const Json& in, const std::string& current);

// The request's FunctionName with its Qualifier member reconciled.
Result<FunctionRef> qualifiedName(const Json& in);

// Resolves a FunctionName (name, name:qualifier, partial or full ARN) and
// reconciles it with a Qualifier member (`qualifier`, may be empty).
Result<FunctionRef> parseFunctionName(std::string_view text, std::string_view qualifier = {});

class LambdaService {
 public:
  // Loads every stored function. Throws std::runtime_error when the store
  // cannot be read (start-up).
  LambdaService(const ServiceEnvironment& env, const OperationRegistry& registry);
  ~LambdaService();

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();
  // Starts running functions (without it, Invoke answers ServiceException).
  void startRuntime(LambdaRuntimeOptions options);
  // Stops every sandbox; call while the endpoints' I/O context still exists.
  void stopRuntime();

  // Operations that only touch the records (under the lock).
  Result<Change> getFunction(const Json& in, const CallContext& ctx);
  Result<Change> getFunctionConfiguration(const Json& in, const CallContext& ctx);
  Result<Change> updateFunctionConfiguration(const Json& in, const CallContext& ctx);
  Result<Change> deleteFunction(const Json& in, const CallContext& ctx);
  Result<Change> listFunctions(const Json& in, const CallContext& ctx);
  Result<Change> publishVersion(const Json& in, const CallContext& ctx);
  Result<Change> listVersionsByFunction(const Json& in, const CallContext& ctx);
  Result<Change> createAlias(const Json& in, const CallContext& ctx);
  Result<Change> getAlias(const Json& in, const CallContext& ctx);
  Result<Change> updateAlias(const Json& in, const CallContext& ctx);
  Result<Change> deleteAlias(const Json& in, const CallContext& ctx);
  Result<Change> listAliases(const Json& in, const CallContext& ctx);
  Result<Change> putFunctionConcurrency(const Json& in, const CallContext& ctx);
  Result<Change> getFunctionConcurrency(const Json& in, const CallContext& ctx);
  Result<Change> deleteFunctionConcurrency(const Json& in, const CallContext& ctx);
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> listTags(const Json& in, const CallContext& ctx);
  Result<Change> getAccountSettings(const Json& in, const CallContext& ctx);
  Result<Change> putFunctionEventInvokeConfig(const Json& in, const CallContext& ctx);
  Result<Change> updateFunctionEventInvokeConfig(const Json& in, const CallContext& ctx);
  Result<Change> getFunctionEventInvokeConfig(const Json& in, const CallContext& ctx);
  Result<Change> deleteFunctionEventInvokeConfig(const Json& in, const CallContext& ctx);
  Result<Change> listFunctionEventInvokeConfigs(const Json& in, const CallContext& ctx);
  Result<Change> getLayerVersion(const Json& in, const CallContext& ctx);
  Result<Change> getLayerVersionByArn(const Json& in, const CallContext& ctx);
  Result<Change> listLayers(const Json& in, const CallContext& ctx);
  Result<Change> listLayerVersions(const Json& in, const CallContext& ctx);
  Result<Change> deleteLayerVersion(const Json& in, const CallContext& ctx);
  Result<Change> createEventSourceMapping(const Json& in, const CallContext& ctx);
  Result<Change> getEventSourceMapping(const Json& in, const CallContext& ctx);
  Result<Change> updateEventSourceMapping(const Json& in, const CallContext& ctx);
  Result<Change> deleteEventSourceMapping(const Json& in, const CallContext& ctx);
  Result<Change> listEventSourceMappings(const Json& in, const CallContext& ctx);
  // Resource policies (permissions.cpp).
  Result<Change> addPermission(const Json& in, const CallContext& ctx);
  Result<Change> removePermission(const Json& in, const CallContext& ctx);
  Result<Change> getPolicy(const Json& in, const CallContext& ctx);

  // Operations that first read and unpack a package (off the lock, on the
  // worker pool), then record it.
  void createFunction(const Json& in, const CallContext& ctx, Reply reply);
  void updateFunctionCode(const Json& in, const CallContext& ctx, Reply reply);
  void publishLayerVersion(const Json& in, const CallContext& ctx, Reply reply);
  // Invoke answers when the function has run, outside the lock.
  void invoke(const Json& in, const CallContext& ctx, Reply reply);

 private:
  using Functions = std::map<std::string, FunctionRecord>;
  Functions& functionsOf(const Scope& scope) { return functions_[scopeKey(scope)]; }
  // The function a FunctionName names, or ResourceNotFoundException.
  Result<FunctionRecord*> find(const Scope& scope, const FunctionRef& ref);
  // The function the request's FunctionName member names (a qualifier in it
  // is ignored: for operations on the whole function).
  Result<FunctionRecord*> functionNamed(const Json& in, const Scope& scope);
  // The version an unqualified name, a version number or an alias selects
  // (an alias with weights picks by them).
  Result<const FunctionVersion*> resolveVersion(const Scope& scope, const FunctionRecord& f,
                                                const std::string& qualifier);
  void persist(Change& change, const Scope& scope, const FunctionRecord& f) const;
  // Reads the configuration members of Create/UpdateFunctionConfiguration
  // into `config` (over what it holds).
  Result<void> readConfiguration(const Json& in, const Scope& scope, const std::string& name,
                                 JsonObject& config, bool create) const;
  // The deployment package a Code member (or UpdateFunctionCode's members)
  // names, stored and unpacked; `then` runs on the engine loop.
  void withCode(const Json& code, const CallContext& ctx,
                std::function<void(Result<StoredCode>)> then);
  Result<Change> recordNewFunction(const Json& in, const CallContext& ctx, const StoredCode& code);
  Result<Change> recordNewCode(const Json& in, const CallContext& ctx, const StoredCode& code);
  Result<SandboxConfig> sandboxConfig(const Scope& scope, const FunctionRecord& f,
                                      const FunctionVersion& v);
  // Asynchronous invocations (async_invoke.cpp).
  struct AsyncSettings {
    int64_t maxRetries = 2;
    int64_t maxAgeSeconds = 21600;
    std::string onSuccess, onFailure, deadLetter;  // destination ARNs, may be empty
  };
  void acceptEvent(AsyncEvent e, Reply reply);
  void armEvent(AsyncEvent e);  // any thread
  void runEvent(AsyncEvent e);  // loop thread
  void settleEvent(AsyncEvent e, AsyncSettings settings, Result<InvokeResult> r);
  // throttled: ended without an attempt (reserved concurrency 0).
  void finishEvent(const AsyncEvent& e, const AsyncSettings& settings, const std::string& condition,
                   const InvokeResult* r, bool throttled = false);
  // Layers (layers.cpp); callers hold mu_. The digest of a layer version
  // ARN of this account and region, deleted versions included.
  Result<std::string> layerDigest(const Scope& scope, const std::string& arn,
                                  int64_t* codeSize = nullptr, bool* deleted = nullptr) const;
  Json layerVersionJson(const Scope& scope, const std::string& name, const JsonObject& version,
                        const std::string& host) const;
  // SQS event source mappings (event_source_mappings.cpp); callers hold mu_.
  bool inScope(const Json& mapping, const Scope& scope) const;
  void startPoller(const Scope& scope, const std::string& uuid);
  void stopPoller(const std::string& uuid);
  void runMappingBatch(const Scope& scope, const std::string& functionArn, const std::string& event,
                       std::function<void(Result<BatchResult>)> done);
  void shipLogs(const Scope& scope, const std::string& group, const std::string& stream,
                std::vector<LogLine> lines);

  const Clock& clock_;
  engine::EngineContext engine_;
  const OperationRegistry& registry_;
  DocumentStore docs_;
  CodeStore code_;
  std::filesystem::path runtimeDir_;
  bool ownsRuntimeDir_ = false;
  std::mutex mu_;
  std::map<std::string, Functions> functions_;  // by scopeKey
  std::unique_ptr<Invoker> invoker_;
  std::function<void(const std::string&, const std::string&)> logPrinter_;
  std::map<std::string, Json> layers_;                         // by scopeKey + "/" + name
  std::map<std::string, Json> mappings_;                       // event source mappings by UUID
  std::map<std::string, std::shared_ptr<SqsPoller>> pollers_;  // of the enabled ones
};

}  // namespace sluice::services::lambda
