// SNS's domain model: topics and their subscriptions.
#pragma once

#include <map>
#include <string>

#include "core/json.hpp"
#include "services/sqs/fifo.hpp"

namespace sluice::services::sns {

struct Topic {
  std::string arn;
  std::string account;
  std::string region;
  std::string name;
  std::map<std::string, std::string> attributes;  // settable ones, as reported
  std::map<std::string, std::string> tags;
  bool fifo = false;
  uint64_t nextSequence = 1;               // FIFO SequenceNumber
  sqs::DeduplicationWindow deduplication;  // FIFO topics (in memory)
};

struct Subscription {
  std::string arn;
  std::string topicArn;
  std::string protocol;  // sqs, http, https, email, email-json, lambda
  std::string endpoint;
  std::string owner;
  std::map<std::string, std::string> attributes;  // RawMessageDelivery, FilterPolicy, ...
  bool confirmed = false;
  std::string token;  // sent to http(s)/email endpoints until confirmed
  Json filterPolicy;  // parsed FilterPolicy (null: none)
};

}  // namespace sluice::services::sns
