// restJson1 (Scheduler, later Lambda, Glue...): the operation is found from
// the HTTP method and path against the model's requestUri templates; members
// come from URI labels, the query string, headers and the JSON body as the
// model binds them. Errors are {"message": ...} with x-amzn-ErrorType.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/protocol.hpp"
#include "services/model/service_model.hpp"

namespace sluice::gateway {

// "/schedules/{Name}" against a decoded-on-match path: the labels' values
// (percent-decoded), or nullopt when the path does not fit. "{Key+}" takes the
// rest of the path, slashes included. A query part of the template ("?tagging")
// is not matched here.
std::optional<std::map<std::string, std::string>> matchUriTemplate(std::string_view uriTemplate,
                                                                   std::string_view rawPath);

class RestJsonProtocol final : public Protocol {
 public:
  explicit RestJsonProtocol(const services::OperationRegistry& registry) : registry_(registry) {}

  bool claims(const HttpRequest& request, std::string_view service) const override;
  AuthErrorStyle authErrorStyle() const override { return AuthErrorStyle::Json; }
  HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                             const std::string& requestId) const override;
  void handle(RoutedRequest request, HttpReply reply) const override;

 private:
  const services::OperationRegistry& registry_;
};

}  // namespace sluice::gateway
