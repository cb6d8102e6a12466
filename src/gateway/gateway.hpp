// The request pipeline behind the HTTP server, as a short chain of steps:
//   request id -> admin routes -> service detection -> authentication ->
//   decode (wire protocol -> operation input JSON) -> dispatch -> encode.
// The services know nothing of HTTP; the gateway knows nothing of services
// beyond the operation registry.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/http_server.hpp"
#include "gateway/sigv4.hpp"
#include "services/operation.hpp"

namespace sluice::gateway {

struct GatewayOptions {
  std::string defaultAccount = "000000000000";
  std::string defaultRegion = "us-east-1";
  // Empty: any well-formed signature is accepted (the developer-laptop default).
  CredentialStore credentials;
};

// `/_sluice/...` routes (health, clock): handled before any AWS processing.
using AdminHandler = std::function<bool(const HttpRequest&, HttpReply&)>;

class Gateway {
 public:
  Gateway(const services::OperationRegistry& registry, const Clock& clock, IdGenerator& ids,
          GatewayOptions options, AdminHandler admin = {});

  void handle(HttpRequest request, HttpReply reply) const;

 private:
  void handleJson(const HttpRequest& request, const std::string& service, services::CallContext ctx,
                  HttpReply reply) const;

  const services::OperationRegistry& registry_;
  const Clock& clock_;
  IdGenerator& ids_;
  GatewayOptions options_;
  AdminHandler admin_;
};

// awsJson error body: {"__type": code, "message": message}.
HttpResponse jsonError(const AwsError& error, const std::string& requestId,
                       std::string_view contentType = "application/x-amz-json-1.0");

}  // namespace sluice::gateway
