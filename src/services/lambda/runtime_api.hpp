// AWS's Lambda Runtime API (2018-06-01), as one sandbox sees it. Each sandbox
// gets its own loopback endpoint (AWS_LAMBDA_RUNTIME_API), so a request's
// connection says which sandbox is asking. The HTTP side lives in the
// gateway (gateway/runtime_api_server.*); this is what it calls.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace sluice::services::lambda {

struct NextInvocation {
  std::string requestId;
  std::string payload;
  int64_t deadlineMs = 0;  // epoch milliseconds (Lambda-Runtime-Deadline-Ms)
  std::string functionArn;
  std::string traceId;
  std::string clientContext;    // JSON text, or empty
  std::string cognitoIdentity;  // JSON text, or empty
};

class RuntimeApiHandler {
 public:
  virtual ~RuntimeApiHandler() = default;
  // GET /runtime/invocation/next: answered when there is work. nullopt: the
  // sandbox is being shut down (the runtime gets a 500 and should exit).
  virtual void next(std::function<void(std::optional<NextInvocation>)> reply) = 0;
  // POST /runtime/invocation/{id}/response, .../error and /runtime/init/error.
  // Return the HTTP status to answer (202, or 400/403/413 with `message` set).
  struct Answer {
    int status = 202;
    std::string errorType;  // for non-202 answers
    std::string message;
  };
  virtual Answer respond(const std::string& requestId, std::string body) = 0;
  virtual Answer fail(const std::string& requestId, std::string errorType, std::string body) = 0;
  virtual Answer initError(std::string errorType, std::string body) = 0;
};

// An open endpoint; closing it (destruction) stops accepting.
class RuntimeEndpoint {
 public:
  virtual ~RuntimeEndpoint() = default;
  virtual std::string address() const = 0;  // "127.0.0.1:PORT"
};

using RuntimeEndpointFactory =
    std::function<Result<std::unique_ptr<RuntimeEndpoint>>(std::shared_ptr<RuntimeApiHandler>)>;

}  // namespace sluice::services::lambda
