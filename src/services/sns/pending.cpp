// Published messages in flight: a message with deliveries to make is stored
// (sns_pending, one row per message with the subscriptions it goes to)
// before Publish answers, and its row is deleted once every delivery is
// over. On start the rows left by a crash are delivered again to those
// subscriptions (at-least-once: one that had already landed may repeat).
#include <iostream>

#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Json toDocument(const Notification& n, const std::vector<std::string>& recipients) {
  JsonObject d;
  d["messageId"] = n.messageId;
  d["topicArn"] = n.topicArn;
  d["subject"] = n.subject;
  d["message"] = n.message;
  d["perProtocol"] = n.perProtocol;
  d["attributes"] = n.attributes;
  d["groupId"] = n.groupId;
  d["deduplicationId"] = n.deduplicationId;
  d["sequenceNumber"] = n.sequenceNumber;
  d["timestamp"] = toEpochMicros(n.timestamp);
  d["host"] = n.host;
  JsonArray to;
  for (const std::string& arn : recipients) to.emplace_back(arn);
  d["recipients"] = std::move(to);
  return d;
}

std::optional<std::pair<Notification, std::vector<std::string>>> fromDocument(const Json& doc) {
  if (!doc.is_object()) return std::nullopt;
  const JsonObject& d = doc.as_object();
  const Json* to = d.if_contains("recipients");
  const Json* at = d.if_contains("timestamp");
  if (!to || !to->is_array() || !at || !at->is_int64()) return std::nullopt;
  Notification n;
  n.messageId = text(d, "messageId");
  n.topicArn = text(d, "topicArn");
  n.subject = text(d, "subject");
  n.message = text(d, "message");
  if (const Json* p = d.if_contains("perProtocol")) n.perProtocol = *p;
  if (const Json* a = d.if_contains("attributes"); a && a->is_object()) n.attributes = *a;
  n.groupId = text(d, "groupId");
  n.deduplicationId = text(d, "deduplicationId");
  n.sequenceNumber = text(d, "sequenceNumber");
  n.timestamp = fromEpochMicros(at->get_int64());
  n.host = text(d, "host");
  std::vector<std::string> recipients;
  for (const Json& arn : to->as_array()) {
    if (arn.is_string()) recipients.emplace_back(arn.get_string());
  }
  return std::make_pair(std::move(n), std::move(recipients));
}

struct Outgoing {
  Notification message;
  std::vector<std::string> recipients;
};

}  // namespace

void SnsService::sendAfterCommit(std::vector<Notification> messages, Json response, Reply reply) {
  std::vector<PendingDeliveries::Row> rows;
  auto outgoing = std::make_shared<std::vector<Outgoing>>();
  for (Notification& n : messages) {
    auto to = recipients(n);
    if (to.empty()) continue;
    rows.push_back({n.messageId, toJsonText(toDocument(n, to))});
    outgoing->push_back({std::move(n), std::move(to)});
  }
  if (rows.empty()) return reply(std::move(response));
  pending_.add(std::move(rows), [this, outgoing, response = std::move(response),
                                 reply = std::move(reply)](Result<void> stored) mutable {
    if (!stored) return reply(stored.error());
    reply(std::move(response));
    engine_.loop.post([this, outgoing] {
      for (const Outgoing& o : *outgoing) send(o.message, o.recipients);
    });
  });
}

Result<void> SnsService::resumePending() {
  auto rows = pending_.scan();
  if (!rows) return rows.error();
  auto outgoing = std::make_shared<std::vector<Outgoing>>();
  for (const auto& row : *rows) {
    auto doc = parseJson(row.doc);
    auto parsed = doc ? fromDocument(*doc) : std::nullopt;
    if (!parsed) {
      std::cerr << "sns: dropping unreadable pending message " << row.id << "\n";
      pending_.finish(row.id);
      continue;
    }
    outgoing->push_back({std::move(parsed->first), std::move(parsed->second)});
  }
  if (outgoing->empty()) return {};
  // Runs once the loop starts, after every service is registered.
  engine_.loop.post([this, outgoing] {
    for (const Outgoing& o : *outgoing) send(o.message, o.recipients);
  });
  return {};
}

}  // namespace sluice::services::sns
