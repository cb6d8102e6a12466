// Delivery of published messages to subscriptions, in AWS's JSON envelope
// (or raw with RawMessageDelivery): SQS and Lambda through the operation
// registry, HTTP endpoints by POST with retries, email by SMTP or as files
// in <data-dir>/outbox/ (email.cpp). Deliveries start once the message's pending row is
// committed and Publish has answered (pending.cpp); a delivery that fails for
// good goes to the subscription's dead-letter queue (dead_letter.cpp) or is
// dropped, and the row goes when every delivery of the message is over.
#include <algorithm>
#include <atomic>
#include <iostream>

#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "services/common/http_client.hpp"
#include "services/sns/filter_policy.hpp"
#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

constexpr std::chrono::seconds kHttpTimeout{15};

// The message a protocol gets: its own entry of a MessageStructure=json
// message, else the default.
std::string messageFor(const Notification& n, const std::string& protocol) {
  if (n.perProtocol.is_object()) {
    if (const Json* m = n.perProtocol.as_object().if_contains(protocol); m && m->is_string()) {
      return std::string(m->get_string());
    }
  }
  return n.message;
}

std::string signingCertUrl(const std::string& host) {
  return "http://" + host + "/_sluice/sns/SimpleNotificationService.pem";
}

// Sluice holds no SNS signing key; the Signature is a digest of the signed
// fields so it is present and stable, but it cannot be verified.
std::string signatureOf(const JsonObject& envelope) {
  return base64Encode(hexDigest("SHA-1", toJsonText(envelope)).value_or(""));
}

JsonObject envelope(const Notification& n, const Subscription& s, const std::string& message) {
  JsonObject e;
  e["Type"] = "Notification";
  e["MessageId"] = n.messageId;
  if (!n.sequenceNumber.empty()) e["SequenceNumber"] = n.sequenceNumber;
  e["TopicArn"] = n.topicArn;
  if (!n.subject.empty()) e["Subject"] = n.subject;
  e["Message"] = message;
  e["Timestamp"] = formatIso8601(n.timestamp);
  e["SignatureVersion"] = "1";
  e["Signature"] = signatureOf(e);
  e["SigningCertURL"] = signingCertUrl(n.host);
  e["UnsubscribeURL"] = "http://" + n.host + "/?Action=Unsubscribe&SubscriptionArn=" + s.arn;
  if (n.attributes.is_object() && !n.attributes.as_object().empty()) {
    JsonObject attrs;
    for (const auto& kv : n.attributes.as_object()) {
      const JsonObject& a = kv.value().as_object();
      std::string type(a.at("DataType").get_string());
      const Json* v = a.if_contains(type.starts_with("Binary") ? "BinaryValue" : "StringValue");
      attrs[kv.key()] = JsonObject{{"Type", type}, {"Value", v ? *v : Json("")}};
    }
    e["MessageAttributes"] = std::move(attrs);
  }
  return e;
}

bool raw(const Subscription& s) {
  auto it = s.attributes.find("RawMessageDelivery");
  return it != s.attributes.end() && it->second == "true";
}

// arn:aws:<service>:<region>:<account>:<resource>
struct ArnParts {
  std::string region, account, resource;
};
std::optional<ArnParts> splitArn(const std::string& arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    auto colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  return ArnParts{parts[3], parts[4], arn.substr(start)};
}

}  // namespace

std::vector<std::string> SnsService::recipients(const Notification& n) const {
  std::vector<std::string> out;
  for (const auto& [arn, s] : subscriptions_) {
    if (s.topicArn != n.topicArn || !s.confirmed) continue;
    // sms, application, firehose: accepted, not delivered anywhere.
    static constexpr std::string_view kDelivered[] = {"sqs",   "lambda", "http",
                                                      "https", "email",  "email-json"};
    if (std::find(std::begin(kDelivered), std::end(kDelivered), s.protocol) ==
        std::end(kDelivered)) {
      continue;
    }
    if (!s.filterPolicy.is_null()) {
      auto scope = s.attributes.find("FilterPolicyScope");
      bool body = scope != s.attributes.end() && scope->second == "MessageBody";
      if (body) {
        auto parsed = parseJson(messageFor(n, s.protocol));
        if (!parsed || !matchesBody(s.filterPolicy, *parsed)) continue;
      } else if (!matchesAttributes(s.filterPolicy, n.attributes)) {
        continue;
      }
    }
    out.push_back(arn);
  }
  return out;
}

