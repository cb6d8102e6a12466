// PutEvents, routing events to rules, and delivering them to targets.
#include <algorithm>
#include <cmath>

#include "services/common/input.hpp"
#include "services/common/target_delivery.hpp"
#include "services/events/events_service.hpp"

namespace sluice::services::events {

namespace {

constexpr size_t kMaxRequestBytes = 256 * 1024;
constexpr int kDefaultRetries = 185;
constexpr int64_t kDefaultMaxAgeSeconds = 86400;

JsonObject entryError(std::string code, std::string message) {
  JsonObject o;
  o["ErrorCode"] = std::move(code);
  o["ErrorMessage"] = std::move(message);
  return o;
}

const Json* member(const Json& o, std::string_view key) {
  const Json* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

}  // namespace

Result<Json> EventsService::putEvents(const Json& in, const CallContext& ctx,
                                      std::vector<Delivery>& out) {
  const Json* entries = Input(in).get("Entries");
  if (!entries || !entries->is_array()) return missingMember("entries");
  size_t total = 0;
  for (const Json& e : entries->as_array()) {
    for (const char* f : {"Source", "DetailType", "Detail"}) {
      if (const Json* v = member(e, f); v && v->is_string()) total += v->as_string().size();
    }
    if (member(e, "Time")) total += 14;
    if (const Json* res = member(e, "Resources")) {
      for (const Json& r : res->as_array()) total += r.as_string().size();
    }
  }
  if (total > kMaxRequestBytes) {
    return AwsError::validation("Total size of the entries in the request is over the limit.");
  }
  JsonArray results;
  size_t failed = 0;
  TimePoint now = clock_.now();
  for (const Json& e : entries->as_array()) {
    auto field = [&](const char* name) -> std::optional<std::string> {
      const Json* v = member(e, name);
      if (!v || !v->is_string() || v->as_string().empty()) return std::nullopt;
      return std::string(v->as_string());
    };
    auto source = field("Source");
    auto detailType = field("DetailType");
    auto detailText = field("Detail");
    JsonObject result;
    std::optional<Json> detail = detailText ? parseJson(*detailText) : std::nullopt;
    auto bus = findBus(ctx.scope, member(e, "EventBusName"));
    if (!source) {
      result = entryError("InvalidArgument",
                          "Parameter Source is not valid. Reason: Source is a required argument.");
    } else if (!detailType) {
      result = entryError(
          "InvalidArgument",
          "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
    } else if (!detailText) {
      result = entryError("InvalidArgument",
                          "Parameter Detail is not valid. Reason: Detail is a required argument.");
    } else if (!detail || !detail->is_object()) {
      result = entryError("MalformedDetail", "Detail is malformed.");
    } else if (!bus) {
      result = entryError("ResourceNotFoundException", bus.error().message);
    }
    if (!result.empty()) {
      ++failed;
      results.emplace_back(std::move(result));
      continue;
    }
    TimePoint time = now;
    if (const Json* t = member(e, "Time"); t && isNumber(*t)) time = fromSeconds(toDouble(*t));
    JsonObject event;
    std::string id = engine_.ids.uuid();
    event["version"] = "0";
    event["id"] = id;
    event["detail-type"] = *detailType;
    event["source"] = *source;
    event["account"] = ctx.scope.account;
    event["time"] = eventTime(time);
    event["region"] = ctx.scope.region;
    JsonArray resources;
    if (const Json* res = member(e, "Resources")) resources = res->as_array();
    event["resources"] = std::move(resources);
    event["detail"] = std::move(*detail);
    auto routed = route(ctx.scope, (*bus)->name, event);
    out.insert(out.end(), std::make_move_iterator(routed.begin()),
               std::make_move_iterator(routed.end()));
    result["EventId"] = id;
    results.emplace_back(std::move(result));
  }
  JsonObject res;
  res["FailedEntryCount"] = failed;
  res["Entries"] = std::move(results);
  return Json(std::move(res));
}

std::vector<Delivery> EventsService::route(const Scope& scope, const std::string& bus,
                                           const Json& event) {
  std::vector<Delivery> out;
  auto& rules = rulesOf(scope);
  for (auto it = rules.lower_bound(bus + "\n"); it != rules.end() && it->second.bus == bus; ++it) {
    const RuleRecord& r = it->second;
    if (!r.enabled() || !r.pattern || !r.pattern->matches(event)) continue;
    auto ds = deliveriesFor(scope, r, event);
    out.insert(out.end(), std::make_move_iterator(ds.begin()), std::make_move_iterator(ds.end()));
  }
  return out;
}

std::vector<Delivery> EventsService::deliveriesFor(const Scope& scope, const RuleRecord& rule,
                                                   const Json& event) {
  std::vector<Delivery> out;
  std::string arn = ruleArn(scope, rule);
  for (const Json& t : rule.targets) {
    auto input = targetInput(t, event, arn, rule.name, clock_.now());
    if (!input) continue;  // checked at PutTargets; a bad path selects nothing
    Delivery d;
    d.scope = scope;
    d.ruleArn = arn;
    d.target = t;
    d.event = event;
    d.input = std::move(*input);
    d.firstTry = clock_.now();
    out.push_back(std::move(d));
  }
  return out;
}

void EventsService::callTarget(const Delivery& d, std::function<void(Result<Json>)> done) {
  std::string arn(d.target.at("Arn").as_string());
  std::string service = arnPart(arn, 2);
  CallContext ctx;
  ctx.scope = d.scope;
  ctx.requestId = engine_.ids.uuid();
  auto unsupported = [&] {
    done(AwsError{"UnsupportedTarget", "Sluice cannot deliver to " + arn + ".", 400});
  };
  Json sqsParameters = d.target.is_object() && d.target.as_object().contains("SqsParameters")
                           ? d.target.at("SqsParameters")
                           : Json(nullptr);
  if (service != "events") {
    if (!sendToResource(registry_, ctx, arn, d.input, sqsParameters, done)) unsupported();
    return;
  }
  // Another bus: the event goes on as one PutEvents entry.
  JsonObject in;
  auto at = arn.find(":event-bus/");
  if (at == std::string::npos) return unsupported();
  const JsonObject& e = d.event.as_object();
  JsonObject entry;
  entry["Source"] = e.at("source");
  entry["DetailType"] = e.at("detail-type");
  entry["Detail"] = toJsonText(e.at("detail"));
  entry["Resources"] = e.at("resources");
  entry["EventBusName"] = arn;
  in["Entries"] = JsonArray{Json(std::move(entry))};
  return registry_.call("events", "PutEvents", in, ctx, [done = std::move(done)](Result<Json> r) {
    if (r && r->at("FailedEntryCount").to_number<int64_t>() > 0) {
      return done(AwsError{"FailedEntry", toJsonText(*r), 400});
    }
    done(std::move(r));
  });
}

void EventsService::deliver(Delivery d) {
  ++d.attempt;
  callTarget(d, [this, d](Result<Json> r) mutable {
    if (!r) return retryLater(std::move(d), r.error());
    pending_.finish(d.pendingId);
  });
}

void EventsService::retryLater(Delivery d, const AwsError& error) {
  int maxRetries = kDefaultRetries;
  int64_t maxAge = kDefaultMaxAgeSeconds;
  if (const Json* policy = member(d.target, "RetryPolicy")) {
    if (const Json* n = member(*policy, "MaximumRetryAttempts"))
      maxRetries = static_cast<int>(toDouble(*n));
    if (const Json* a = member(*policy, "MaximumEventAgeInSeconds"))
      maxAge = static_cast<int64_t>(toDouble(*a));
  }
  // Exponential backoff with a one-minute ceiling.
  auto delay = std::chrono::seconds(std::min<int64_t>(60, int64_t{1} << std::min(d.attempt, 6)));
  TimePoint at = clock_.now() + delay;
  if (d.attempt > maxRetries || at - d.firstTry > std::chrono::seconds(maxAge)) {
    return deadLetter(d, error);
  }
  engine_.loop.post([this, d = std::move(d), at]() mutable {
    engine_.loop.schedule(at, [this, d = std::move(d)]() mutable { deliver(std::move(d)); });
  });
}

void EventsService::deadLetter(const Delivery& d, const AwsError& error) {
  const Json* dlq = member(d.target, "DeadLetterConfig");
  const Json* arn = dlq ? member(*dlq, "Arn") : nullptr;
  if (!arn || !arn->is_string()) {
    return pending_.finish(d.pendingId);  // dropped, as AWS drops it without a DLQ
  }
  Delivery dead = d;
  JsonObject target;
  target["Id"] = "dead-letter";
  target["Arn"] = *arn;
  dead.target = std::move(target);
  // The DLQ receives the event itself (AWS adds the error as message attributes).
  dead.input = toJsonText(d.event);
  (void)error;
  callTarget(dead, [this, id = d.pendingId](Result<Json>) { pending_.finish(id); });
}

}  // namespace sluice::services::events
