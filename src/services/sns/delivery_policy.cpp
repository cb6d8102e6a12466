#include "services/sns/delivery_policy.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::services::sns {

namespace {

constexpr int kMaxPolicySeconds = 3600;
constexpr int kMaxRetries = 100;

AwsError invalid(const std::string& why) {
  return {"InvalidParameter", "Invalid parameter: DeliveryPolicy: " + why, 400};
}

const JsonObject* objectMember(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// Reads the integer member `key` into `out`; absent keeps the default.
Result<void> readInt(const JsonObject& o, std::string_view key, int& out) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (!isNumber(*v) || std::floor(toDouble(*v)) != toDouble(*v)) {
    return invalid(std::string(key) + " must be a whole number");
  }
  double d = toDouble(*v);
  if (d < 0 || d > 1e6) return invalid(std::string(key) + " is out of range");
  out = static_cast<int>(d);
  return {};
}

Result<RetryPolicy> parseRetryPolicy(const JsonObject& o) {
  RetryPolicy p;
  for (auto [key, field] : {std::pair{"minDelayTarget", &p.minDelayTarget},
                            {"maxDelayTarget", &p.maxDelayTarget},
                            {"numRetries", &p.numRetries},
                            {"numNoDelayRetries", &p.numNoDelayRetries},
                            {"numMinDelayRetries", &p.numMinDelayRetries},
                            {"numMaxDelayRetries", &p.numMaxDelayRetries}}) {
    if (auto r = readInt(o, key, *field); !r) return r.error();
  }
  if (const Json* f = o.if_contains("backoffFunction"); f && !f->is_null()) {
    std::string name = f->is_string() ? std::string(f->get_string()) : "";
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    if (name != "linear" && name != "arithmetic" && name != "geometric" && name != "exponential") {
      return invalid("backoffFunction must be one of linear, arithmetic, geometric, exponential");
    }
    p.backoffFunction = name;
  }
  if (p.minDelayTarget < 1) return invalid("minDelayTarget must be at least 1");
  if (p.minDelayTarget > p.maxDelayTarget) {
    return invalid("minDelayTarget must not exceed maxDelayTarget");
  }
  if (p.maxDelayTarget > kMaxPolicySeconds) {
    return invalid("maxDelayTarget must not exceed 3600");
  }
  if (p.numRetries > kMaxRetries) return invalid("numRetries must not exceed 100");
  if (p.numNoDelayRetries + p.numMinDelayRetries + p.numMaxDelayRetries > p.numRetries) {
    return invalid(
        "numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries");
  }
  long total = 0;
  for (int n = 1; n <= p.numRetries; ++n) total += p.delayBefore(n).count();
  if (total > kMaxPolicySeconds) {
    return invalid("the retries would take " + std::to_string(total) +
                   " seconds, more than the 3600 allowed");
  }
  return p;
}

Result<std::string> parseContentType(const JsonObject& request) {
  const Json* v = request.if_contains("headerContentType");
  if (!v || v->is_null()) return std::string("text/plain; charset=UTF-8");
  std::string type = v->is_string() ? std::string(v->get_string()) : "";
  std::string media = type.substr(0, type.find(';'));
  if (media != "text/plain" && media != "application/json" && media != "application/xml") {
    return invalid("headerContentType must be text/plain, application/json or application/xml");
  }
  return type;
}

Result<JsonObject> parseObject(const std::string& text) {
  auto doc = parseJson(text);
  if (!doc || !doc->is_object()) return invalid("failed to parse JSON");
  return doc->get_object();
}

struct TopicPolicy {
  HttpDeliveryPolicy http;
  bool disableOverrides = false;
};

Result<TopicPolicy> parseTopicPolicy(const std::string& text) {
  TopicPolicy out;
  if (text.empty()) return out;
  auto o = parseObject(text);
  if (!o) return o.error();
  const JsonObject* http = objectMember(*o, "http");
  if (!http) return out;
  if (const JsonObject* retry = objectMember(*http, "defaultHealthyRetryPolicy")) {
    auto p = parseRetryPolicy(*retry);
    if (!p) return p.error();
    out.http.retry = *p;
  }
  if (const JsonObject* request = objectMember(*http, "defaultRequestPolicy")) {
    auto type = parseContentType(*request);
    if (!type) return type.error();
    out.http.contentType = *type;
  }
  if (const Json* d = http->if_contains("disableSubscriptionOverrides"); d && d->is_bool()) {
    out.disableOverrides = d->get_bool();
  }
  return out;
}

// Applies a subscription policy's parts over `base`.
Result<HttpDeliveryPolicy> overlaySubscriptionPolicy(const std::string& text,
                                                     HttpDeliveryPolicy base) {
  if (text.empty()) return base;
  auto o = parseObject(text);
  if (!o) return o.error();
  if (const JsonObject* retry = objectMember(*o, "healthyRetryPolicy")) {
    auto p = parseRetryPolicy(*retry);
    if (!p) return p.error();
    base.retry = *p;
  }
  if (const JsonObject* request = objectMember(*o, "requestPolicy")) {
    auto type = parseContentType(*request);
    if (!type) return type.error();
    base.contentType = *type;
  }
  return base;
}

}  // namespace

