// Bucket notification configurations: validating PutBucketNotification-
// Configuration input as S3 does and matching events against it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::s3 {

// One Queue/Topic/LambdaFunction configuration.
struct NotificationTarget {
  std::string id;
  std::string kind;  // "Queue", "Topic", "LambdaFunction"
  std::string arn;
  std::vector<std::string> events;  // "s3:ObjectCreated:*", ...
  std::string prefix;
  std::string suffix;
};

struct NotificationSettings {
  std::vector<NotificationTarget> targets;
  bool eventBridge = false;
};

// Reads and checks a NotificationConfiguration: events S3 knows, filter rule
// names (prefix/suffix, each at most once), no two configurations whose
// prefixes and suffixes overlap for the same event type. Configurations
// without an Id get one from `newId`; `normalized` receives the configuration
// as GetBucketNotificationConfiguration returns it.
Result<NotificationSettings> parseNotifications(const Json& configuration,
                                                const std::function<std::string()>& newId,
                                                Json& normalized);

// Whether a target hears `eventName` ("ObjectCreated:Put") for `key`.
bool notificationMatches(const NotificationTarget& t, std::string_view eventName,
                         std::string_view key);

}  // namespace sluice::services::s3
