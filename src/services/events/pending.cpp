// Deliveries in flight: every (event, target) delivery that PutEvents or a
// scheduled rule sets off is stored (events_pending) before the call answers
// and deleted once it is over — delivered, dead-lettered or dropped. On start
// the rows a crash left are delivered again (at-least-once, as on AWS);
// their retry count starts over, their age still counts from the first try.
#include <iostream>

#include "services/events/events_service.hpp"

namespace sluice::services::events {

namespace {

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

Json toDocument(const Delivery& d) {
  JsonObject o;
  o["account"] = d.scope.account;
  o["region"] = d.scope.region;
  o["partition"] = d.scope.partition;
  o["ruleArn"] = d.ruleArn;
  o["target"] = d.target;
  o["event"] = d.event;
  o["input"] = d.input;
  o["firstTry"] = toEpochMicros(d.firstTry);
  return o;
}

std::optional<Delivery> fromDocument(const std::string& id, const Json& doc) {
  if (!doc.is_object()) return std::nullopt;
  const JsonObject& o = doc.as_object();
  const Json* target = o.if_contains("target");
  const Json* event = o.if_contains("event");
  const Json* first = o.if_contains("firstTry");
  if (!target || !target->is_object() || !target->as_object().contains("Arn") || !event ||
      !event->is_object() || !first || !first->is_int64()) {
    return std::nullopt;
  }
  Delivery d;
  d.pendingId = id;
  d.scope.account = text(o, "account");
  d.scope.region = text(o, "region");
  d.scope.partition = text(o, "partition");
  d.ruleArn = text(o, "ruleArn");
  d.target = *target;
  d.event = *event;
  d.input = text(o, "input");
  d.firstTry = fromEpochMicros(first->get_int64());
  return d;
}

}  // namespace

void EventsService::deliverAfterCommit(std::vector<Delivery> deliveries,
                                       std::function<void(Result<void>)> stored) {
  std::vector<PendingDeliveries::Row> rows;
  rows.reserve(deliveries.size());
  for (Delivery& d : deliveries) {
    d.pendingId = engine_.ids.uuid();
    rows.push_back({d.pendingId, toJsonText(toDocument(d))});
  }
  auto shared = std::make_shared<std::vector<Delivery>>(std::move(deliveries));
  pending_.add(std::move(rows), [this, shared, stored = std::move(stored)](Result<void> r) mutable {
    bool ok = r.ok();
    stored(std::move(r));
    if (!ok) return;  // not acknowledged: nothing to deliver
    // Off the writer thread: a target's operation may wait for a commit.
    engine_.loop.post([this, shared] {
      for (Delivery& d : *shared) deliver(std::move(d));
    });
  });
}

Result<void> EventsService::resumePending() {
  auto rows = pending_.scan();
  if (!rows) return rows.error();
  auto resumed = std::make_shared<std::vector<Delivery>>();
  for (const auto& row : *rows) {
    auto doc = parseJson(row.doc);
    auto d = doc ? fromDocument(row.id, *doc) : std::nullopt;
    if (!d) {
      std::cerr << "events: dropping unreadable pending delivery " << row.id << "\n";
      pending_.finish(row.id);
      continue;
    }
    resumed->push_back(std::move(*d));
  }
  if (resumed->empty()) return {};
  // Runs once the loop starts, after every service is registered.
  engine_.loop.post([this, resumed] {
    for (Delivery& d : *resumed) deliver(std::move(d));
  });
  return {};
}

}  // namespace sluice::services::events
