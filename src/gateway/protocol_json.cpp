#include "gateway/protocol_json.hpp"

#include "gateway/protocol_query.hpp"

namespace sluice::gateway {

namespace {

// The client's JSON content type (1.0 or 1.1) is echoed back.
std::string responseContentType(const HttpRequest& request) {
  std::string contentType(request.header("Content-Type"));
  if (contentType.empty() || contentType.find("json") == std::string::npos) {
    contentType = "application/x-amz-json-1.0";
  }
  return contentType;
}

}  // namespace

HttpResponse jsonError(const AwsError& error, const std::string& requestId,
                       std::string_view contentType) {
  JsonObject body;
  body["__type"] = error.code;
  body["message"] = error.message;
  // An error shape's other members (Lambda's TooManyRequestsException Reason).
  for (const auto& f : error.fields) body[f.name] = f.value;
  HttpResponse r;
  r.status = error.httpStatus;
  r.headers = {{"Content-Type", std::string(contentType)},
               {"x-amzn-RequestId", requestId},
               {"x-amzn-ErrorType", error.code}};
  r.body = toJsonText(body);
  return r;
}

bool JsonProtocol::claims(const HttpRequest& request, std::string_view) const {
  return !request.header("X-Amz-Target").empty();
}

HttpResponse JsonProtocol::errorResponse(const AwsError& error, const HttpRequest& request,
                                         const std::string& requestId) const {
  return jsonError(error, requestId, responseContentType(request));
}

void JsonProtocol::handle(RoutedRequest request, HttpReply reply) const {
  const HttpRequest& http = request.http;
  std::string_view target = http.header("X-Amz-Target");
  std::string contentType = responseContentType(http);
  std::string requestId = request.ctx.requestId;
  auto dot = target.find('.');
  if (request.service.empty() || dot == std::string_view::npos) {
    return reply(jsonError(
        {"UnknownOperationException", "Unknown operation " + std::string(target) + ".", 400},
        requestId, contentType));
  }
  std::string operation(target.substr(dot + 1));
  Json input = JsonObject{};
  if (!http.body.empty()) {
    auto parsed = parseJson(http.body);
    if (!parsed || !parsed->is_object()) {
      return reply(jsonError(
          {"SerializationException", "Start of structure or map found where not expected.", 400},
          requestId, contentType));
    }
    input = std::move(*parsed);
  }
  const auto* model = services::model::ServiceModel::get(request.service);
  registry_.call(request.service, operation, input, request.ctx,
                 [reply = std::move(reply), requestId, contentType, model](Result<Json> result) {
                   if (!result) {
                     HttpResponse r = jsonError(result.error(), requestId, contentType);
                     // A service that left the query protocol (SQS) also names
                     // the error as it did there; SDKs map that code to their
                     // modeled exceptions.
                     if (model && model->metadata().awsQueryCompatible) {
                       QueryError q = queryErrorOf(model, result.error());
                       r.headers.emplace_back("x-amzn-query-error",
                                              q.code + (q.sender ? ";Sender" : ";Receiver"));
                     }
                     return reply(std::move(r));
                   }
                   HttpResponse r;
                   r.status = 200;
                   r.headers = {{"Content-Type", contentType}, {"x-amzn-RequestId", requestId}};
                   r.body = toJsonText(*result);
                   reply(std::move(r));
                 });
}

}  // namespace sluice::gateway