void SnsService::send(const Notification& n, const std::vector<std::string>& recipients) {
  // The message's pending row goes once its last delivery is over; those
  // finish on whichever thread the destination answers on.
  auto left = std::make_shared<std::atomic<size_t>>(recipients.size());
  Finished done = [this, left, id = n.messageId] {
    if (left->fetch_sub(1) == 1) pending_.finish(id);
  };
  for (const std::string& arn : recipients) {
    auto it = subscriptions_.find(arn);
    if (it == subscriptions_.end()) {
      done();  // unsubscribed meanwhile
      continue;
    }
    deliver(it->second, n, done);
  }
}

void SnsService::deliver(const Subscription& s, const Notification& n, Finished done) {
  if (s.protocol == "sqs") return deliverToQueue(s, n, std::move(done));
  if (s.protocol == "lambda") return deliverToFunction(s, n, std::move(done));
  std::string message = messageFor(n, s.protocol);
  if (s.protocol == "http" || s.protocol == "https") {
    std::string body = raw(s) ? message : toJsonText(envelope(n, s, message));
    GaveUp gaveUp = [this, s, n, body, done](std::string error) {
      deadLetter(s, n, body, "DeliveryFailed", std::move(error), done);
    };
    return deliverOverHttp(s, "Notification", n.messageId, std::move(body), std::move(done),
                           std::move(gaveUp));
  }
  if (s.protocol == "email") {
    return sendEmail(s, n.subject.empty() ? "AWS Notification Message" : n.subject,
                     message +
                         "\n\n--\nIf you wish to stop receiving notifications from this "
                         "topic, please click or visit the link below to unsubscribe:\n" +
                         std::string(envelope(n, s, message).at("UnsubscribeURL").get_string()) +
                         "\n",
                     n.messageId, std::move(done));
  }
  if (s.protocol == "email-json") {
    return sendEmail(s, n.subject.empty() ? "AWS Notification Message" : n.subject,
                     toJsonText(envelope(n, s, message)), n.messageId, std::move(done));
  }
  done();  // not a delivered protocol (recipients() leaves those out)
}

void SnsService::deliverToQueue(const Subscription& s, const Notification& n, Finished done) {
  auto parts = splitArn(s.endpoint);
  if (!parts || !registry_) return done();
  std::string message = messageFor(n, "sqs");
  JsonObject req;
  req["QueueUrl"] = "http://" + n.host + "/" + parts->account + "/" + parts->resource;
  if (raw(s)) {
    req["MessageBody"] = message;
    if (n.attributes.is_object() && !n.attributes.as_object().empty()) {
      req["MessageAttributes"] = n.attributes;
    }
  } else {
    req["MessageBody"] = toJsonText(envelope(n, s, message));
  }
  if (!n.groupId.empty()) {
    req["MessageGroupId"] = n.groupId;
    req["MessageDeduplicationId"] = n.deduplicationId.empty() ? n.messageId : n.deduplicationId;
  }
  CallContext ctx;
  ctx.scope.account = parts->account;
  ctx.scope.region = parts->region;
  ctx.requestId = engine_.ids.uuid();
  ctx.host = n.host;
  std::string body(req["MessageBody"].get_string());
  registry_->call("sqs", "SendMessage", Json(std::move(req)), ctx,
                  [this, s, n, body = std::move(body), done = std::move(done)](Result<Json> r) {
                    if (r) return done();
                    deadLetter(s, n, body, r.error().code, r.error().message, done);
                  });
}

void SnsService::deliverToFunction(const Subscription& s, const Notification& n, Finished done) {
  auto parts = splitArn(s.endpoint);
  if (!parts || !registry_) return done();
  JsonObject e = envelope(n, s, messageFor(n, "lambda"));
  // The Lambda event spells two URL keys differently and always has Subject.
  JsonObject sns;
  for (const auto& kv : e) {
    std::string key(kv.key());
    if (key == "SigningCertURL") key = "SigningCertUrl";
    if (key == "UnsubscribeURL") key = "UnsubscribeUrl";
    sns[key] = kv.value();
  }
  if (!sns.contains("Subject")) sns["Subject"] = nullptr;
  if (!sns.contains("MessageAttributes")) sns["MessageAttributes"] = JsonObject{};
  JsonObject record;
  record["EventSource"] = "aws:sns";
  record["EventVersion"] = "1.0";
  record["EventSubscriptionArn"] = s.arn;
  record["Sns"] = std::move(sns);
  JsonObject event;
  event["Records"] = JsonArray{record};
  JsonObject req;
  req["FunctionName"] = s.endpoint;
  req["InvocationType"] = "Event";
  req["Payload"] = toJsonText(event);
  CallContext ctx;
  ctx.scope.account = parts->account;
  ctx.scope.region = parts->region;
  ctx.requestId = engine_.ids.uuid();
  std::string body = toJsonText(envelope(n, s, messageFor(n, "lambda")));
  registry_->call("lambda", "Invoke", Json(std::move(req)), ctx,
                  [this, s, n, body = std::move(body), done = std::move(done)](Result<Json> r) {
                    if (r) return done();
                    deadLetter(s, n, body, r.error().code, r.error().message, done);
                  });
}

