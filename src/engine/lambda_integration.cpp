// Lambda as a Task resource: the plain function ARN (the payload is the
// result) and arn:aws:states:::lambda:invoke (the result is the Invoke API
// response: StatusCode, Payload, ExecutedVersion and HTTP metadata).
#include "engine/functions.hpp"

#include "core/encoding.hpp"
#include "core/ids.hpp"

namespace sluice::engine {

std::string functionNameOf(std::string_view function) {
  // arn:aws:lambda:region:account:function:name[:qualifier] or account:function:name
  auto pos = function.find("function:");
  if (pos != std::string_view::npos) {
    auto rest = function.substr(pos + 9);
    return std::string(rest.substr(0, rest.find(':')));
  }
  return std::string(function.substr(0, function.find(':')));
}

namespace {

// Lambda error payloads carry errorType; a payload without one is "Lambda.Unknown"'s business.
asl::StatesError functionErrorToStates(const std::string& payload) {
  std::string errorType = "Lambda.Unknown";
  if (auto v = parseJson(payload); v && v->is_object()) {
    if (auto* t = v->as_object().if_contains("errorType"); t && t->is_string())
      errorType = std::string(t->get_string());
  }
  return {errorType, payload};
}

asl::StatesError invokeFailure(const AwsError& e, const std::string& requestId) {
  return {"Lambda." + e.code,
          e.message + " (Service: AWSLambda; Status Code: " + std::to_string(e.httpStatus) +
              "; Error Code: " + e.code + "; Request ID: " + requestId + "; Proxy: null)"};
}

// Payload bytes → JSON value; non-JSON text is kept as a string.
Json payloadValue(const std::string& payload) {
  if (payload.empty()) return nullptr;
  if (auto v = parseJson(payload)) return std::move(*v);
  return Json(payload);
}

class FunctionArnIntegration final : public Integration {
 public:
  FunctionArnIntegration(std::shared_ptr<FunctionInvoker> invoker, IdGenerator& ids)
      : invoker_(std::move(invoker)), ids_(ids) {}

  std::unique_ptr<RunningTask> start(const TaskRequest& request, EventLoop& loop,
                                     TaskDone done) override {
    std::string requestId = ids_.uuid();
    return invoker_->invoke(request.resourceArn, toJsonText(request.parameters), request.scope,
                            loop, [done = std::move(done), requestId](Result<FunctionResponse> r) {
                              if (!r) return done(invokeFailure(r.error(), requestId));
                              if (r->functionError) return done(functionErrorToStates(r->payload));
                              done(payloadValue(r->payload));
                            });
  }

 private:
  std::shared_ptr<FunctionInvoker> invoker_;
  IdGenerator& ids_;
};

class LambdaInvokeIntegration final : public Integration {
 public:
  LambdaInvokeIntegration(std::shared_ptr<FunctionInvoker> invoker, IdGenerator& ids)
      : invoker_(std::move(invoker)), ids_(ids) {}

  std::unique_ptr<RunningTask> start(const TaskRequest& request, EventLoop& loop,
                                     TaskDone done) override {
    const Json& params = request.parameters;
    const Json* fn = params.is_object() ? params.as_object().if_contains("FunctionName") : nullptr;
    if (!fn || !fn->is_string()) {
      done(asl::StatesError{"States.Runtime",
                            "The Parameters object of the lambda:invoke integration must contain "
                            "a 'FunctionName' string."});
      return nullptr;
    }
    std::string payload = "{}";
    if (const Json* p = params.as_object().if_contains("Payload"); p && !p->is_null()) {
      // A string Payload is sent as its raw bytes, anything else as JSON.
      payload = p->is_string() ? std::string(p->get_string()) : toJsonText(*p);
    }
    bool tail = false;
    if (const Json* t = params.as_object().if_contains("LogType"); t && *t == "Tail") tail = true;
    std::string requestId = ids_.uuid();
    return invoker_->invoke(std::string(fn->get_string()), std::move(payload), request.scope, loop,
                            [done = std::move(done), requestId, tail](Result<FunctionResponse> r) {
                              if (!r) return done(invokeFailure(r.error(), requestId));
                              if (r->functionError) {
                                // This integration re-serialises the error object compactly.
                                auto err = functionErrorToStates(r->payload);
                                if (auto v = parseJson(err.cause)) err.cause = toJsonText(*v);
                                return done(std::move(err));
                              }
                              done(invokeResponse(*r, requestId, tail));
                            });
  }

 private:
  static Json invokeResponse(const FunctionResponse& r, const std::string& requestId, bool tail) {
    std::string length = std::to_string(r.payload.size());
    auto list = [](std::string_view v) { return JsonArray{Json(v)}; };
    // LogType=Tail: the last 4 KB of the invocation's log, Base64-encoded.
    std::string logResult;
    if (tail) {
      std::string_view logs = r.logs;
      if (logs.size() > 4096) logs = logs.substr(logs.size() - 4096);
      logResult = base64Encode(logs);
    }
    JsonObject all;
    if (tail) all["X-Amz-Log-Result"] = list(logResult);
    all["X-Amz-Executed-Version"] = list(r.executedVersion);
    all["x-amzn-Remapped-Content-Length"] = list("0");
    all["Connection"] = list("keep-alive");
    all["x-amzn-RequestId"] = list(requestId);
    all["Content-Length"] = list(length);
    all["Date"] = list("");
    all["X-Amzn-Trace-Id"] = list("");
    all["Content-Type"] = list("application/json");
    JsonObject headers;
    headers["Connection"] = "keep-alive";
    headers["Content-Length"] = length;
    headers["Content-Type"] = "application/json";
    headers["Date"] = "";
    headers["X-Amz-Executed-Version"] = r.executedVersion;
    if (tail) headers["X-Amz-Log-Result"] = logResult;
    headers["x-amzn-Remapped-Content-Length"] = "0";
    headers["x-amzn-RequestId"] = requestId;
    headers["X-Amzn-Trace-Id"] = "";
    JsonObject http;
    http["AllHttpHeaders"] = std::move(all);
    http["HttpHeaders"] = std::move(headers);
    http["HttpStatusCode"] = 200;
    JsonObject meta;
    meta["RequestId"] = requestId;
    JsonObject out;
    out["ExecutedVersion"] = r.executedVersion;
    if (tail) out["LogResult"] = logResult;
    out["Payload"] = payloadValue(r.payload);
    out["SdkHttpMetadata"] = std::move(http);
    out["SdkResponseMetadata"] = std::move(meta);
    out["StatusCode"] = 200;
    return out;
  }

  std::shared_ptr<FunctionInvoker> invoker_;
  IdGenerator& ids_;
};

}  // namespace

void registerLambdaIntegrations(IntegrationRegistry& registry,
                                std::shared_ptr<FunctionInvoker> invoker, IdGenerator& ids) {
  registry.add("lambda:function", std::make_shared<FunctionArnIntegration>(invoker, ids));
  registry.add("lambda:invoke", std::make_shared<LambdaInvokeIntegration>(invoker, ids));
}

}  // namespace sluice::engine
