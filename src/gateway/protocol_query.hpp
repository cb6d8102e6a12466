// The awsQuery protocol (SNS; SQS as older SDKs speak it): form parameters in
// a POST body or a GET query string (`Action=...&Version=...`), decoded by the
// service model's shapes; XML answers
//   <ActionResponse xmlns=...><ActionResult>...</ActionResult>
//   <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>
// and XML errors
//   <ErrorResponse><Error><Type>Sender</Type><Code>..</Code><Message>..</Message>
//   </Error><RequestId>..</RequestId></ErrorResponse>.
#pragma once

#include "gateway/protocol.hpp"
#include "services/model/service_model.hpp"

namespace sluice::gateway {

class QueryProtocol final : public Protocol {
 public:
  explicit QueryProtocol(const services::OperationRegistry& registry) : registry_(registry) {}

  // Requests without X-Amz-Target whose service speaks the query protocol
  // (its model's protocol is "query", or it is awsQueryCompatible), or that
  // name no service but carry `Action=`.
  bool claims(const HttpRequest& request, std::string_view service) const override;
  AuthErrorStyle authErrorStyle() const override { return AuthErrorStyle::Query; }
  HttpResponse errorResponse(const AwsError& error, const HttpRequest& request,
                             const std::string& requestId) const override;
  void handle(RoutedRequest request, HttpReply reply) const override;

 private:
  const services::OperationRegistry& registry_;
};

// How an error is named on the query wire: the modeled error shape called
// `error.code` may carry another code and status (SQS's QueueDoesNotExist is
// "AWS.SimpleQueueService.NonExistentQueue"); unmodeled errors keep theirs.
struct QueryError {
  std::string code;
  int httpStatus = 400;
  bool sender = true;
};
QueryError queryErrorOf(const services::model::ServiceModel* model, const AwsError& error);

}  // namespace sluice::gateway
