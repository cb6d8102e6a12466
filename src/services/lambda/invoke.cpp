// Invoke: RequestResponse (the function's answer), Event (stored, then run
// by async_invoke.cpp) and DryRun (checks only).
#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

constexpr size_t kSyncPayloadLimit = 6291456;  // 6 MB
constexpr size_t kAsyncPayloadLimit = 262144;  // 256 KB
constexpr size_t kTailBytes = 4096;

AwsError tooLarge(size_t limit, std::string_view what) {
  return {"RequestTooLargeException",
          "Request must be smaller than " + std::to_string(limit) + " bytes for the " +
              std::string(what) + " operation",
          413};
}

AwsError badContent(std::string message) {
  return {"InvalidRequestContentException", std::move(message), 400};
}

}  // namespace

Result<SandboxConfig> LambdaService::sandboxConfig(const Scope& scope, const FunctionRecord& f,
                                                   const FunctionVersion& v) {
  auto root = code_.unpacked(v.codeDigest);
  if (!root) return root.error();
  SandboxConfig c;
  c.poolKey = poolKey(scope, f.name, v.version, v.revisionId);
  c.scope = scope;
  c.functionName = f.name;
  c.version = v.version;
  c.runtime = v.text("Runtime");
  c.handler = v.text("Handler");
  c.taskRoot = *root;
  c.memoryMb = v.integer("MemorySize", 128);
  c.timeoutSeconds = v.integer("Timeout", 3);
  c.reservedConcurrency = f.reservedConcurrency;
  c.logGroup = "/aws/lambda/" + f.name;
  const JsonObject& config = v.config.as_object();
  if (const Json* log = config.if_contains("LoggingConfig"); log && log->is_object()) {
    if (const Json* g = log->as_object().if_contains("LogGroup"); g && g->is_string()) {
      c.logGroup = g->get_string();
    }
  }
  if (const Json* layers = config.if_contains("Layers"); layers && layers->is_array()) {
    for (const Json& l : layers->as_array()) {
      auto digest = layerDigest(scope, std::string(l.as_object().at("Arn").get_string()));
      if (!digest) return digest.error();
      auto tree = code_.unpacked(*digest);
      if (!tree) return tree.error();
      c.layers.push_back(*tree);
    }
  }
  if (const Json* env = config.if_contains("Environment"); env && env->is_object()) {
    if (const Json* vars = env->as_object().if_contains("Variables"); vars && vars->is_object()) {
      for (const auto& kv : vars->as_object()) {
        if (kv.value().is_string()) c.environment[std::string(kv.key())] = kv.value().get_string();
      }
    }
  }
  return c;
}

void LambdaService::invoke(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto name = input.requiredString("FunctionName");
  if (!name) return reply(name.error());
  auto qualifier = input.optionalString("Qualifier");
  if (!qualifier) return reply(qualifier.error());
  auto type = input.optionalString("InvocationType");
  if (!type) return reply(type.error());
  std::string invocationType = type->value_or("RequestResponse");
  auto logType = input.optionalString("LogType");
  if (!logType) return reply(logType.error());
  bool tail = logType->value_or("None") == "Tail" && invocationType == "RequestResponse";
  // Over HTTP the payload is the body's bytes; a workflow's aws-sdk:lambda:invoke
  // may hand it over as JSON.
  std::string event;
  if (const Json* p = input.get("Payload"); p && !p->is_null()) {
    event = p->is_string() ? std::string(p->get_string()) : toJsonText(*p);
  }
  if (invocationType == "Event" && event.size() > kAsyncPayloadLimit) {
    return reply(tooLarge(kAsyncPayloadLimit, "InvokeAsync"));
  }
  if (event.size() > kSyncPayloadLimit) return reply(tooLarge(kSyncPayloadLimit, "Invoke"));
  if (event.empty()) event = "{}";
  if (!parseJson(event)) {
    return reply(
        badContent("Could not parse request body into json: Could not parse payload "
                   "into json: the payload is not valid JSON."));
  }
  std::string clientContext;
  if (auto cc = input.optionalString("ClientContext"); !cc) {
    return reply(cc.error());
  } else if (*cc && !(*cc)->empty()) {
    auto decoded = base64Decode(**cc);
    auto parsed = decoded ? parseJson(*decoded) : std::nullopt;
    if (!parsed || !parsed->is_object()) {
      return reply(badContent("Client context must be a valid Base64-encoded JSON object."));
    }
    clientContext = *decoded;
  }
  auto ref = parseFunctionName(*name, qualifier->value_or(""));
  if (!ref) return reply(ref.error());

  SandboxConfig config;
  InvokeRequest request;
  {
    std::lock_guard lock(mu_);
    // Invoke names the version it looked for ($LATEST when unqualified).
    auto f = find(ctx.scope, {ref->name, ref->qualifier.empty() ? "$LATEST" : ref->qualifier});
    if (!f) return reply(f.error());
    auto v = resolveVersion(ctx.scope, **f, ref->qualifier.empty() ? "$LATEST" : ref->qualifier);
    if (!v) return reply(v.error());
    auto c = sandboxConfig(ctx.scope, **f, **v);
    if (!c) return reply(c.error());
    config = std::move(*c);
    request.invokedArn = arn::lambdaFunction(ctx.scope, (*f)->name) +
                         (ref->qualifier.empty() ? "" : ":" + ref->qualifier);
  }
  if (invocationType == "DryRun") return reply(Json(JsonObject{{"StatusCode", 204}}));
  if (!invoker_) {
    return reply(AwsError{"ServiceException",
                          "Functions run only in `sluice server`: this process has no Lambda "
                          "runtime.",
                          500});
  }
  request.requestId = ctx.requestId.empty() ? engine_.ids.uuid() : ctx.requestId;
  request.payload = std::move(event);
  request.clientContext = std::move(clientContext);
  if (invocationType == "Event") {
    AsyncEvent e;
    e.requestId = request.requestId;
    e.scope = ctx.scope;
    e.function = ref->name;
    e.qualifier = ref->qualifier;
    e.payload = std::move(request.payload);
    e.firstAt = e.dueAt = clock_.now();
    return acceptEvent(std::move(e), std::move(reply));
  }
  invoker_->invoke(config, std::move(request), [reply, tail](Result<InvokeResult> r) {
    if (!r) return reply(r.error());
    JsonObject out{{"StatusCode", 200},
                   {"ExecutedVersion", r->executedVersion},
                   {"Payload", std::move(r->payload)}};
    if (!r->functionError.empty()) out["FunctionError"] = r->functionError;
    if (tail) {
      std::string_view log = r->log;
      if (log.size() > kTailBytes) log = log.substr(log.size() - kTailBytes);
      out["LogResult"] = base64Encode(log);
    }
    reply(Json(std::move(out)));
  });
}

}  // namespace sluice::services::lambda
