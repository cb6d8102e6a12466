// Amazon SNS (signing name "sns"; the query protocol): topics (standard and
// FIFO), subscriptions with confirmation and filter policies, Publish and
// PublishBatch with fan-out to SQS queues and Lambda functions (through the
// operation registry, as any client would call them), HTTP(S) endpoints
// (POST with retries, on the engine's worker pool) and email (SMTP to a
// configured relay, with retries, or files in <data-dir>/outbox/).
//
// All state lives on the engine's event loop thread; topics and
// subscriptions are committed to the store before an operation answers, and
// so is every published message that has deliveries to make (sns_pending),
// until they are over: a restart delivers what was left (at-least-once).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/execution.hpp"
#include "services/builtin.hpp"
#include "services/common/outbound.hpp"
#include "services/common/pending_deliveries.hpp"
#include "services/operation.hpp"
#include "services/sns/delivery_policy.hpp"
#include "services/sns/sns_store.hpp"
#include "services/sns/topic.hpp"

namespace sluice::services::sns {

// One published message on its way to the subscriptions.
struct Notification {
  std::string messageId;
  std::string topicArn;
  std::string subject;
  std::string message;  // the default message
  Json perProtocol;     // MessageStructure=json: {"default": ..., "sqs": ...}; else null
  Json attributes = JsonObject{};
  std::string groupId;
  std::string deduplicationId;
  std::string sequenceNumber;
  TimePoint timestamp{};
  std::string host;  // for the unsubscribe URL
};

class SnsService {
 public:
  // `outbound`: the SMTP relay for email subscriptions (none: the mail goes
  // to <data-dir>/outbox/ as .eml files) and the CA file trusted for TLS.
  SnsService(engine::EngineContext engine, const Clock& clock, store::sqlite::SqliteStore* store,
             std::filesystem::path dataDir, OutboundOptions outbound = {});
  ~SnsService();

  Result<void> load();
  // Keeps `registry` to deliver to SQS and Lambda through their operations.
  void registerOperations(OperationRegistry& registry);

  using Op = void (SnsService::*)(const Json&, const CallContext&, Reply);
  void createTopic(const Json& in, const CallContext& ctx, Reply reply);
  void deleteTopic(const Json& in, const CallContext& ctx, Reply reply);
  void listTopics(const Json& in, const CallContext& ctx, Reply reply);
  void getTopicAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void setTopicAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void tagResource(const Json& in, const CallContext& ctx, Reply reply);
  void untagResource(const Json& in, const CallContext& ctx, Reply reply);
  void listTagsForResource(const Json& in, const CallContext& ctx, Reply reply);
  void subscribe(const Json& in, const CallContext& ctx, Reply reply);
  void confirmSubscription(const Json& in, const CallContext& ctx, Reply reply);
  void unsubscribe(const Json& in, const CallContext& ctx, Reply reply);
  void listSubscriptions(const Json& in, const CallContext& ctx, Reply reply);
  void listSubscriptionsByTopic(const Json& in, const CallContext& ctx, Reply reply);
  void getSubscriptionAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void setSubscriptionAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void publish(const Json& in, const CallContext& ctx, Reply reply);
  void publishBatch(const Json& in, const CallContext& ctx, Reply reply);

 private:
  Result<Topic*> findTopic(const std::string& arn);
  Result<Subscription*> findSubscription(const std::string& arn);
  // Checks one Publish / PublishBatch entry and builds its notification.
  Result<Notification> prepare(Topic& topic, const Json& entry, const CallContext& ctx);
  // The result entry: MessageId (and SequenceNumber for FIFO topics). A
  // message that is not a FIFO duplicate is appended to `toSend`.
  Json accept(Topic& topic, Notification& n, std::vector<Notification>& toSend);

  // Pending deliveries (pending.cpp): stores the messages' rows, then
  // replies `response` and delivers them.
  void sendAfterCommit(std::vector<Notification> messages, Json response, Reply reply);
  Result<void> resumePending();

  // Delivery (delivery.cpp). `Finished` runs once when a delivery is over
  // (delivered or given up), on any thread.
  using Finished = std::function<void()>;
  using GaveUp = std::function<void(std::string error)>;
  // The confirmed subscriptions of the topic that get `n` (filter policies).
  std::vector<std::string> recipients(const Notification& n) const;
  void send(const Notification& n, const std::vector<std::string>& recipients);
  void deliver(const Subscription& s, const Notification& n, Finished done);
  void deliverToQueue(const Subscription& s, const Notification& n, Finished done);
  void deliverToFunction(const Subscription& s, const Notification& n, Finished done);
  void deliverOverHttp(const Subscription& s, std::string messageType, std::string messageId,
                       std::string body, Finished done, GaveUp gaveUp = {});
  // `gaveUp` (with the last error) runs instead of `done` when the retries
  // are spent; without one, done runs either way.
  // Retries after `attempt` failed attempts as `policy` says.
  void postWithRetries(std::string url, std::vector<std::pair<std::string, std::string>> headers,
                       std::string body, std::shared_ptr<const RetryPolicy> policy, int attempt,
                       Finished done, GaveUp gaveUp = {});
  // The delivery policy an http/https subscription's deliveries follow
  // (delivery_policy.hpp): its own, or its topic's.
  HttpDeliveryPolicy httpPolicyOf(const Subscription& s) const;
  // Dead-letter queues (dead_letter.cpp): a delivery that failed for good
  // goes to the subscription's RedrivePolicy queue, if it has one, as the
  // body it would have delivered; then `done` runs.
  void deadLetter(const Subscription& s, const Notification& n, std::string body,
                  std::string errorCode, std::string errorMessage, Finished done);
  // Email (email.cpp): through the SMTP relay when one is configured, else a
  // file in <data-dir>/outbox/.
  void sendEmail(const Subscription& s, const std::string& subject, const std::string& body,
                 const std::string& messageId, Finished done);
  void smtpWithRetries(std::string to, std::string message, int attempt, Finished done);
  void sendConfirmation(const Subscription& s, const std::string& host);

  engine::EngineContext engine_;
  const Clock& clock_;
  SnsStore store_;
  PendingDeliveries pending_;  // sns_pending: one row per message in flight
  std::filesystem::path dataDir_;
  OutboundOptions outbound_;
  // Verifies https endpoints and STARTTLS servers. Loading the system's CA
  // certificates takes ~20 ms and some MiB, so it happens on first use (at
  // load() only when --ca-file names a file to check).
  std::shared_ptr<boost::asio::ssl::context> tls();
  std::once_flag tlsOnce_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  const OperationRegistry* registry_ = nullptr;
  std::map<std::string, Topic> topics_;                // by ARN
  std::map<std::string, Subscription> subscriptions_;  // by ARN
};

}  // namespace sluice::services::sns