void SnsService::deliverOverHttp(const Subscription& s, std::string messageType,
                                 std::string messageId, std::string body, Finished done,
                                 GaveUp gaveUp) {
  HttpDeliveryPolicy policy = httpPolicyOf(s);
  std::vector<std::pair<std::string, std::string>> headers = {
      {"x-amz-sns-message-type", messageType},
      {"x-amz-sns-message-id", messageId},
      {"x-amz-sns-topic-arn", s.topicArn},
      {"Content-Type", policy.contentType},
      {"User-Agent", "Amazon Simple Notification Service Agent"}};
  if (messageType == "Notification") headers.emplace_back("x-amz-sns-subscription-arn", s.arn);
  if (messageType == "Notification" && raw(s))
    headers.emplace_back("x-amz-sns-rawdelivery", "true");
  postWithRetries(s.endpoint, std::move(headers), std::move(body),
                  std::make_shared<const RetryPolicy>(policy.retry), 0, std::move(done),
                  std::move(gaveUp));
}

HttpDeliveryPolicy SnsService::httpPolicyOf(const Subscription& s) const {
  auto topic = topics_.find(s.topicArn);
  std::string topicPolicy, own;
  if (topic != topics_.end()) {
    if (auto p = topic->second.attributes.find("DeliveryPolicy");
        p != topic->second.attributes.end()) {
      topicPolicy = p->second;
    }
  }
  if (auto p = s.attributes.find("DeliveryPolicy"); p != s.attributes.end()) own = p->second;
  return effectiveHttpPolicy(topicPolicy, own);
}

void SnsService::postWithRetries(std::string url,
                                 std::vector<std::pair<std::string, std::string>> headers,
                                 std::string body, std::shared_ptr<const RetryPolicy> policy,
                                 int attempt, Finished done, GaveUp gaveUp) {
  auto result = std::make_shared<HttpResult>();
  auto work = [result, url, headers, body, tls = tls()] {
    *result = httpPost(url, headers, body, kHttpTimeout, tls.get());
  };
  engine_.loop.runBlocking(
      std::move(work), [this, result, url, headers, body, policy, attempt, done = std::move(done),
                        gaveUp = std::move(gaveUp)]() mutable {
        if (result->ok()) return done();
        if (attempt >= policy->numRetries) {
          std::string error =
              "failed after " + std::to_string(attempt + 1) + " attempts: " +
              (result->status ? "HTTP " + std::to_string(result->status) : result->error);
          if (gaveUp) return gaveUp(std::move(error));
          std::cerr << "sns: delivery to " << url << " " << error << "\n";
          return done();
        }
        // The policy's back-off, on the server's clock (--clock virtual moves it).
        engine_.loop.schedule(engine_.loop.now() + policy->delayBefore(attempt + 1),
                              [this, url, headers, body, policy, attempt, done = std::move(done),
                               gaveUp = std::move(gaveUp)]() mutable {
                                postWithRetries(std::move(url), std::move(headers), std::move(body),
                                                std::move(policy), attempt + 1, std::move(done),
                                                std::move(gaveUp));
                              });
      });
}

void SnsService::sendConfirmation(const Subscription& s, const std::string& requestHost) {
  std::string host = requestHost.empty() ? "localhost:4566" : requestHost;
  std::string messageId = engine_.ids.uuid();
  std::string subscribeUrl = "http://" + host +
                             "/?Action=ConfirmSubscription&TopicArn=" + s.topicArn +
                             "&Token=" + s.token;
  std::string text = "You have chosen to subscribe to the topic " + s.topicArn +
                     ".\nTo confirm the subscription, visit the SubscribeURL included in this "
                     "message.";
  if (s.protocol == "http" || s.protocol == "https") {
    JsonObject e;
    e["Type"] = "SubscriptionConfirmation";
    e["MessageId"] = messageId;
    e["Token"] = s.token;
    e["TopicArn"] = s.topicArn;
    e["Message"] = text;
    e["SubscribeURL"] = subscribeUrl;
    e["Timestamp"] = formatIso8601(clock_.now());
    e["SignatureVersion"] = "1";
    e["Signature"] = signatureOf(e);
    e["SigningCertURL"] = signingCertUrl(host);
    deliverOverHttp(s, "SubscriptionConfirmation", messageId, toJsonText(e), [] {});
  } else if (s.protocol == "email" || s.protocol == "email-json") {
    sendEmail(s, "AWS Notification - Subscription Confirmation",
              text + "\n\nConfirm subscription: " + subscribeUrl + "\nToken: " + s.token, messageId,
              [] {});
  }
}

}  // namespace sluice::services::sns
