// The request pipeline behind the HTTP server, as a short chain of steps:
//   request id -> admin routes -> service detection -> protocol ->
//   authentication -> decode (wire protocol -> operation input JSON) ->
//   dispatch -> encode. The last three belong to the protocol (protocol.hpp).
// The services know nothing of HTTP; the gateway knows nothing of services
// beyond the operation registry.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/http_server.hpp"
#include "gateway/protocol.hpp"
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
  // Speaks every built-in protocol (protocols.hpp).
  Gateway(const services::OperationRegistry& registry, const Clock& clock, IdGenerator& ids,
          GatewayOptions options, AdminHandler admin = {});

  void handle(HttpRequest request, HttpReply reply) const;

 private:
  const Protocol& protocolFor(const HttpRequest& request, std::string_view service) const;

  const services::OperationRegistry& registry_;
  const Clock& clock_;
  IdGenerator& ids_;
  GatewayOptions options_;  // before protocols_: S3's refers to its credentials
  std::vector<std::unique_ptr<Protocol>> protocols_;
  AdminHandler admin_;
};

}  // namespace sluice::gateway
