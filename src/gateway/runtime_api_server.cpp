#include "gateway/runtime_api_server.hpp"

#include "core/json.hpp"
#include "gateway/http_server.hpp"

namespace sluice::gateway {

namespace {

using services::lambda::NextInvocation;
using services::lambda::RuntimeApiHandler;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

HttpResponse jsonAnswer(int status, const std::string& errorType, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  JsonObject o;
  if (status == 202) {
    o["status"] = "OK";
  } else {
    o["errorType"] = errorType;
    o["errorMessage"] = message;
  }
  r.body = toJsonText(o);
  return r;
}

HttpResponse answer(const RuntimeApiHandler::Answer& a) {
  return jsonAnswer(a.status, a.errorType, a.message);
}

void handle(RuntimeApiHandler& h, HttpRequest req, HttpReply reply) {
  std::string_view path = req.target;
  path = path.substr(0, path.find('?'));
  if (req.bodyError) return reply(jsonAnswer(413, "RequestEntityTooLarge", req.bodyError->message));
  if (!path.starts_with(kPrefix)) {
    return reply(jsonAnswer(404, "InvalidRequest", "No such Runtime API path."));
  }
  std::string_view rest = path.substr(kPrefix.size());
  std::string errorType(req.header("Lambda-Runtime-Function-Error-Type"));
  if (req.method == "GET" && rest == "invocation/next") {
    return h.next([reply = std::move(reply)](std::optional<NextInvocation> next) {
      if (!next) {
        return reply(jsonAnswer(500, "Runtime.Shutdown", "The sandbox is shutting down."));
      }
      HttpResponse r;
      r.headers = {{"Content-Type", "application/json"},
                   {"Lambda-Runtime-Aws-Request-Id", next->requestId},
                   {"Lambda-Runtime-Deadline-Ms", std::to_string(next->deadlineMs)},
                   {"Lambda-Runtime-Invoked-Function-Arn", next->functionArn},
                   {"Lambda-Runtime-Trace-Id", next->traceId}};
      if (!next->clientContext.empty()) {
        r.headers.emplace_back("Lambda-Runtime-Client-Context", next->clientContext);
      }
      if (!next->cognitoIdentity.empty()) {
        r.headers.emplace_back("Lambda-Runtime-Cognito-Identity", next->cognitoIdentity);
      }
      r.body = std::move(next->payload);
      reply(std::move(r));
    });
  }
  if (req.method == "POST" && rest == "init/error") {
    return reply(answer(h.initError(errorType, std::move(req.body))));
  }
  if (req.method == "POST" && rest.starts_with("invocation/")) {
    std::string_view tail = rest.substr(11);
    auto slash = tail.find('/');
    if (slash != std::string_view::npos) {
      std::string id(tail.substr(0, slash));
      std::string_view what = tail.substr(slash + 1);
      if (what == "response") return reply(answer(h.respond(id, std::move(req.body))));
      if (what == "error") return reply(answer(h.fail(id, errorType, std::move(req.body))));
    }
  }
  reply(jsonAnswer(404, "InvalidRequest", "No such Runtime API path."));
}

class Endpoint final : public services::lambda::RuntimeEndpoint {
 public:
  Endpoint(boost::asio::io_context& io, std::shared_ptr<RuntimeApiHandler> handler)
      : server_(io, options(), [handler](HttpRequest req, HttpReply reply) {
          handle(*handler, std::move(req), std::move(reply));
        }) {}
  std::string start() { return server_.start(); }
  std::string address() const override { return "127.0.0.1:" + std::to_string(server_.port()); }

 private:
  static HttpServerOptions options() {
    HttpServerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.maxBodyBytes = 7ull << 20;  // a little over Lambda's 6 MB response limit
    o.maxDecodedBodyBytes = 7ull << 20;
    return o;
  }
  HttpServer server_;
};

}  // namespace

services::lambda::RuntimeEndpointFactory runtimeEndpointFactory(boost::asio::io_context& io) {
  return [&io](std::shared_ptr<RuntimeApiHandler> handler)
             -> Result<std::unique_ptr<services::lambda::RuntimeEndpoint>> {
    auto e = std::make_unique<Endpoint>(io, std::move(handler));
    if (auto err = e->start(); !err.empty()) {
      return AwsError{"ServiceException", "Runtime API endpoint: " + err, 500};
    }
    return std::unique_ptr<services::lambda::RuntimeEndpoint>(std::move(e));
  };
}

}  // namespace sluice::gateway
