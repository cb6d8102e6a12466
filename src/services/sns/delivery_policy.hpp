// HTTP/S delivery policies: how SNS retries a failing http/https endpoint and
// with which Content-Type it posts. A topic's DeliveryPolicy
//   {"http": {"defaultHealthyRetryPolicy": {...}, "defaultRequestPolicy":
//             {"headerContentType": "..."}, "disableSubscriptionOverrides": false}}
// sets the default; a subscription's DeliveryPolicy
//   {"healthyRetryPolicy": {...}, "requestPolicy": {"headerContentType": "..."}}
// overrides it unless the topic disables overrides. A retry policy runs in
// AWS's four phases: numNoDelayRetries at once, numMinDelayRetries after
// minDelayTarget, the backoff phase from minDelayTarget to maxDelayTarget
// (backoffFunction), then numMaxDelayRetries after maxDelayTarget —
// numRetries in all, within 3,600 s.
#pragma once

#include <chrono>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::sns {

struct RetryPolicy {
  int minDelayTarget = 20;
  int maxDelayTarget = 20;
  int numRetries = 3;
  int numNoDelayRetries = 0;
  int numMinDelayRetries = 0;
  int numMaxDelayRetries = 0;
  std::string backoffFunction = "linear";

  // The wait before retry `n` (1 ≤ n ≤ numRetries).
  std::chrono::seconds delayBefore(int n) const;
  Json toJson() const;
};

// The fixed policy AWS applies to customer-managed endpoints other than
// HTTP/S (SMTP, SMS, mobile push): 2 retries 10 s apart, 10 backing off
// exponentially from 10 s to 600 s, then 38 every 600 s (over 6 hours).
RetryPolicy customerManagedRetryPolicy();

struct HttpDeliveryPolicy {
  RetryPolicy retry;
  std::string contentType = "text/plain; charset=UTF-8";
};

// InvalidParameter unless `text` is a valid topic / subscription policy.
Result<void> checkTopicDeliveryPolicy(const std::string& text);
Result<void> checkSubscriptionDeliveryPolicy(const std::string& text);

// What applies to a subscription, from the two attributes (either may be empty).
HttpDeliveryPolicy effectiveHttpPolicy(const std::string& topicPolicy,
                                       const std::string& subscriptionPolicy);
// The topic's EffectiveDeliveryPolicy attribute, and a subscription's.
std::string topicEffectiveDeliveryPolicy(const std::string& topicPolicy);
std::string subscriptionEffectiveDeliveryPolicy(const HttpDeliveryPolicy& policy);

}  // namespace sluice::services::sns
