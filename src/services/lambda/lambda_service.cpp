#include "services/lambda/lambda_service.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <stdexcept>

#include "services/common/target_delivery.hpp"
#include "services/lambda/runtimes/runtimes.hpp"

namespace sluice::services::lambda {

namespace {

constexpr std::string_view kTable = "lambda_functions";

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE lambda_functions(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT "
     "NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {2,
     "CREATE TABLE lambda_async_events(request_id TEXT PRIMARY KEY, account TEXT NOT NULL, "
     "region TEXT NOT NULL, function TEXT NOT NULL, qualifier TEXT NOT NULL, payload TEXT NOT "
     "NULL, attempts INTEGER NOT NULL, throttles INTEGER NOT NULL, first_at INTEGER NOT NULL, "
     "due_at INTEGER NOT NULL)"},
    {3,
     "CREATE TABLE lambda_event_source_mappings(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    {4,
     "CREATE TABLE lambda_layers(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
};

// `program` as the server's PATH finds it; the bare name when it does not.
std::string onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    if (!dir.empty()) {
      auto candidate = std::filesystem::path(dir) / program;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return program;
}

std::filesystem::path privateDirectory(const char* prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / prefix).string() + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("lambda: cannot create " + tmpl);
  return tmpl;
}

}  // namespace

std::span<const store::sqlite::Migration> LambdaService::migrations() {
  return kMigrations;
}

LambdaService::LambdaService(const ServiceEnvironment& env, const OperationRegistry& registry)
    : clock_(env.clock),
      engine_(env.engine),
      registry_(registry),
      docs_(env.store),
      code_(env.dataDir.empty() ? std::filesystem::path() : env.dataDir / "lambda") {
  auto loaded = docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    functionsOf(scope)[key] = FunctionRecord::fromDocument(doc);
  });
  if (!loaded) throw std::runtime_error("lambda: " + loaded.error().message);
  loaded = docs_.scan(
      "lambda_event_source_mappings",
      [this](const Scope&, const std::string& key, Json doc) { mappings_[key] = std::move(doc); });
  if (!loaded) throw std::runtime_error("lambda: " + loaded.error().message);
  if (env.dataDir.empty()) {
    runtimeDir_ = privateDirectory("sluice-lambda-runtime-");
    ownsRuntimeDir_ = true;
  } else {
    runtimeDir_ = env.dataDir / "lambda" / "runtime";
  }
  // Written at every start: the bootstraps are the binary's, never an older one's.
  if (auto r = installRuntimes(runtimeDir_); !r) {
    throw std::runtime_error("lambda: " + r.error().message);
  }
}

LambdaService::~LambdaService() {
  invoker_.reset();  // sandboxes stop before the files they run go
  if (ownsRuntimeDir_) {
    std::error_code ec;
    std::filesystem::remove_all(runtimeDir_, ec);
  }
}

