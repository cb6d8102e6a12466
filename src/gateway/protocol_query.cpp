#include "gateway/protocol_query.hpp"

#include "gateway/query_codec.hpp"
#include "gateway/xml_writer.hpp"

namespace sluice::gateway {

namespace {

using services::model::ServiceModel;

std::string_view queryString(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::string_view pathOf(std::string_view target) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    auto slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  return target.substr(0, target.find('?'));
}

bool isForm(const HttpRequest& request) {
  return request.header("Content-Type").find("x-www-form-urlencoded") != std::string_view::npos;
}

QueryParams paramsOf(const HttpRequest& request) {
  QueryParams params;
  parseFormInto(queryString(request.target), params);
  if (request.method == "POST" && (isForm(request) || request.header("Content-Type").empty())) {
    parseFormInto(request.body, params);
  }
  return params;
}

bool speaksQuery(const ServiceModel* model) {
  return model && (model->metadata().protocol == "query" || model->metadata().awsQueryCompatible);
}

// A request that names no service (unsigned): the query service whose model
// has the action; SQS when its path is a queue URL's (/<account>/<queue>).
std::string guessService(const HttpRequest& request, const std::string& action) {
  std::string_view path = pathOf(request.target);
  std::string found;
  for (std::string_view name : ServiceModel::services()) {
    const ServiceModel* model = ServiceModel::get(name);
    if (!speaksQuery(model) || !model->operation(action)) continue;
    if (name == "sqs" && path.size() > 1) return std::string(name);
    if (found.empty()) found = std::string(name);
  }
  return found;
}

// The root element's xmlns attribute, when the model names a namespace.
std::vector<std::pair<std::string, std::string>> xmlNamespaceOf(const ServiceModel* model) {
  if (!model || model->metadata().xmlNamespace.empty()) return {};
  return {{"xmlns", model->metadata().xmlNamespace}};
}

HttpResponse xmlError(const ServiceModel* model, const AwsError& error,
                      const std::string& requestId) {
  QueryError q = queryErrorOf(model, error);
  XmlWriter xml;
  xml.open("ErrorResponse", xmlNamespaceOf(model));
  xml.open("Error");
  xml.element("Type", q.sender ? "Sender" : "Receiver");
  xml.element("Code", q.code);
  xml.element("Message", error.message);
  xml.open("Detail");
  xml.close();
  xml.close();
  xml.element("RequestId", requestId);
  HttpResponse r;
  r.status = q.httpStatus;
  r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", requestId}};
  r.body = xml.finish();
  return r;
}

}  // namespace

QueryError queryErrorOf(const ServiceModel* model, const AwsError& error) {
  QueryError q{error.code, error.httpStatus, error.httpStatus < 500};
  if (!model) return q;
  const auto* shape = model->shape(error.code);
  if (!shape || !shape->exception || shape->errorCode.empty()) return q;
  q.code = shape->errorCode;
  if (shape->errorHttpStatus) q.httpStatus = shape->errorHttpStatus;
  q.sender = !shape->fault && q.httpStatus < 500;
  return q;
}

bool QueryProtocol::claims(const HttpRequest& request, std::string_view service) const {
  if (!request.header("X-Amz-Target").empty()) return false;
  if (!service.empty()) return speaksQuery(ServiceModel::get(service));
  QueryParams params = paramsOf(request);
  return params.count("Action") > 0;
}

HttpResponse QueryProtocol::errorResponse(const AwsError& error, const HttpRequest&,
                                          const std::string& requestId) const {
  return xmlError(nullptr, error, requestId);
}

void QueryProtocol::handle(RoutedRequest request, HttpReply reply) const {
  const HttpRequest& http = request.http;
  const std::string requestId = request.ctx.requestId;
  QueryParams params = paramsOf(http);
  auto actionIt = params.find("Action");
  if (actionIt == params.end() || actionIt->second.empty()) {
    return reply(xmlError(nullptr, {"MissingAction", "Missing Action", 400}, requestId));
  }
  const std::string action = actionIt->second;
  std::string service = request.service.empty() ? guessService(http, action) : request.service;
  const ServiceModel* model = ServiceModel::get(service);
  const auto* op = model ? model->operation(action) : nullptr;
  if (!op || !registry_.has(service, action)) {
    return reply(xmlError(
        model, {"InvalidAction", "The action " + action + " is not valid for this endpoint.", 400},
        requestId));
  }
  Json input = JsonObject{};
  if (op->input) {
    auto decoded = decodeQueryInput(*op->input, params);
    if (!decoded) return reply(xmlError(model, decoded.error(), requestId));
    input = std::move(*decoded);
    // SQS's query API is also sent to the queue URL itself, QueueUrl implied.
    std::string_view path = pathOf(http.target);
    if (op->input->findMember("QueueUrl") && !input.as_object().contains("QueueUrl") &&
        path.size() > 1) {
      input.as_object()["QueueUrl"] = "http://" + request.ctx.host + std::string(path);
    }
  }
  registry_.call(service, action, input, request.ctx,
                 [reply = std::move(reply), requestId, model, op](Result<Json> result) {
                   if (!result) return reply(xmlError(model, result.error(), requestId));
                   XmlWriter xml;
                   xml.open(op->name + "Response", xmlNamespaceOf(model));
                   if (op->output) {
                     xml.open(op->resultWrapper.empty() ? op->name + "Result" : op->resultWrapper);
                     encodeQueryMembers(xml, *op->output, *result);
                     xml.close();
                   }
                   xml.open("ResponseMetadata");
                   xml.element("RequestId", requestId);
                   xml.close();
                   HttpResponse r;
                   r.status = 200;
                   r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", requestId}};
                   r.body = xml.finish();
                   reply(std::move(r));
                 });
}

}  // namespace sluice::gateway
