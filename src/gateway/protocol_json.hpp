// awsJson 1.0 / 1.1: POST with X-Amz-Target "<Prefix>.<Operation>" and a JSON
// body; errors as {"__type": code, "message": ...} with x-amzn-ErrorType.
#pragma once

#include "gateway/protocol.hpp"

namespace sluice::gateway {

class JsonProtocol final : public Protocol {
 public:
  explicit JsonProtocol(const services::OperationRegistry& registry) : registry_(registry) {}

  bool claims(const HttpRequest& request, std::string_view service) const override;
  AuthErrorStyle authErrorStyle() const override { return AuthErrorStyle::Json; }
  HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                             const std::string& requestId) const override;
  void handle(RoutedRequest request, HttpReply reply) const override;

 private:
  const services::OperationRegistry& registry_;
};

// awsJson error body: {"__type": code, "message": message}.
HttpResponse jsonError(const AwsError& error, const std::string& requestId,
                       std::string_view contentType = "application/x-amz-json-1.0");

}  // namespace sluice::gateway
