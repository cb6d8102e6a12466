// The one operation interface. Every service exposes its API as named
// operations taking and returning JSON in the shape of the service model
// (the member names boto3 uses). The HTTP gateway calls them after decoding
// a request; the workflow engine calls the very same operations for
// `arn:aws:states:::aws-sdk:<service>:<action>` and the optimised integrations.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::services {

// Who is calling and where: the account and region come from the request's
// credentials (or the engine's execution), the request id from the gateway.
struct CallContext {
  Scope scope;
  std::string requestId;
  std::string accessKeyId;
};

using Reply = std::function<void(Result<Json>)>;
// An operation answers exactly once through `reply`, possibly later (long
// polls, synchronous executions) and possibly from another thread.
using OperationFn = std::function<void(const Json& input, const CallContext& ctx, Reply reply)>;

class OperationRegistry {
 public:
  // `service` is the SigV4 signing name ("states", "sqs", "s3", ...);
  // `targetPrefix` the X-Amz-Target prefix for JSON protocols ("AWSStepFunctions").
  void addService(std::string service, std::string targetPrefix);
  void add(std::string_view service, std::string operation, OperationFn fn);

  // Calls service.operation; unknown operations answer with the error AWS
  // gives (UnknownOperationException).
  void call(std::string_view service, std::string_view operation, const Json& input,
            const CallContext& ctx, Reply reply) const;
  bool has(std::string_view service, std::string_view operation) const;
  bool hasService(std::string_view service) const { return services_.count(service) > 0; }

  // X-Amz-Target prefix → service name; empty when unknown.
  std::string serviceForTarget(std::string_view prefix) const;

 private:
  struct Service {
    std::string targetPrefix;
    std::map<std::string, OperationFn, std::less<>> operations;
  };
  std::map<std::string, Service, std::less<>> services_;
};

}  // namespace sluice::services
