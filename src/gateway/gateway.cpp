#include "gateway/gateway.hpp"

namespace sluice::gateway {

namespace {

HttpRequestView viewOf(const HttpRequest& r) {
  HttpRequestView v;
  v.method = r.method;
  v.target = r.target;
  v.headers = r.headers;
  v.body = std::string_view(r.body);
  return v;
}

}  // namespace

HttpResponse jsonError(const AwsError& error, const std::string& requestId,
                       std::string_view contentType) {
  JsonObject body;
  body["__type"] = error.code;
  body["message"] = error.message;
  HttpResponse r;
  r.status = error.httpStatus;
  r.headers = {{"Content-Type", std::string(contentType)},
               {"x-amzn-RequestId", requestId},
               {"x-amzn-ErrorType", error.code}};
  r.body = toJsonText(body);
  return r;
}

Gateway::Gateway(const services::OperationRegistry& registry, const Clock& clock, IdGenerator& ids,
                 GatewayOptions options, AdminHandler admin)
    : registry_(registry),
      clock_(clock),
      ids_(ids),
      options_(std::move(options)),
      admin_(std::move(admin)) {}

void Gateway::handle(HttpRequest request, HttpReply reply) const {
  std::string requestId = ids_.uuid();
  if (request.target.starts_with("/_sluice/") && admin_ && admin_(request, reply)) return;

  // Service detection: the SigV4 credential scope names the service; JSON
  // protocols also name it through X-Amz-Target.
  HttpRequestView view = viewOf(request);
  auto scope = parseScope(view);
  std::string_view target = request.header("X-Amz-Target");
  std::string service;
  if (!target.empty()) {
    service = registry_.serviceForTarget(target.substr(0, target.find('.')));
  }
  if (service.empty() && scope) service = scope->service;

  // Authentication.
  services::CallContext ctx;
  ctx.requestId = requestId;
  ctx.scope.account = options_.defaultAccount;
  ctx.scope.region = scope && !scope->region.empty() ? scope->region : options_.defaultRegion;
  if (!options_.credentials.empty()) {
    VerifyOptions vo;
    vo.style = AuthErrorStyle::Json;
    auto verified = verify(view, options_.credentials, clock_.now(), vo);
    if (!verified) return reply(jsonError(verified.error(), requestId));
    ctx.accessKeyId = verified->scope.accessKeyId;
  } else if (scope) {
    ctx.accessKeyId = scope->accessKeyId;
  }

  if (!target.empty()) return handleJson(request, service, std::move(ctx), std::move(reply));
  reply(jsonError({"UnknownOperationException",
                   "Sluice cannot route this request: no X-Amz-Target and no service it knows "
                   "handles '" +
                       request.method + " " + request.target + "'.",
                   400},
                  requestId));
}

void Gateway::handleJson(const HttpRequest& request, const std::string& service,
                         services::CallContext ctx, HttpReply reply) const {
  std::string_view target = request.header("X-Amz-Target");
  std::string contentType(request.header("Content-Type"));
  if (contentType.empty() || contentType.find("json") == std::string::npos) {
    contentType = "application/x-amz-json-1.0";
  }
  std::string requestId = ctx.requestId;
  auto dot = target.find('.');
  if (service.empty() || dot == std::string_view::npos) {
    return reply(jsonError(
        {"UnknownOperationException", "Unknown operation " + std::string(target) + ".", 400},
        requestId, contentType));
  }
  std::string operation(target.substr(dot + 1));
  Json input = JsonObject{};
  if (!request.body.empty()) {
    std::string err;
    auto parsed = parseJson(request.body, &err);
    if (!parsed || !parsed->is_object()) {
      return reply(jsonError(
          {"SerializationException", "Start of structure or map found where not expected.", 400},
          requestId, contentType));
    }
    input = std::move(*parsed);
  }
  registry_.call(service, operation, input, ctx,
                 [reply = std::move(reply), requestId, contentType](Result<Json> result) {
                   if (!result) return reply(jsonError(result.error(), requestId, contentType));
                   HttpResponse r;
                   r.status = 200;
                   r.headers = {{"Content-Type", contentType}, {"x-amzn-RequestId", requestId}};
                   r.body = toJsonText(*result);
                   reply(std::move(r));
                 });
}

}  // namespace sluice::gateway
