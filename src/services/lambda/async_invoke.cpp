// Event invocations: stored before the 202, run when due, retried after a
// function error (1 minute, then 2 minutes later, on the server's clock), put
// back when there is no capacity (failed at once when reserved concurrency is
// 0, as Lambda does since 2021), and ended by their invoke configuration:
// an invocation record to the OnSuccess/OnFailure destination (SQS, SNS, a
// function or an event bus) and the payload to the DeadLetterConfig target.
#include "core/json.hpp"
#include "services/common/target_delivery.hpp"
#include "services/lambda/lambda_service.hpp"

namespace sluice::services::lambda {

namespace {

constexpr auto kFirstRetryDelay = std::chrono::minutes(1);
constexpr auto kMaxThrottleDelay = std::chrono::minutes(5);

std::string destinationOf(const Json& config, std::string_view which) {
  const Json* dc =
      config.is_object() ? config.as_object().if_contains("DestinationConfig") : nullptr;
  if (!dc || !dc->is_object()) return {};
  const Json* d = dc->as_object().if_contains(which);
  if (!d || !d->is_object()) return {};
  const Json* arn = d->as_object().if_contains("Destination");
  return arn && arn->is_string() ? std::string(arn->get_string()) : std::string();
}

// A payload as the record carries it: JSON when it parses, else a string.
Json asJson(const std::string& text) {
  if (auto v = parseJson(text)) return std::move(*v);
  return Json(text);
}

}  // namespace

void LambdaService::acceptEvent(AsyncEvent e, Reply reply) {
  Change change(Json(JsonObject{{"StatusCode", 202}}));
  storeAsyncEvent(change.batch, e);
  docs_.commit(std::move(change.batch),
               [this, e = std::move(e), reply = std::move(reply)](Result<void> r) mutable {
                 if (!r) return reply(r.error());
                 armEvent(std::move(e));
                 reply(Json(JsonObject{{"StatusCode", 202}}));
               });
}

void LambdaService::armEvent(AsyncEvent e) {
  engine_.loop.post([this, e = std::move(e)]() mutable {
    TimePoint at = e.dueAt;
    engine_.loop.schedule(at, [this, e = std::move(e)]() mutable { runEvent(std::move(e)); });
  });
}

void LambdaService::runEvent(AsyncEvent e) {
  AsyncSettings settings;
  SandboxConfig config;
  InvokeRequest request;
  {
    std::lock_guard lock(mu_);
    auto f = find(e.scope, {e.function, e.qualifier});
    std::string qualifier = e.qualifier.empty() ? "$LATEST" : e.qualifier;
    auto v =
        f ? resolveVersion(e.scope, **f, qualifier) : Result<const FunctionVersion*>(f.error());
    auto c = v ? sandboxConfig(e.scope, **f, **v) : Result<SandboxConfig>(v.error());
    if (!invoker_) return;  // shutting down: the stored row runs after the restart
    if (!c) {
      // The function (or the version) is gone: AWS discards the event.
      DocumentBatch batch;
      eraseAsyncEvent(batch, e.requestId);
      docs_.commit(std::move(batch), [](Result<void>) {});
      return;
    }
    config = std::move(*c);
    if (auto it = (*f)->eventInvokeConfigs.find(qualifier); it != (*f)->eventInvokeConfigs.end()) {
      const JsonObject& o = it->second.as_object();
      if (const Json* n = o.if_contains("MaximumRetryAttempts"); n && n->is_number()) {
        settings.maxRetries = n->to_number<int64_t>();
      }
      if (const Json* n = o.if_contains("MaximumEventAgeInSeconds"); n && n->is_number()) {
        settings.maxAgeSeconds = n->to_number<int64_t>();
      }
      settings.onSuccess = destinationOf(it->second, "OnSuccess");
      settings.onFailure = destinationOf(it->second, "OnFailure");
    }
    if (const Json* dlc = (*v)->config.as_object().if_contains("DeadLetterConfig");
        dlc && dlc->is_object()) {
      if (const Json* t = dlc->as_object().if_contains("TargetArn"); t && t->is_string()) {
        settings.deadLetter = t->get_string();
      }
    }
    request.invokedArn =
        arn::lambdaFunction(e.scope, e.function) + (e.qualifier.empty() ? "" : ":" + e.qualifier);
  }
  request.requestId = e.requestId;
  request.payload = e.payload;
  if (config.reservedConcurrency && *config.reservedConcurrency == 0) {
    // A function throttled to zero: since 2021 Lambda sends its events to the
    // failure destination and dead-letter queue at once instead of retrying.
    return finishEvent(e, settings, "RetriesExhausted", nullptr, true);
  }
  // The attempt is the server's work until it is settled: /_sluice/idle and
  // clock advances wait for it, as for any job they set off.
  engine_.loop.beginJob();
  invoker_->invoke(config, std::move(request),
                   [this, e = std::move(e), settings](Result<InvokeResult> r) mutable {
                     engine_.loop.post([this, e = std::move(e), settings = std::move(settings),
                                        r = std::move(r)]() mutable {
                       settleEvent(std::move(e), std::move(settings), std::move(r));
                       engine_.loop.endJob();
                     });
                   });
}

void LambdaService::settleEvent(AsyncEvent e, AsyncSettings settings, Result<InvokeResult> r) {
  TimePoint now = clock_.now();
  TimePoint expires = e.firstAt + std::chrono::seconds(settings.maxAgeSeconds);
  Duration delay;
  if (!r) {
    // No capacity (reserved concurrency) or no sandbox: put back, backing off.
    ++e.throttles;
    delay = std::min<Duration>(
        std::chrono::seconds(int64_t(1) << std::min<int64_t>(e.throttles, 9)), kMaxThrottleDelay);
    if (now + delay > expires) return finishEvent(e, settings, "EventAgeExceeded", nullptr);
  } else {
    ++e.attempts;
    if (r->functionError.empty()) return finishEvent(e, settings, "Success", &*r);
    if (e.attempts > settings.maxRetries) {
      return finishEvent(e, settings, "RetriesExhausted", &*r);
    }
    delay = kFirstRetryDelay * e.attempts;
    if (now + delay > expires) return finishEvent(e, settings, "EventAgeExceeded", &*r);
  }
  e.dueAt = now + delay;
  DocumentBatch batch;
  storeAsyncEvent(batch, e);
  docs_.commit(std::move(batch), [this, e](Result<void> stored) mutable {
    if (stored) armEvent(std::move(e));
  });
}

void LambdaService::finishEvent(const AsyncEvent& e, const AsyncSettings& settings,
                                const std::string& condition, const InvokeResult* r,
                                bool throttled) {
  bool success = condition == "Success";
  std::string destination = success ? settings.onSuccess : settings.onFailure;
  CallContext ctx;
  ctx.scope = e.scope;
  auto ignore = [](Result<Json>) {};
  if (!destination.empty()) {
    std::string functionArn = arn::lambdaFunction(e.scope, e.function) + ":" +
                              (e.qualifier.empty() ? "$LATEST" : e.qualifier);
    JsonObject response{{"statusCode", throttled ? 429 : 200}};
    if (r) {
      response["executedVersion"] = r->executedVersion;
      if (!r->functionError.empty()) response["functionError"] = r->functionError;
    }
    JsonObject record{{"version", "1.0"},
                      {"timestamp", formatIso8601(clock_.now())},
                      {"requestContext", JsonObject{{"requestId", e.requestId},
                                                    {"functionArn", functionArn},
                                                    {"condition", condition},
                                                    {"approximateInvokeCount", e.attempts}}},
                      {"requestPayload", asJson(e.payload)},
                      {"responseContext", std::move(response)}};
    if (r) record["responsePayload"] = asJson(r->payload);
    std::string text = toJsonText(record);
    if (arnPart(destination, 2) == "events") {
      JsonObject entry{{"Source", "lambda"},
                       {"DetailType", success ? "Lambda Function Invocation Result - Success"
                                              : "Lambda Function Invocation Result - Failure"},
                       {"Detail", text},
                       {"EventBusName", destination},
                       {"Resources", JsonArray{destination, functionArn}}};
      registry_.call("events", "PutEvents", JsonObject{{"Entries", JsonArray{std::move(entry)}}},
                     ctx, ignore);
    } else {
      sendToResource(registry_, ctx, destination, text, Json(nullptr), ignore);
    }
  }
  if (!success && !settings.deadLetter.empty()) {
    // The dead-letter queue gets the event itself, with why it failed.
    std::string message = throttled ? "Rate Exceeded." : condition;
    if (r) {
      if (auto err = parseJson(r->payload); err && err->is_object()) {
        if (const Json* m = err->as_object().if_contains("errorMessage"); m && m->is_string()) {
          message = m->get_string();
        }
      }
    }
    auto attribute = [](std::string type, std::string value) {
      return JsonObject{{"DataType", std::move(type)}, {"StringValue", std::move(value)}};
    };
    JsonObject attributes{{"RequestID", attribute("String", e.requestId)},
                          {"ErrorCode", attribute("Number", throttled ? "429" : "200")},
                          {"ErrorMessage", attribute("String", message)}};
    sendToResource(registry_, ctx, settings.deadLetter, e.payload,
                   JsonObject{{"MessageAttributes", std::move(attributes)}}, ignore);
  }
  DocumentBatch batch;
  eraseAsyncEvent(batch, e.requestId);
  docs_.commit(std::move(batch), [](Result<void>) {});
}

}  // namespace sluice::services::lambda