std::chrono::seconds RetryPolicy::delayBefore(int n) const {
  if (n <= numNoDelayRetries) return std::chrono::seconds(0);
  if (n <= numNoDelayRetries + numMinDelayRetries) return std::chrono::seconds(minDelayTarget);
  int backoff = numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries;
  int k = n - numNoDelayRetries - numMinDelayRetries;  // 1-based within the backoff phase
  if (k > backoff) return std::chrono::seconds(maxDelayTarget);
  // From minDelayTarget (first backoff retry) to maxDelayTarget (last). AWS
  // documents the four curves only as a graph; these follow their shapes.
  double t = backoff > 1 ? static_cast<double>(k - 1) / (backoff - 1) : 1.0;
  double lo = minDelayTarget, hi = maxDelayTarget, f = t;
  if (backoffFunction == "arithmetic") f = t * t;
  if (backoffFunction == "geometric") f = t * t * t;
  if (backoffFunction == "exponential") f = (std::exp2(10 * t) - 1) / (std::exp2(10.0) - 1);
  return std::chrono::seconds(static_cast<long>(std::lround(lo + (hi - lo) * f)));
}

RetryPolicy customerManagedRetryPolicy() {
  RetryPolicy p;
  p.minDelayTarget = 10;
  p.maxDelayTarget = 600;
  p.numMinDelayRetries = 2;
  p.numMaxDelayRetries = 38;
  p.numRetries = 2 + 10 + 38;
  p.backoffFunction = "exponential";
  return p;
}

Json RetryPolicy::toJson() const {
  return JsonObject{{"minDelayTarget", minDelayTarget},
                    {"maxDelayTarget", maxDelayTarget},
                    {"numRetries", numRetries},
                    {"numMaxDelayRetries", numMaxDelayRetries},
                    {"numNoDelayRetries", numNoDelayRetries},
                    {"numMinDelayRetries", numMinDelayRetries},
                    {"backoffFunction", backoffFunction}};
}

Result<void> checkTopicDeliveryPolicy(const std::string& text) {
  if (auto p = parseTopicPolicy(text); !p) return p.error();
  return {};
}

Result<void> checkSubscriptionDeliveryPolicy(const std::string& text) {
  if (auto p = overlaySubscriptionPolicy(text, {}); !p) return p.error();
  return {};
}

HttpDeliveryPolicy effectiveHttpPolicy(const std::string& topicPolicy,
                                       const std::string& subscriptionPolicy) {
  // Both were checked when they were set; a bad one falls back to defaults.
  auto topic = parseTopicPolicy(topicPolicy);
  TopicPolicy base = topic ? *topic : TopicPolicy{};
  if (base.disableOverrides) return base.http;
  auto overlaid = overlaySubscriptionPolicy(subscriptionPolicy, base.http);
  return overlaid ? *overlaid : base.http;
}

std::string topicEffectiveDeliveryPolicy(const std::string& topicPolicy) {
  auto topic = parseTopicPolicy(topicPolicy);
  TopicPolicy p = topic ? *topic : TopicPolicy{};
  JsonObject http{{"defaultHealthyRetryPolicy", p.http.retry.toJson()},
                  {"disableSubscriptionOverrides", p.disableOverrides},
                  {"defaultRequestPolicy", JsonObject{{"headerContentType", p.http.contentType}}}};
  return toJsonText(Json(JsonObject{{"http", std::move(http)}}));
}

std::string subscriptionEffectiveDeliveryPolicy(const HttpDeliveryPolicy& policy) {
  JsonObject o{{"healthyRetryPolicy", policy.retry.toJson()},
               {"sicklyRetryPolicy", nullptr},
               {"throttlePolicy", nullptr},
               {"requestPolicy", JsonObject{{"headerContentType", policy.contentType}}},
               {"guaranteed", false}};
  return toJsonText(Json(std::move(o)));
}

}  // namespace sluice::services::sns
