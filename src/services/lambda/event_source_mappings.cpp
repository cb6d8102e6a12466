// Create/Get/Update/Delete/ListEventSourceMappings for SQS queues. A mapping
// is a document in lambda_event_source_mappings (its API shape without the
// State); an enabled mapping has a running SqsPoller while the runtime runs.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/target_delivery.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/lambda/marker_page.hpp"

namespace sluice::services::lambda {

namespace {

constexpr std::string_view kTable = "lambda_event_source_mappings";

AwsError invalid(std::string message) {
  return {"InvalidParameterValueException", std::move(message), 400};
}

AwsError mappingNotFound(const std::string& uuid) {
  return {"ResourceNotFoundException",
          "The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
          "Request ID: " +
              uuid + ")",
          404};
}

bool isFifo(const std::string& queueArn) {
  return queueArn.size() > 5 && queueArn.ends_with(".fifo");
}

// The checked FilterCriteria's patterns.
Result<std::vector<events::EventPattern>> readFilters(const Json& criteria) {
  std::vector<events::EventPattern> out;
  if (!criteria.is_object()) return out;
  const Json* filters = criteria.as_object().if_contains("Filters");
  if (!filters || !filters->is_array()) return out;
  for (const Json& f : filters->as_array()) {
    const Json* pattern = f.is_object() ? f.as_object().if_contains("Pattern") : nullptr;
    if (!pattern || !pattern->is_string()) continue;
    auto parsed = events::EventPattern::parse(std::string(pattern->get_string()));
    if (!parsed) return invalid("Invalid filter pattern definition.");
    out.push_back(std::move(*parsed));
  }
  return out;
}

// Applies the settable members of Create/UpdateEventSourceMapping to `doc`.
Result<void> readMappingSettings(const Json& in, JsonObject& doc) {
  Input input(in);
  auto batch = input.optionalInt("BatchSize");
  if (!batch) return batch.error();
  auto window = input.optionalInt("MaximumBatchingWindowInSeconds");
  if (!window) return window.error();
  if (*batch) doc["BatchSize"] = **batch;
  if (*window) doc["MaximumBatchingWindowInSeconds"] = **window;
  if (const Json* f = input.get("FilterCriteria"); f && !f->is_null()) {
    auto filters = readFilters(*f);
    if (!filters) return filters.error();
    doc["FilterCriteria"] = *f;
  }
  if (const Json* t = input.get("FunctionResponseTypes"); t && t->is_array()) {
    doc["FunctionResponseTypes"] = *t;
  }
  if (const Json* s = input.get("ScalingConfig"); s && s->is_object()) doc["ScalingConfig"] = *s;
  std::string arn = doc.contains("EventSourceArn")
                        ? std::string(doc.at("EventSourceArn").get_string())
                        : std::string();
  int64_t size = doc.at("BatchSize").to_number<int64_t>();
  int64_t win = doc.at("MaximumBatchingWindowInSeconds").to_number<int64_t>();
  if (isFifo(arn) && size > 10) {
    return invalid("BatchSize must be less than or equal to 10 for FIFO queues.");
  }
  if (size > 10000) return invalid("BatchSize must be less than or equal to 10000.");
  if (size > 10 && win < 1) {
    return invalid(
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
        "than 10");
  }
  return {};
}

Json withState(const JsonObject& doc, std::string state) {
  JsonObject out = doc;
  out["State"] = std::move(state);
  out["StateTransitionReason"] = "USER_INITIATED";
  TimePoint modified(Duration(out.at("LastModified").to_number<int64_t>()));
  out["LastModified"] = epochSeconds(modified);
  return out;
}

bool enabled(const JsonObject& doc) {
  const Json* e = doc.if_contains("Enabled");
  return !e || !e->is_bool() || e->get_bool();
}

}  // namespace

Result<Change> LambdaService::createEventSourceMapping(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto source = input.requiredString("EventSourceArn");
  if (!source) return source.error();
  auto name = input.requiredString("FunctionName");
  if (!name) return name.error();
  if (arnPart(*source, 2) != "sqs") {
    return invalid("Sluice runs event source mappings for SQS queues only; " + *source +
                   " is not an SQS queue ARN.");
  }
  auto ref = parseFunctionName(*name);
  if (!ref) return ref.error();
  auto f = find(ctx.scope, *ref);
  if (!f) return f.error();
  if (!ref->qualifier.empty() && !(*f)->findVersion(ref->qualifier) &&
      !(*f)->aliases.count(ref->qualifier)) {
    return AwsError{
        "ResourceNotFoundException",
        "Function not found: " + arn::lambdaFunction(ctx.scope, ref->name) + ":" + ref->qualifier,
        404};
  }
  for (const auto& [uuid, m] : mappings_) {
    const JsonObject& o = m.as_object();
    if (o.at("EventSourceArn") == Json(*source) &&
        o.at("FunctionArn") == Json(arn::lambdaFunction(ctx.scope, ref->name) +
                                    (ref->qualifier.empty() ? "" : ":" + ref->qualifier))) {
      return AwsError{"ResourceConflictException",
                      "An event source mapping with SQS arn (\" " + *source +
                          " \") and function (\" " + ref->name +
                          " \") already exists. Please "
                          "update or delete the existing mapping with UUID " +
                          uuid,
                      409};
    }
  }
  std::string uuid = engine_.ids.uuid();
  JsonObject doc{{"UUID", uuid},
                 {"EventSourceArn", *source},
                 {"FunctionArn", arn::lambdaFunction(ctx.scope, ref->name) +
                                     (ref->qualifier.empty() ? "" : ":" + ref->qualifier)},
                 {"BatchSize", 10},
                 {"MaximumBatchingWindowInSeconds", 0},
                 {"FunctionResponseTypes", JsonArray{}},
                 {"EventSourceMappingArn", "arn:aws:lambda:" + ctx.scope.region + ":" +
                                               ctx.scope.account + ":event-source-mapping:" + uuid},
                 {"LastModified", clock_.now().time_since_epoch().count()}};
  if (auto e = input.optionalBool("Enabled"); !e) {
    return e.error();
  } else if (*e) {
    doc["Enabled"] = **e;
  }
  if (auto r = readMappingSettings(in, doc); !r) return r.error();
  Change change(withState(doc, enabled(doc) ? "Creating" : "Disabled"));
  change.batch.put(kTable, ctx.scope, uuid, doc);
  mappings_[uuid] = doc;
  if (enabled(doc)) startPoller(ctx.scope, uuid);
  return change;
}

Result<Change> LambdaService::getEventSourceMapping(const Json& in, const CallContext& ctx) {
  auto uuid = Input(in).requiredString("UUID");
  if (!uuid) return uuid.error();
  auto it = mappings_.find(*uuid);
  if (it == mappings_.end() || !inScope(it->second, ctx.scope)) return mappingNotFound(*uuid);
  const JsonObject& doc = it->second.as_object();
  return Change(withState(doc, enabled(doc) ? "Enabled" : "Disabled"));
}

Result<Change> LambdaService::updateEventSourceMapping(const Json& in, const CallContext& ctx) {
  auto uuid = Input(in).requiredString("UUID");
  if (!uuid) return uuid.error();
  auto it = mappings_.find(*uuid);
  if (it == mappings_.end() || !inScope(it->second, ctx.scope)) return mappingNotFound(*uuid);
  JsonObject doc = it->second.as_object();
  Input input(in);
  if (auto name = input.optionalString("FunctionName"); !name) {
    return name.error();
  } else if (*name) {
    auto ref = parseFunctionName(**name);
    if (!ref) return ref.error();
    if (auto f = find(ctx.scope, *ref); !f) return f.error();
    doc["FunctionArn"] = arn::lambdaFunction(ctx.scope, ref->name) +
                         (ref->qualifier.empty() ? "" : ":" + ref->qualifier);
  }
  if (auto e = input.optionalBool("Enabled"); !e) {
    return e.error();
  } else if (*e) {
    doc["Enabled"] = **e;
  }
  if (auto r = readMappingSettings(in, doc); !r) return r.error();
  doc["LastModified"] = clock_.now().time_since_epoch().count();
  stopPoller(*uuid);
  bool on = enabled(doc);
  Change change(withState(doc, on ? "Updating" : "Disabling"));
  change.batch.put(kTable, ctx.scope, *uuid, doc);
  it->second = std::move(doc);
  if (on) startPoller(ctx.scope, *uuid);
  return change;
}

Result<Change> LambdaService::deleteEventSourceMapping(const Json& in, const CallContext& ctx) {
  auto uuid = Input(in).requiredString("UUID");
  if (!uuid) return uuid.error();
  auto it = mappings_.find(*uuid);
  if (it == mappings_.end() || !inScope(it->second, ctx.scope)) return mappingNotFound(*uuid);
  stopPoller(*uuid);
  Change change(withState(it->second.as_object(), "Deleting"));
  change.batch.erase(kTable, ctx.scope, *uuid);
  mappings_.erase(it);
  return change;
}

Result<Change> LambdaService::listEventSourceMappings(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto source = input.optionalString("EventSourceArn");
  if (!source) return source.error();
  auto name = input.optionalString("FunctionName");
  if (!name) return name.error();
  std::string functionArn;
  if (*name) {
    auto ref = parseFunctionName(**name);
    if (!ref) return ref.error();
    functionArn = arn::lambdaFunction(ctx.scope, ref->name) +
                  (ref->qualifier.empty() ? "" : ":" + ref->qualifier);
  }
  auto page = MarkerPage::read(in, 100);
  if (!page) return page.error();
  size_t limit = page->limit;
  const std::string& after = page->after;
  JsonArray out;
  std::string last;
  bool more = false;
  for (const auto& [uuid, m] : mappings_) {
    const JsonObject& doc = m.as_object();
    if (!inScope(m, ctx.scope)) continue;
    if (*source && doc.at("EventSourceArn") != Json(**source)) continue;
    if (!functionArn.empty() && doc.at("FunctionArn") != Json(functionArn)) continue;
    if (!after.empty() && uuid <= after) continue;
    if (out.size() == limit) {
      more = true;
      break;
    }
    out.push_back(withState(doc, enabled(doc) ? "Enabled" : "Disabled"));
    last = uuid;
  }
  JsonObject r{{"EventSourceMappings", std::move(out)}};
  if (more) r["NextMarker"] = MarkerPage::next(last);
  return Change(Json(std::move(r)));
}

bool LambdaService::inScope(const Json& mapping, const Scope& scope) const {
  const std::string arn(mapping.as_object().at("FunctionArn").get_string());
  return arnPart(arn, 3) == scope.region && arnPart(arn, 4) == scope.account;
}

void LambdaService::startPoller(const Scope& scope, const std::string& uuid) {
  if (!invoker_) return;  // started with the runtime
  const JsonObject& doc = mappings_.at(uuid).as_object();
  PollerSettings s;
  s.uuid = uuid;
  s.scope = scope;
  s.queueArn = doc.at("EventSourceArn").get_string();
  s.batchSize = doc.at("BatchSize").to_number<int64_t>();
  s.windowSeconds = doc.at("MaximumBatchingWindowInSeconds").to_number<int64_t>();
  s.slots = 2;
  if (const Json* sc = doc.if_contains("ScalingConfig"); sc && sc->is_object()) {
    if (const Json* m = sc->as_object().if_contains("MaximumConcurrency"); m && m->is_number()) {
      s.slots = static_cast<int>(std::min<int64_t>(m->to_number<int64_t>(), 16));
    }
  }
  if (const Json* t = doc.if_contains("FunctionResponseTypes"); t && t->is_array()) {
    for (const Json& v : t->as_array()) {
      s.reportItemFailures = s.reportItemFailures || v == Json("ReportBatchItemFailures");
    }
  }
  if (const Json* f = doc.if_contains("FilterCriteria")) s.filters = *readFilters(*f);
  std::string functionArn(doc.at("FunctionArn").get_string());
  auto run = [this, scope, functionArn](const std::string& event,
                                        std::function<void(Result<BatchResult>)> done) {
    runMappingBatch(scope, functionArn, event, std::move(done));
  };
  auto poller = std::make_shared<SqsPoller>(std::move(s), registry_, engine_.loop, run);
  pollers_[uuid] = poller;
  poller->start();
}

void LambdaService::stopPoller(const std::string& uuid) {
  auto it = pollers_.find(uuid);
  if (it == pollers_.end()) return;
  it->second->stop();
  pollers_.erase(it);
}

void LambdaService::runMappingBatch(const Scope& scope, const std::string& functionArn,
                                    const std::string& event,
                                    std::function<void(Result<BatchResult>)> done) {
  SandboxConfig config;
  InvokeRequest request;
  {
    std::lock_guard lock(mu_);
    auto ref = parseFunctionName(functionArn);
    auto f = ref ? find(scope, *ref) : Result<FunctionRecord*>(ref.error());
    if (!f || !invoker_) return done(f ? AwsError::internal("no runtime") : f.error());
    auto v = resolveVersion(scope, **f, ref->qualifier.empty() ? "$LATEST" : ref->qualifier);
    if (!v) return done(v.error());
    auto c = sandboxConfig(scope, **f, **v);
    if (!c) return done(c.error());
    config = std::move(*c);
    request.invokedArn = functionArn;
  }
  request.requestId = engine_.ids.uuid();
  request.payload = event;
  invoker_->invoke(config, std::move(request), [done](Result<InvokeResult> r) {
    if (!r) return done(r.error());
    done(BatchResult{std::move(r->payload), !r->functionError.empty()});
  });
}

}  // namespace sluice::services::lambda
