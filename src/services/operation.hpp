// The one operation interface. Every service exposes its API as named
// operations taking and returning JSON in the shape of the service model
// (the member names boto3 uses). The HTTP gateway calls them after decoding
// a request; the workflow engine calls the very same operations for
// `arn:aws:states:::aws-sdk:<service>:<action>` and the optimised integrations.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "services/payload.hpp"

namespace sluice::services {

// Who is calling and where: the account and region come from the request's
// credentials (or the engine's execution), the request id from the gateway.
struct CallContext {
  Scope scope;
  std::string requestId;
  std::string accessKeyId;
  // Set by the HTTP door for operations with a streaming body (S3 objects):
  // the bytes travel beside the JSON instead of inside it. Without it (the
  // workflow door) a streaming member is an ordinary string in the JSON.
  std::shared_ptr<Payload> payload;
  // The request's Host header ("localhost:4566"), for URLs a service hands
  // out (SQS queue URLs); empty from the workflow door.
  std::string host;
};

using Reply = std::function<void(Result<Json>)>;
// An operation answers exactly once through `reply`, possibly later (long
// polls, synchronous executions) and possibly from another thread.
using OperationFn = std::function<void(const Json& input, const CallContext& ctx, Reply reply)>;

class OperationRegistry {
 public:
  // `service` is the SigV4 signing name ("states", "sqs", "s3", ...);
  // `targetPrefix` the X-Amz-Target prefix for JSON protocols ("AWSStepFunctions").
  // `modelValidation`: check inputs against the service model before an
  // operation runs (off for S3, whose server checks its own inputs and never
  // answers ValidationException).
  void addService(std::string service, std::string targetPrefix, bool modelValidation = true);
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
    bool modelValidation = true;
    std::map<std::string, OperationFn, std::less<>> operations;
  };
  std::map<std::string, Service, std::less<>> services_;
};

}  // namespace sluice::services
