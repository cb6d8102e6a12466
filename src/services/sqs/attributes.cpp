#include "services/sqs/attributes.hpp"

#include <charconv>

namespace sluice::services::sqs {

namespace {

struct Range {
  std::string_view name;
  int64_t min, max;
};
constexpr Range kRanges[] = {
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 262144},
    {"MessageRetentionPeriod", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
};

constexpr std::string_view kFifoOnly[] = {"ContentBasedDeduplication", "DeduplicationScope",
                                          "FifoThroughputLimit"};
constexpr std::string_view kPlain[] = {"Policy", "KmsMasterKeyId", "RedriveAllowPolicy"};

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

AwsError unknownAttribute(const std::string& name) {
  return {"InvalidAttributeName", "Unknown Attribute " + name + ".", 400};
}

Result<std::string> checkRedrivePolicy(const std::string& text) {
  auto fail = [&](const std::string& reason) {
    return AwsError{"InvalidParameterValue",
                    "Value " + text + " for parameter RedrivePolicy is invalid. Reason: " + reason,
                    400};
  };
  if (text.empty()) return std::string();  // clears the policy
  auto v = parseJson(text);
  if (!v || !v->is_object()) return fail("Redrive policy is not a valid JSON map.");
  const JsonObject& o = v->as_object();
  const Json* target = o.if_contains("deadLetterTargetArn");
  const Json* count = o.if_contains("maxReceiveCount");
  if (!target || !target->is_string() || !count) {
    return fail(
        "Redrive policy does not contain mandatory attribute: " +
        std::string(!target || !target->is_string() ? "deadLetterTargetArn" : "maxReceiveCount") +
        ".");
  }
  std::optional<int64_t> n;
  if (count->is_string()) n = parseInt(count->get_string());
  if (isNumber(*count)) n = toInteger(*count);
  if (!n || *n < 1 || *n > 1000) {
    return fail("Invalid value for maxReceiveCount: " + toJsonText(*count) +
                ", valid values are from 1 to 1000 both inclusive.");
  }
  JsonObject normal;
  normal["deadLetterTargetArn"] = *target;
  normal["maxReceiveCount"] = *n;
  return toJsonText(normal);
}

}  // namespace

AwsError invalidAttributeValue(const std::string& name, const std::string& reason) {
  return {"InvalidAttributeValue",
          "Invalid value for the parameter " + name + "." +
              (reason.empty() ? std::string() : " Reason: " + reason),
          400};
}

Result<void> checkQueueName(const std::string& name, bool fifo) {
  std::string_view base = name;
  if (fifo) {
    if (!base.ends_with(".fifo")) {
      return AwsError{"InvalidParameterValue",
                      "The name of a FIFO queue can only include alphanumeric characters, "
                      "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                      "length.",
                      400};
    }
    base.remove_suffix(5);
  }
  bool ok = !name.empty() && name.size() <= 80 && !base.empty();
  for (char c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') ok = false;
  }
  if (!ok) {
    return AwsError{"InvalidParameterValue",
                    fifo ? "The name of a FIFO queue can only include alphanumeric characters, "
                           "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 "
                           "in length."
                         : "Can only include alphanumeric characters, hyphens, or underscores. 1 "
                           "to 80 in length",
                    400};
  }
  return {};
}

AttributeMap defaultAttributes(bool fifo) {
  AttributeMap a{{"DelaySeconds", "0"},
                 {"MaximumMessageSize", "262144"},
                 {"MessageRetentionPeriod", "345600"},
                 {"ReceiveMessageWaitTimeSeconds", "0"},
                 {"VisibilityTimeout", "30"},
                 {"SqsManagedSseEnabled", "true"}};
  if (fifo) {
    a["FifoQueue"] = "true";
    a["ContentBasedDeduplication"] = "false";
    a["DeduplicationScope"] = "queue";
    a["FifoThroughputLimit"] = "perQueue";
  }
  return a;
}

Result<AttributeMap> checkAttributes(const Json* given, bool fifo, bool creating) {
  AttributeMap out;
  if (!given || given->is_null()) return out;
  if (!given->is_object()) return AwsError::validation("Attributes must be a map");
  for (const auto& kv : given->as_object()) {
    std::string name(kv.key());
    std::string value =
        kv.value().is_string() ? std::string(kv.value().get_string()) : toJsonText(kv.value());
    bool known = false;
    for (const Range& r : kRanges) {
      if (name != r.name) continue;
      known = true;
      auto n = parseInt(value);
      if (!n || *n < r.min || *n > r.max) return invalidAttributeValue(name);
      value = std::to_string(*n);
    }
    for (std::string_view p : kPlain) known = known || name == p;
    if (name == "RedrivePolicy") {
      auto normal = checkRedrivePolicy(value);
      if (!normal) return normal.takeError();
      value = *normal;
      known = true;
    } else if (name == "FifoQueue") {
      if (value != "true" && value != "false") return invalidAttributeValue(name);
      if (!creating) {
        return invalidAttributeValue(name, "Modifying queue type is not supported.");
      }
      if (value == "false" && fifo) return invalidAttributeValue(name);
      if (value == "false") continue;  // a standard queue does not report it
      known = true;
    } else if (name == "SqsManagedSseEnabled" || name == "ContentBasedDeduplication") {
      if (value != "true" && value != "false") return invalidAttributeValue(name);
      known = true;
    } else if (name == "DeduplicationScope") {
      if (value != "messageGroup" && value != "queue") return invalidAttributeValue(name);
      known = true;
    } else if (name == "FifoThroughputLimit") {
      if (value != "perQueue" && value != "perMessageGroupId") return invalidAttributeValue(name);
      known = true;
    }
    if (!known) return unknownAttribute(name);
    if (!fifo) {
      for (std::string_view f : kFifoOnly) {
        if (name == f) return unknownAttribute(name);
      }
    }
    out[name] = value;
  }
  if (fifo) {
    auto scope = out.find("DeduplicationScope");
    auto limit = out.find("FifoThroughputLimit");
    if (limit != out.end() && limit->second == "perMessageGroupId" && scope != out.end() &&
        scope->second != "messageGroup") {
      return invalidAttributeValue("FifoThroughputLimit",
                                   "perMessageGroupId is allowed only when DeduplicationScope is "
                                   "messageGroup.");
    }
  }
  return out;
}

QueueConfig configOf(const AttributeMap& a) {
  QueueConfig c;
  auto num = [&](const char* name, int64_t fallback) {
    auto it = a.find(name);
    if (it == a.end()) return fallback;
    return parseInt(it->second).value_or(fallback);
  };
  auto flag = [&](const char* name) {
    auto it = a.find(name);
    return it != a.end() && it->second == "true";
  };
  c.visibilityTimeout = num("VisibilityTimeout", 30);
  c.retentionPeriod = num("MessageRetentionPeriod", 345600);
  c.delaySeconds = num("DelaySeconds", 0);
  c.receiveWaitTime = num("ReceiveMessageWaitTimeSeconds", 0);
  c.maximumMessageSize = num("MaximumMessageSize", 262144);
  c.fifo = flag("FifoQueue");
  c.contentBasedDeduplication = flag("ContentBasedDeduplication");
  if (auto it = a.find("DeduplicationScope"); it != a.end()) c.deduplicationScope = it->second;
  if (auto it = a.find("RedrivePolicy"); it != a.end() && !it->second.empty()) {
    if (auto v = parseJson(it->second); v && v->is_object()) {
      const JsonObject& o = v->as_object();
      if (const Json* t = o.if_contains("deadLetterTargetArn"); t && t->is_string()) {
        c.deadLetterTargetArn = std::string(t->get_string());
      }
      if (const Json* n = o.if_contains("maxReceiveCount"); n && isNumber(*n)) {
        c.maxReceiveCount = toInteger(*n).value_or(0);
      }
    }
  }
  return c;
}

}  // namespace sluice::services::sqs
