// CreateFunction, GetFunction(Configuration), UpdateFunctionCode,
// UpdateFunctionConfiguration, DeleteFunction and ListFunctions.
#include <set>

#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/lambda/marker_page.hpp"
#include "services/lambda/runtimes/runtimes.hpp"

namespace sluice::services::lambda {

namespace {

AwsError invalid(std::string message) {
  return {"InvalidParameterValueException", std::move(message), 400};
}

// Environment variables Lambda sets itself; a function may not set them.
constexpr std::string_view kReservedVariables[] = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

// Runtimes AWS no longer accepts for new or updated functions.
bool deprecatedRuntime(std::string_view r) {
  static constexpr std::string_view kOld[] = {
      "nodejs",        "nodejs4.3",     "nodejs6.10",    "nodejs8.10",     "nodejs10.x",
      "nodejs12.x",    "nodejs14.x",    "nodejs16.x",    "nodejs4.3-edge", "java8",
      "python2.7",     "python3.6",     "python3.7",     "python3.8",      "dotnetcore1.0",
      "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6",        "go1.x",
      "ruby2.5",       "ruby2.7"};
  for (auto o : kOld) {
    if (o == r) return true;
  }
  return false;
}

Result<void> checkRuntime(std::string_view runtime) {
  if (deprecatedRuntime(runtime)) {
    return invalid("The runtime parameter of " + std::string(runtime) +
                   " is no longer supported for creating or updating AWS Lambda functions. We "
                   "recommend you use a supported runtime while creating or updating functions.");
  }
  if (runtimeFamily(runtime).empty()) {
    return invalid("The runtime parameter of " + std::string(runtime) +
                   " is not supported by Sluice, which runs python3.9-python3.14, "
                   "nodejs18.x-nodejs24.x and provided.al2/provided.al2023 functions as local "
                   "processes.");
  }
  return {};
}

Result<void> checkEnvironment(const Json& env) {
  if (!env.is_object()) return invalid("Environment must be an object.");
  const Json* vars = env.as_object().if_contains("Variables");
  if (!vars || vars->is_null()) return {};
  if (!vars->is_object()) return invalid("Environment.Variables must be a map of strings.");
  std::string reserved;
  for (const auto& kv : vars->as_object()) {
    for (auto r : kReservedVariables) {
      if (kv.key() == r) reserved += (reserved.empty() ? "" : ", ") + std::string(r);
    }
    if (!kv.value().is_string()) return invalid("Environment.Variables must be a map of strings.");
  }
  if (!reserved.empty()) {
    return invalid(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contains reserved keys that are currently not supported for "
        "modification. Reserved keys used in this request: " +
        reserved);
  }
  std::string text = toJsonText(*vars);
  if (text.size() > 4096) {
    return invalid(
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: " +
        text);
  }
  return {};
}

// The configuration a new function starts from, as AWS reports its defaults.
JsonObject defaultConfiguration(const std::string& name) {
  JsonObject c;
  c["Description"] = "";
  c["Timeout"] = 3;
  c["MemorySize"] = 128;
  c["TracingConfig"] = JsonObject{{"Mode", "PassThrough"}};
  c["Architectures"] = JsonArray{"x86_64"};
  c["EphemeralStorage"] = JsonObject{{"Size", 512}};
  c["SnapStart"] = JsonObject{{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  c["LoggingConfig"] = JsonObject{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + name}};
  return c;
}

// The members of Create/UpdateFunctionConfiguration kept as given.
constexpr std::string_view kPlainMembers[] = {
    "Runtime",          "Role",          "Handler",       "Description",      "Timeout",
    "MemorySize",       "TracingConfig", "Architectures", "EphemeralStorage", "KMSKeyArn",
    "DeadLetterConfig", "LoggingConfig", "ImageConfig",   "FileSystemConfigs"};

Json withState(Json config, std::string_view state, std::string_view updateStatus) {
  JsonObject& c = config.as_object();
  if (state == "Pending") {
    c["State"] = "Pending";
    c["StateReason"] = "The function is being created.";
    c["StateReasonCode"] = "Creating";
  }
  if (updateStatus == "InProgress") {
    c["LastUpdateStatus"] = "InProgress";
    c["LastUpdateStatusReason"] = "The function is being updated.";
  }
  return config;
}

}  // namespace

Result<void> LambdaService::readConfiguration(const Json& in, const Scope& scope,
                                              const std::string& name, JsonObject& config,
                                              bool create) const {
  Input input(in);
  if (auto pt = input.optionalString("PackageType"); !pt) {
    return pt.error();
  } else if (*pt && **pt == "Image") {
    return invalid(
        "PackageType Image is not supported by Sluice: functions run as local processes from zip "
        "packages (PackageType Zip).");
  }
  if (input.has("Runtime")) {
    auto runtime = input.requiredString("Runtime");
    if (!runtime) return runtime.error();
    if (auto r = checkRuntime(*runtime); !r) return r;
  }
  if (input.has("Environment")) {
    if (auto r = checkEnvironment(*input.get("Environment")); !r) return r;
  }
  if (const Json* layers = input.get("Layers"); layers && !layers->is_null()) {
    if (!layers->is_array()) return invalid("Layers must be a list of layer version ARNs.");
    if (layers->as_array().size() > 5) {
      return invalid("Cannot reference more than 5 layers.");
    }
    JsonArray resolved;
    std::set<std::string> names, current;
    if (const Json* had = config.if_contains("Layers"); had && had->is_array()) {
      for (const Json& l : had->as_array()) current.insert(std::string(l.at("Arn").get_string()));
    }
    for (const Json& l : layers->as_array()) {
      std::string arn = l.is_string() ? std::string(l.get_string()) : std::string();
      int64_t size = 0;
      bool deleted = false;
      if (auto digest = layerDigest(scope, arn, &size, &deleted); !digest) return digest.error();
      // A deleted version serves the functions that had it, and no others.
      if (deleted && !current.count(arn)) {
        return invalid("Layer version " + arn + " does not exist.");
      }
      if (!names.insert(arn.substr(0, arn.rfind(':'))).second) {
        return invalid(
            "Two different versions of the same layer are not allowed to be referenced in the "
            "same function. " +
            arn);
      }
      resolved.push_back(JsonObject{{"Arn", arn}, {"CodeSize", size}});
    }
    config["Layers"] = std::move(resolved);
  }
  for (auto member : kPlainMembers) {
    if (const Json* v = input.get(member); v && !v->is_null()) config[member] = *v;
  }
  if (const Json* env = input.get("Environment"); env && !env->is_null()) {
    const Json* vars = env->as_object().if_contains("Variables");
    if (vars && vars->is_object() && !vars->as_object().empty()) {
      config["Environment"] = JsonObject{{"Variables", *vars}};
    } else {
      config.erase("Environment");
    }
  }
  if (const Json* log = input.get("LoggingConfig"); log && log->is_object()) {
    JsonObject merged = log->as_object();
    if (!merged.contains("LogFormat")) merged["LogFormat"] = "Text";
    if (!merged.contains("LogGroup")) merged["LogGroup"] = "/aws/lambda/" + name;
    config["LoggingConfig"] = std::move(merged);
  }
  if (create && (!config.contains("Runtime") || !config.contains("Handler"))) {
    return invalid(
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.");
  }
  return {};
}

void LambdaService::withCode(const Json& code, const CallContext& ctx,
                             std::function<void(Result<StoredCode>)> then) {
  Input input(code);
  auto store = [this, then](std::string bytes) {
    auto stored = std::make_shared<Result<StoredCode>>(AwsError::internal("not run"));
    engine_.loop.runBlocking(
        [this, stored, bytes = std::move(bytes)] { *stored = code_.put(bytes); },
        [then, stored] { then(std::move(*stored)); });
  };
  bool hasZip = input.has("ZipFile");
  bool hasS3 = input.has("S3Bucket") || input.has("S3Key");
  if (input.has("ImageUri")) {
    return then(
        invalid("ImageUri is not supported by Sluice: functions run as local processes from zip "
                "packages."));
  }
  if (hasZip && hasS3) {
    return then(
        invalid("Please do not provide other FunctionCode parameters when providing a "
                "ZipFile. Code takes either ZipFile, or S3Bucket and S3Key."));
  }
  if (hasZip) {
    const Json* zip = input.get("ZipFile");
    auto bytes = zip->is_string() ? base64Decode(zip->get_string()) : std::nullopt;
    if (!bytes) return then(invalid("ZipFile must be the Base64 of a zip archive."));
    return store(std::move(*bytes));
  }
  if (!hasS3) {
    return then(invalid("Code must contain ZipFile, or S3Bucket and S3Key."));
  }
  auto bucket = input.requiredString("S3Bucket");
  if (!bucket) return then(bucket.error());
  auto key = input.requiredString("S3Key");
  if (!key) return then(key.error());
  JsonObject get{{"Bucket", *bucket}, {"Key", *key}};
  if (auto v = input.optionalString("S3ObjectVersion"); v && *v) get["VersionId"] = **v;
  CallContext s3ctx;
  s3ctx.scope = ctx.scope;
  s3ctx.requestId = ctx.requestId;
  registry_.call("s3", "GetObject", get, s3ctx, [store, then](Result<Json> r) {
    if (!r) {
      return then(invalid("Error occurred while GetObject. S3 Error Code: " + r.error().code +
                          ". S3 Error Message: " + r.error().message));
    }
    const Json* body = r->is_object() ? r->as_object().if_contains("Body") : nullptr;
    store(body && body->is_string() ? std::string(body->get_string()) : std::string());
  });
}

void LambdaService::createFunction(const Json& in, const CallContext& ctx, Reply reply) {
  // Everything but the package is checked first, so a bad request stores nothing.
  {
    std::lock_guard lock(mu_);
    auto name = Input(in).requiredString("FunctionName");
    if (!name) return reply(name.error());
    auto ref = parseFunctionName(*name);
    if (!ref) return reply(ref.error());
    JsonObject scratch;
    if (auto r = readConfiguration(in, ctx.scope, ref->name, scratch, true); !r) {
      return reply(r.error());
    }
    if (functionsOf(ctx.scope).count(ref->name)) {
      return reply(
          AwsError{"ResourceConflictException", "Function already exist: " + ref->name, 409});
    }
  }
  const Json* code = Input(in).get("Code");
  withCode(code ? *code : Json(JsonObject{}), ctx,
           [this, in, ctx, reply = std::move(reply)](Result<StoredCode> stored) mutable {
             if (!stored) return reply(stored.error());
             runLocked(
                 mu_, docs_, [&]() { return recordNewFunction(in, ctx, *stored); },
                 std::move(reply));
           });
}

Result<Change> LambdaService::recordNewFunction(const Json& in, const CallContext& ctx,
                                                const StoredCode& code) {
  auto ref = parseFunctionName(*Input(in).requiredString("FunctionName"));
  if (!ref) return ref.error();
  auto& fns = functionsOf(ctx.scope);
  if (fns.count(ref->name)) {
    return AwsError{"ResourceConflictException", "Function already exist: " + ref->name, 409};
  }
  FunctionRecord f;
  f.name = ref->name;
  JsonObject config = defaultConfiguration(f.name);
  if (auto r = readConfiguration(in, ctx.scope, f.name, config, true); !r) return r.error();
  f.latest.config = std::move(config);
  f.latest.codeDigest = code.digest;
  f.latest.codeSize = code.size;
  f.latest.lastModified = clock_.now();
  f.latest.revisionId = engine_.ids.uuid();
  if (const Json* tags = Input(in).get("Tags"); tags && tags->is_object()) {
    for (const auto& kv : tags->as_object()) {
      if (kv.value().is_string()) f.tags[std::string(kv.key())] = kv.value().get_string();
    }
  }
  const FunctionVersion* shown = &f.latest;
  if (auto publish = Input(in).optionalBool("Publish"); publish && *publish && **publish) {
    FunctionVersion v = f.latest;
    v.version = std::to_string(++f.lastVersion);
    v.revisionId = engine_.ids.uuid();
    shown = &(f.versions[f.lastVersion] = std::move(v));
  }
  Change change(withState(functionConfiguration(ctx.scope, f, *shown), "Pending", ""));
  persist(change, ctx.scope, f);
  if (invoker_) invoker_->prepare(f.latest.text("Runtime"));
  fns[f.name] = std::move(f);
  return change;
}

Result<Change> LambdaService::getFunction(const Json& in, const CallContext& ctx) {
  auto ref = qualifiedName(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  const FunctionVersion* v = &(*f)->latest;
  if (!ref->qualifier.empty()) {
    v = (*f)->findVersion(ref->qualifier);
    auto alias = (*f)->aliases.find(ref->qualifier);
    if (!v && alias != (*f)->aliases.end()) v = (*f)->findVersion(alias->second.functionVersion);
    if (!v) {
      return AwsError{
          "ResourceNotFoundException",
          "Function not found: " + arn::lambdaFunction(ctx.scope, ref->name) + ":" + ref->qualifier,
          404};
    }
  }
  JsonObject out;
  out["Configuration"] = functionConfiguration(ctx.scope, **f, *v);
  std::string host = ctx.host.empty() ? "localhost:4566" : ctx.host;
  out["Code"] =
      JsonObject{{"RepositoryType", "S3"},
                 {"Location", "http://" + host + "/_sluice/lambda/code/" + v->codeDigest + ".zip"}};
  if (!(*f)->tags.empty()) {
    JsonObject tags;
    for (const auto& [k, val] : (*f)->tags) tags[k] = val;
    out["Tags"] = std::move(tags);
  }
  if ((*f)->reservedConcurrency) {
    out["Concurrency"] = JsonObject{{"ReservedConcurrentExecutions", *(*f)->reservedConcurrency}};
  }
  return Change(Json(std::move(out)));
}

Result<Change> LambdaService::getFunctionConfiguration(const Json& in, const CallContext& ctx) {
  auto r = getFunction(in, ctx);
  if (!r) return r.error();
  return Change(r->response.as_object().at("Configuration"));
}

Result<Change> LambdaService::updateFunctionConfiguration(const Json& in, const CallContext& ctx) {
  auto f = functionNamed(in, ctx.scope);
  if (!f) return f.error();
  FunctionVersion& latest = (*f)->latest;
  if (auto r = checkRevision(in, latest.revisionId); !r) return r.error();
  JsonObject config = latest.config.as_object();
  if (auto r = readConfiguration(in, ctx.scope, (*f)->name, config, false); !r) return r.error();
  latest.config = std::move(config);
  latest.lastModified = clock_.now();
  latest.revisionId = engine_.ids.uuid();
  if (invoker_) invoker_->retire(poolPrefix(ctx.scope, (*f)->name) + "$LATEST#");
  Change change(withState(functionConfiguration(ctx.scope, **f, latest), "", "InProgress"));
  persist(change, ctx.scope, **f);
  return change;
}

void LambdaService::updateFunctionCode(const Json& in, const CallContext& ctx, Reply reply) {
  {
    std::lock_guard lock(mu_);
    auto name = Input(in).requiredString("FunctionName");
    if (!name) return reply(name.error());
    auto ref = parseFunctionName(*name);
    if (!ref) return reply(ref.error());
    if (auto f = find(ctx.scope, *ref); !f) return reply(f.error());
  }
  withCode(in, ctx, [this, in, ctx, reply = std::move(reply)](Result<StoredCode> stored) mutable {
    if (!stored) return reply(stored.error());
    runLocked(
        mu_, docs_, [&]() { return recordNewCode(in, ctx, *stored); }, std::move(reply));
  });
}

Result<Change> LambdaService::recordNewCode(const Json& in, const CallContext& ctx,
                                            const StoredCode& code) {
  auto ref = parseFunctionName(*Input(in).requiredString("FunctionName"));
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  FunctionVersion& latest = (*f)->latest;
  if (auto r = checkRevision(in, latest.revisionId); !r) return r.error();
  if (auto dry = Input(in).optionalBool("DryRun"); dry && *dry && **dry) {
    FunctionVersion preview = latest;
    preview.codeDigest = code.digest;
    preview.codeSize = code.size;
    return Change(functionConfiguration(ctx.scope, **f, preview));
  }
  latest.codeDigest = code.digest;
  latest.codeSize = code.size;
  latest.lastModified = clock_.now();
  latest.revisionId = engine_.ids.uuid();
  if (const Json* arch = Input(in).get("Architectures"); arch && arch->is_array()) {
    latest.config.as_object()["Architectures"] = *arch;
  }
  if (invoker_) invoker_->retire(poolPrefix(ctx.scope, (*f)->name) + "$LATEST#");
  const FunctionVersion* shown = &latest;
  if (auto publish = Input(in).optionalBool("Publish"); publish && *publish && **publish) {
    FunctionVersion v = latest;
    v.version = std::to_string(++(*f)->lastVersion);
    v.revisionId = engine_.ids.uuid();
    shown = &((*f)->versions[(*f)->lastVersion] = std::move(v));
  }
  Change change(withState(functionConfiguration(ctx.scope, **f, *shown), "", "InProgress"));
  persist(change, ctx.scope, **f);
  return change;
}

Result<Change> LambdaService::deleteFunction(const Json& in, const CallContext& ctx) {
  auto ref = qualifiedName(in);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  FunctionRecord& fn = **f;
  Change change(Json(nullptr));
  if (ref->qualifier.empty()) {
    if (invoker_) invoker_->retire(poolPrefix(ctx.scope, fn.name));
    change.batch.erase("lambda_functions", ctx.scope, fn.name);
    functionsOf(ctx.scope).erase(fn.name);
    return change;
  }
  if (ref->qualifier == "$LATEST") {
    return invalid("$LATEST version cannot be deleted without deleting the function.");
  }
  if (fn.aliases.count(ref->qualifier)) {
    return invalid("Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.");
  }
  const FunctionVersion* v = fn.findVersion(ref->qualifier);
  if (!v) {
    return AwsError{
        "ResourceNotFoundException",
        "Function not found: " + arn::lambdaFunction(ctx.scope, fn.name) + ":" + ref->qualifier,
        404};
  }
  std::string users;
  for (const auto& [aliasName, a] : fn.aliases) {
    bool uses = a.functionVersion == ref->qualifier || a.weights.count(ref->qualifier);
    if (uses) users += (users.empty() ? "" : ", ") + aliasName;
  }
  if (!users.empty()) {
    return AwsError{
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [" + users + "]",
        409};
  }
  if (invoker_) invoker_->retire(poolPrefix(ctx.scope, fn.name) + ref->qualifier + "#");
  fn.versions.erase(std::stoll(ref->qualifier));
  persist(change, ctx.scope, fn);
  return change;
}

Result<Change> LambdaService::listFunctions(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto page = MarkerPage::read(in, 50);
  if (!page) return page.error();
  size_t limit = page->limit;
  const std::string& after = page->after;
  auto all = input.optionalString("FunctionVersion");
  if (!all) return all.error();
  bool allVersions = *all && **all == "ALL";
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [name, f] : functionsOf(ctx.scope)) {
    std::vector<const FunctionVersion*> shown{&f.latest};
    if (allVersions) {
      for (const auto& [n, v] : f.versions) shown.push_back(&v);
    }
    for (const FunctionVersion* v : shown) {
      // Keys sort as the listing does: by name, then $LATEST, then version number.
      std::string number = v->version == "$LATEST" ? "" : v->version;
      std::string key = name + '\x01' + std::string(20 - number.size(), '0') + number;
      if (!after.empty() && key <= after) continue;
      if (out.size() == limit) {
        more = true;
        break;
      }
      out.push_back(functionConfiguration(ctx.scope, f, *v));
      last = key;
    }
    if (more) break;
  }
  JsonObject r{{"Functions", std::move(out)}};
  if (more) r["NextMarker"] = MarkerPage::next(last);
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::lambda
