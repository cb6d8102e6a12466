#include "services/s3/notification_outbox.hpp"

#include <atomic>
#include <iostream>
#include <memory>

#include "services/common/target_delivery.hpp"
#include "services/s3/notification_config.hpp"
#include "services/s3/notification_delivery.hpp"

namespace sluice::services::s3 {

namespace {

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string toDocument(const OutgoingEvent& e) {
  JsonArray messages;
  for (const auto& m : e.messages) messages.push_back(JsonObject{{"arn", m.arn}, {"body", m.body}});
  JsonObject doc{{"account", e.scope.account},
                 {"region", e.scope.region},
                 {"partition", e.scope.partition},
                 {"messages", std::move(messages)}};
  if (!e.eventBridge.is_null()) doc["eventBridge"] = e.eventBridge;
  return toJsonText(doc);
}

std::optional<OutgoingEvent> fromDocument(const std::string& id, std::string_view text_) {
  auto doc = parseJson(text_);
  if (!doc || !doc->is_object()) return std::nullopt;
  const JsonObject& o = doc->as_object();
  const Json* messages = o.if_contains("messages");
  if (!messages || !messages->is_array()) return std::nullopt;
  OutgoingEvent e;
  e.id = id;
  e.scope.account = text(o, "account");
  e.scope.region = text(o, "region");
  e.scope.partition = text(o, "partition");
  for (const Json& m : messages->as_array()) {
    if (!m.is_object()) return std::nullopt;
    e.messages.push_back({text(m.as_object(), "arn"), text(m.as_object(), "body")});
  }
  if (const Json* eb = o.if_contains("eventBridge"); eb && eb->is_object()) e.eventBridge = *eb;
  return e;
}

const Json* notificationConfig(const BucketRecord& b) {
  const Json* config =
      b.config.is_object() ? b.config.as_object().if_contains("Notification") : nullptr;
  return config && config->is_object() ? config : nullptr;
}

}  // namespace

NotificationOutbox::NotificationOutbox(const OperationRegistry& registry,
                                       store::sqlite::SqliteStore& store, IdGenerator& ids)
    : registry_(registry), ids_(ids), pending_(&store, "s3_pending") {}

bool NotificationOutbox::configured(const BucketRecord& bucket) {
  return notificationConfig(bucket) != nullptr;
}

std::optional<OutgoingEvent> NotificationOutbox::resolve(const BucketRecord& bucket,
                                                         const BucketEvent& event) {
  const Json* config = notificationConfig(bucket);
  if (!config) return std::nullopt;
  Json ignored;
  auto settings = parseNotifications(
      *config, [] { return std::string(); }, ignored);
  if (!settings) return std::nullopt;
  OutgoingEvent out;
  out.scope = event.scope;
  for (const auto& t : settings->targets) {
    if (!notificationMatches(t, event.name, event.key)) continue;
    if (t.kind == "LambdaFunction" && !registry_.has("lambda", "Invoke")) continue;
    out.messages.push_back({t.arn, toJsonText(s3EventMessage(event, t.id, bucket.owner))});
  }
  if (settings->eventBridge) out.eventBridge = eventBridgeEntry(event);
  if (out.messages.empty() && out.eventBridge.is_null()) return std::nullopt;
  out.id = ids_.uuid();
  return out;
}

Result<void> NotificationOutbox::store(store::sqlite::Database& db,
                                       const std::vector<OutgoingEvent>& events) const {
  std::vector<PendingDeliveries::Row> rows;
  rows.reserve(events.size());
  for (const auto& e : events) rows.push_back({e.id, toDocument(e)});
  return pending_.insert(db, rows);
}

void NotificationOutbox::deliver(std::vector<OutgoingEvent> events) {
  for (auto& e : events) deliverOne(std::move(e));
}

void NotificationOutbox::deliverOne(OutgoingEvent event) {
  CallContext ctx;
  ctx.scope = event.scope;
  ctx.requestId = ids_.uuid();
  size_t count = event.messages.size() + (event.eventBridge.is_null() ? 0 : 1);
  // The row is finished when the last of its deliveries answers (a copy of
  // pending_ shares its state, so a late answer never outlives it).
  auto left = std::make_shared<std::atomic<size_t>>(count);
  auto answered = [pending = std::make_shared<PendingDeliveries>(pending_), left, id = event.id] {
    if (left->fetch_sub(1) == 1) pending->finish(id);
  };
  for (const auto& m : event.messages) {
    bool sent = sendToResource(
        registry_, ctx, m.arn, m.body, Json(nullptr), [arn = m.arn, answered](Result<Json> r) {
          if (!r) {
            std::cerr << "s3: notification to " << arn << " failed: " << r.error().message << "\n";
          }
          answered();
        });
    if (!sent) answered();  // no service for that ARN: nothing will ever answer
  }
  if (!event.eventBridge.is_null()) {
    JsonObject in{{"Entries", JsonArray{std::move(event.eventBridge)}}};
    registry_.call("events", "PutEvents", in, ctx, [answered](Result<Json>) { answered(); });
  }
}

Result<void> NotificationOutbox::resume() {
  auto rows = pending_.scan();
  if (!rows) return rows.error();
  std::vector<OutgoingEvent> events;
  for (const auto& row : *rows) {
    auto e = fromDocument(row.id, row.doc);
    if (!e) {
      std::cerr << "s3: dropping unreadable pending event " << row.id << "\n";
      pending_.finish(row.id);
      continue;
    }
    events.push_back(std::move(*e));
  }
  deliver(std::move(events));
  return {};
}

}  // namespace sluice::services::s3