void LambdaService::registerOperations(OperationRegistry& registry) {
  registry.addService("lambda", "");
  using Op = Result<Change> (LambdaService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("lambda", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  using AsyncOp = void (LambdaService::*)(const Json&, const CallContext&, Reply);
  auto addAsync = [&](const char* name, AsyncOp fn) {
    registry.add("lambda", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      (this->*fn)(in, ctx, std::move(reply));
    });
  };
  addAsync("CreateFunction", &LambdaService::createFunction);
  addAsync("UpdateFunctionCode", &LambdaService::updateFunctionCode);
  addAsync("Invoke", &LambdaService::invoke);
  addAsync("PublishLayerVersion", &LambdaService::publishLayerVersion);
  add("GetLayerVersion", &LambdaService::getLayerVersion);
  add("GetLayerVersionByArn", &LambdaService::getLayerVersionByArn);
  add("ListLayers", &LambdaService::listLayers);
  add("ListLayerVersions", &LambdaService::listLayerVersions);
  add("DeleteLayerVersion", &LambdaService::deleteLayerVersion);
  add("GetFunction", &LambdaService::getFunction);
  add("GetFunctionConfiguration", &LambdaService::getFunctionConfiguration);
  add("UpdateFunctionConfiguration", &LambdaService::updateFunctionConfiguration);
  add("DeleteFunction", &LambdaService::deleteFunction);
  add("ListFunctions", &LambdaService::listFunctions);
  add("PublishVersion", &LambdaService::publishVersion);
  add("ListVersionsByFunction", &LambdaService::listVersionsByFunction);
  add("CreateAlias", &LambdaService::createAlias);
  add("GetAlias", &LambdaService::getAlias);
  add("UpdateAlias", &LambdaService::updateAlias);
  add("DeleteAlias", &LambdaService::deleteAlias);
  add("ListAliases", &LambdaService::listAliases);
  add("PutFunctionConcurrency", &LambdaService::putFunctionConcurrency);
  add("GetFunctionConcurrency", &LambdaService::getFunctionConcurrency);
  add("DeleteFunctionConcurrency", &LambdaService::deleteFunctionConcurrency);
  add("TagResource", &LambdaService::tagResource);
  add("UntagResource", &LambdaService::untagResource);
  add("ListTags", &LambdaService::listTags);
  add("GetAccountSettings", &LambdaService::getAccountSettings);
  add("PutFunctionEventInvokeConfig", &LambdaService::putFunctionEventInvokeConfig);
  add("UpdateFunctionEventInvokeConfig", &LambdaService::updateFunctionEventInvokeConfig);
  add("GetFunctionEventInvokeConfig", &LambdaService::getFunctionEventInvokeConfig);
  add("DeleteFunctionEventInvokeConfig", &LambdaService::deleteFunctionEventInvokeConfig);
  add("ListFunctionEventInvokeConfigs", &LambdaService::listFunctionEventInvokeConfigs);
  add("CreateEventSourceMapping", &LambdaService::createEventSourceMapping);
  add("GetEventSourceMapping", &LambdaService::getEventSourceMapping);
  add("UpdateEventSourceMapping", &LambdaService::updateEventSourceMapping);
  add("DeleteEventSourceMapping", &LambdaService::deleteEventSourceMapping);
  add("ListEventSourceMappings", &LambdaService::listEventSourceMappings);
  add("AddPermission", &LambdaService::addPermission);
  add("RemovePermission", &LambdaService::removePermission);
  add("GetPolicy", &LambdaService::getPolicy);
}

void LambdaService::startRuntime(LambdaRuntimeOptions options) {
  InvokerOptions io;
  io.runtimeDir = runtimeDir_;
  io.python = onPath("python3");
  io.node = onPath("node");
  io.endpointUrl = options.endpointUrl;
  io.accessKeyId = options.accessKeyId;
  io.secretAccessKey = options.secretAccessKey;
  logPrinter_ = std::move(options.logPrinter);
  invoker_ = std::make_unique<Invoker>(
      engine_.loop, std::move(options.endpoints),
      [this](const Scope& scope, const std::string& group, const std::string& stream,
             std::vector<LogLine> lines) { shipLogs(scope, group, stream, std::move(lines)); },
      engine_.ids, io);
  {
    std::lock_guard lock(mu_);
    // Interpreters are looked for only for runtimes in use: a server with no
    // functions starts no process for Lambda.
    std::set<std::string> runtimes;
    for (const auto& [scope, fns] : functions_) {
      for (const auto& [name, f] : fns) runtimes.insert(f.latest.text("Runtime"));
    }
    for (const auto& r : runtimes) invoker_->prepare(r);
    for (const auto& [uuid, m] : mappings_) {
      const JsonObject& doc = m.as_object();
      const Json* e = doc.if_contains("Enabled");
      if (e && e->is_bool() && !e->get_bool()) continue;
      std::string arn(doc.at("FunctionArn").get_string());
      Scope scope;
      scope.region = arnPart(arn, 3);
      scope.account = arnPart(arn, 4);
      startPoller(scope, uuid);
    }
  }
  // Events accepted before a restart run again, on their stored schedule.
  auto armed = scanAsyncEvents(docs_, [this](AsyncEvent e) { armEvent(std::move(e)); });
  if (!armed) throw std::runtime_error("lambda: " + armed.error().message);
}

void LambdaService::stopRuntime() {
  std::unique_ptr<Invoker> invoker;
  {
    std::lock_guard lock(mu_);
    for (auto& [uuid, poller] : pollers_) poller->stop();
    pollers_.clear();
    invoker = std::move(invoker_);
  }
  invoker.reset();  // outside the lock: the invoker fails what is queued
}

Result<FunctionRecord*> LambdaService::find(const Scope& scope, const FunctionRef& ref) {
  auto& fns = functionsOf(scope);
  auto it = fns.find(ref.name);
  if (it == fns.end()) {
    std::string arn = arn::lambdaFunction(scope, ref.name);
    return AwsError{"ResourceNotFoundException",
                    "Function not found: " + arn +
                        (ref.qualifier.empty() ? std::string() : ":" + ref.qualifier),
                    404};
  }
  return &it->second;
}

Result<FunctionRecord*> LambdaService::functionNamed(const Json& in, const Scope& scope) {
  const Json* name = in.is_object() ? in.as_object().if_contains("FunctionName") : nullptr;
  if (!name || !name->is_string()) return qualifiedName(in).error();  // the missing-name error
  auto ref = parseFunctionName(name->get_string());
  if (!ref) return ref.error();
  return find(scope, *ref);
}

Result<const FunctionVersion*> LambdaService::resolveVersion(const Scope& scope,
                                                             const FunctionRecord& f,
                                                             const std::string& qualifier) {
  if (const FunctionVersion* v = f.findVersion(qualifier)) return v;
  auto alias = f.aliases.find(qualifier);
  if (alias != f.aliases.end()) {
    const AliasRecord& a = alias->second;
    std::string chosen = a.functionVersion;
    // Weighted routing: a uniform draw against the additional versions' weights.
    double draw = static_cast<double>(engine_.ids.uniform(0, 999999)) / 1000000.0;
    double acc = 0;
    for (const auto& [version, weight] : a.weights) {
      acc += weight;
      if (draw < acc) {
        chosen = version;
        break;
      }
    }
    if (const FunctionVersion* v = f.findVersion(chosen)) return v;
  }
  return AwsError{"ResourceNotFoundException",
                  "Function not found: " + arn::lambdaFunction(scope, f.name) + ":" + qualifier,
                  404};
}

void LambdaService::persist(Change& change, const Scope& scope, const FunctionRecord& f) const {
  change.batch.put(kTable, scope, f.name, f.toDocument());
}

void LambdaService::shipLogs(const Scope& scope, const std::string& group,
                             const std::string& stream, std::vector<LogLine> lines) {
  if (logPrinter_) {
    for (const auto& l : lines) logPrinter_(group, l.message);
    return;
  }
  if (!registry_.has("logs", "PutLogEvents") || lines.empty()) return;
  CallContext ctx;
  ctx.scope = scope;
  auto ignore = [](Result<Json>) {};
  // The Logs operations apply in call order, so the group and stream exist
  // by the time the events arrive; "already exists" answers are expected.
  registry_.call("logs", "CreateLogGroup", JsonObject{{"logGroupName", group}}, ctx, ignore);
  registry_.call("logs", "CreateLogStream",
                 JsonObject{{"logGroupName", group}, {"logStreamName", stream}}, ctx, ignore);
  JsonArray events;
  for (auto& l : lines) {
    events.push_back(JsonObject{{"timestamp", l.timestampMs}, {"message", std::move(l.message)}});
  }
  registry_.call(
      "logs", "PutLogEvents",
      JsonObject{
          {"logGroupName", group}, {"logStreamName", stream}, {"logEvents", std::move(events)}},
      ctx, ignore);
}

}  // namespace sluice::services::lambda
