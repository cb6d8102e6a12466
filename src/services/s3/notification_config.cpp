#include "services/s3/notification_config.hpp"

#include <set>

#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"

namespace sluice::services::s3 {

namespace {

struct Kind {
  const char* list;       // the configuration list member
  const char* arnMember;  // its ARN member
  const char* kind;
};
constexpr Kind kKinds[] = {{"QueueConfigurations", "QueueArn", "Queue"},
                           {"TopicConfigurations", "TopicArn", "Topic"},
                           {"LambdaFunctionConfigurations", "LambdaFunctionArn", "LambdaFunction"}};

const std::set<std::string, std::less<>>& knownEvents() {
  static const std::set<std::string, std::less<>> kEvents = {
      "s3:ReducedRedundancyLostObject",
      "s3:ObjectCreated:*",
      "s3:ObjectCreated:Put",
      "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy",
      "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectRemoved:*",
      "s3:ObjectRemoved:Delete",
      "s3:ObjectRemoved:DeleteMarkerCreated",
      "s3:ObjectRestore:*",
      "s3:ObjectRestore:Post",
      "s3:ObjectRestore:Completed",
      "s3:ObjectRestore:Delete",
      "s3:Replication:*",
      "s3:Replication:OperationFailedReplication",
      "s3:Replication:OperationNotTracked",
      "s3:Replication:OperationMissedThreshold",
      "s3:Replication:OperationReplicatedAfterThreshold",
      "s3:LifecycleTransition",
      "s3:IntelligentTiering",
      "s3:ObjectAcl:Put",
      "s3:LifecycleExpiration:*",
      "s3:LifecycleExpiration:Delete",
      "s3:LifecycleExpiration:DeleteMarkerCreated",
      "s3:ObjectTagging:*",
      "s3:ObjectTagging:Put",
      "s3:ObjectTagging:Delete"};
  return kEvents;
}

// "s3:ObjectCreated:*" covers "s3:ObjectCreated:Put"; either way round, two
// event types overlap when one covers the other.
bool eventCovers(std::string_view pattern, std::string_view event) {
  if (pattern.ends_with(":*")) return event.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == event;
}

bool eventsOverlap(const NotificationTarget& a, const NotificationTarget& b) {
  for (const auto& x : a.events) {
    for (const auto& y : b.events) {
      if (eventCovers(x, y) || eventCovers(y, x)) return true;
    }
  }
  return false;
}

Result<void> readFilter(const Json& filter, NotificationTarget& t, JsonArray& rulesOut) {
  const Json* key = filter.is_object() ? filter.as_object().if_contains("Key") : nullptr;
  const Json* rules =
      key && key->is_object() ? key->as_object().if_contains("FilterRules") : nullptr;
  if (!rules) return {};
  if (!rules->is_array()) return errors::malformedXml();
  bool sawPrefix = false, sawSuffix = false;
  for (const auto& r : rules->as_array()) {
    std::string name = optStr(r, "Name").value_or("");
    std::string value = optStr(r, "Value").value_or("");
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "prefix" && name != "suffix") {
      return errors::invalidArgument("filter rule name must be either prefix or suffix");
    }
    bool& seen = name == "prefix" ? sawPrefix : sawSuffix;
    if (seen) {
      return errors::invalidArgument("Cannot specify more than one " + name + " rule in a filter.");
    }
    seen = true;
    (name == "prefix" ? t.prefix : t.suffix) = value;
    rulesOut.push_back(
        JsonObject{{"Name", name == "prefix" ? "Prefix" : "Suffix"}, {"Value", value}});
  }
  return {};
}

}  // namespace

Result<NotificationSettings> parseNotifications(const Json& configuration,
                                                const std::function<std::string()>& newId,
                                                Json& normalized) {
  if (!configuration.is_object()) return errors::malformedXml();
  NotificationSettings out;
  JsonObject norm;
  for (const auto& kind : kKinds) {
    const Json* list = configuration.as_object().if_contains(kind.list);
    if (!list || list->is_null()) continue;
    if (!list->is_array()) return errors::malformedXml();
    JsonArray normList;
    for (const auto& c : list->as_array()) {
      NotificationTarget t;
      t.kind = kind.kind;
      auto arn = optStr(c, kind.arnMember);
      if (!arn || arn->empty()) return errors::malformedXml();
      t.arn = *arn;
      t.id = optStr(c, "Id").value_or("");
      if (t.id.empty()) t.id = newId();
      const Json* events = c.is_object() ? c.as_object().if_contains("Events") : nullptr;
      if (!events || !events->is_array() || events->as_array().empty()) {
        return errors::malformedXml();
      }
      JsonArray normEvents;
      for (const auto& e : events->as_array()) {
        if (!e.is_string() || !knownEvents().contains(std::string_view(e.as_string()))) {
          return errors::invalidArgument("The event is not supported for notifications");
        }
        t.events.emplace_back(e.as_string());
        normEvents.push_back(e);
      }
      JsonObject normC{{"Id", t.id}, {kind.arnMember, t.arn}, {"Events", std::move(normEvents)}};
      if (const Json* filter = c.as_object().if_contains("Filter"); filter && !filter->is_null()) {
        JsonArray rules;
        if (auto r = readFilter(*filter, t, rules); !r) return r.error();
        normC["Filter"] = JsonObject{{"Key", JsonObject{{"FilterRules", std::move(rules)}}}};
      }
      normList.push_back(std::move(normC));
      out.targets.push_back(std::move(t));
    }
    if (!normList.empty()) norm[kind.list] = std::move(normList);
  }
  if (const Json* eb = configuration.as_object().if_contains("EventBridgeConfiguration");
      eb && !eb->is_null()) {
    out.eventBridge = true;
    norm["EventBridgeConfiguration"] = JsonObject{};
  }
  // Two configurations that could both claim one event are refused: S3
  // delivers each event to one matching configuration per event type.
  for (size_t i = 0; i < out.targets.size(); ++i) {
    for (size_t j = i + 1; j < out.targets.size(); ++j) {
      const auto& a = out.targets[i];
      const auto& b = out.targets[j];
      bool prefixes = a.prefix.starts_with(b.prefix) || b.prefix.starts_with(a.prefix);
      bool suffixes = a.suffix.ends_with(b.suffix) || b.suffix.ends_with(a.suffix);
      if (prefixes && suffixes && eventsOverlap(a, b)) {
        return errors::invalidArgument(
            "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules "
            "if the prefixes are overlapping for the same event type.");
      }
    }
  }
  normalized = std::move(norm);
  return out;
}

bool notificationMatches(const NotificationTarget& t, std::string_view eventName,
                         std::string_view key) {
  if (!key.starts_with(t.prefix) || !key.ends_with(t.suffix)) return false;
  std::string full = "s3:" + std::string(eventName);
  for (const auto& e : t.events) {
    if (eventCovers(e, full)) return true;
  }
  return false;
}

}  // namespace sluice::services::s3
