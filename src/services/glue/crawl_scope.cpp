#include "services/glue/crawl_scope.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/encoding.hpp"
#include "lake/object_snapshot.hpp"
#include "services/common/call_and_wait.hpp"
#include "services/common/target_delivery.hpp"

namespace sluice::services::glue {

namespace {

constexpr int kMaxReceives = 1000;  // 10,000 messages a crawl

// The objects an S3 event message names: S3's own notification format
// (Records[].s3), or EventBridge's (detail.bucket / detail.object).
void eventObjects(const Json& body, std::vector<std::string>& out) {
  if (!body.is_object()) return;
  const JsonObject& o = body.as_object();
  if (const Json* records = o.if_contains("Records"); records && records->is_array()) {
    for (const Json& r : records->as_array()) {
      const Json* s3 = r.is_object() ? r.as_object().if_contains("s3") : nullptr;
      if (!s3 || !s3->is_object()) continue;
      const Json* bucket = s3->as_object().if_contains("bucket");
      const Json* object = s3->as_object().if_contains("object");
      if (!bucket || !object || !bucket->is_object() || !object->is_object()) continue;
      const Json* name = bucket->as_object().if_contains("name");
      const Json* key = object->as_object().if_contains("key");
      if (name && key && name->is_string() && key->is_string()) {
        // Keys in S3 notifications are URL-encoded, spaces as "+".
        out.push_back(std::string(name->get_string()) + "/" +
                      percentDecode(key->get_string(), true));
      }
    }
  }
  if (const Json* detail = o.if_contains("detail"); detail && detail->is_object()) {
    const Json* bucket = detail->as_object().if_contains("bucket");
    const Json* object = detail->as_object().if_contains("object");
    if (bucket && object && bucket->is_object() && object->is_object()) {
      const Json* name = bucket->as_object().if_contains("name");
      const Json* key = object->as_object().if_contains("key");
      if (name && key && name->is_string() && key->is_string()) {
        out.push_back(std::string(name->get_string()) + "/" + std::string(key->get_string()));
      }
    }
  }
  // An SNS envelope around an S3 event.
  if (const Json* message = o.if_contains("Message"); message && message->is_string()) {
    if (auto inner = parseJson(message->get_string())) eventObjects(*inner, out);
  }
}

// What S3 sends when notifications are first set up: consumed, never an error.
bool isTestEvent(const Json& body) {
  const Json* event = body.is_object() ? body.as_object().if_contains("Event") : nullptr;
  return event && event->is_string() && event->get_string() == "s3:TestEvent";
}

}  // namespace

std::string folderOf(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

Result<QueuedEvents> drainEventQueue(const OperationRegistry& registry, const Scope& scope,
                                     const std::string& queueArn, const std::string& dlqArn) {
  // arn:aws:sqs:region:account:name
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon = queueArn.find(':'); colon != std::string::npos;
       start = colon + 1, colon = queueArn.find(':', start)) {
    parts.push_back(queueArn.substr(start, colon - start));
  }
  parts.push_back(queueArn.substr(start));
  if (parts.size() != 6 || parts[2] != "sqs") {
    return AwsError{"InvalidInputException", "EventQueueArn is not an SQS queue ARN: " + queueArn,
                    400};
  }
  Scope queueScope = scope;
  queueScope.region = parts[3];
  queueScope.account = parts[4];
  auto url =
      callAndWait(registry, queueScope, "sqs", "GetQueueUrl", JsonObject{{"QueueName", parts[5]}});
  if (!url) {
    return AwsError{"EntityNotFoundException",
                    "The crawler's event queue " + queueArn + " does not exist", 400};
  }
  QueuedEvents out;
  out.queueUrl = std::string(url->as_object().at("QueueUrl").as_string());
  out.dlqArn = dlqArn;
  for (int i = 0; i < kMaxReceives; ++i) {
    auto got = callAndWait(registry, queueScope, "sqs", "ReceiveMessage",
                           JsonObject{{"QueueUrl", out.queueUrl},
                                      {"MaxNumberOfMessages", 10},
                                      {"WaitTimeSeconds", 0},
                                      {"VisibilityTimeout", 900}});
    if (!got) return got.error();
    const Json* messages = got->as_object().if_contains("Messages");
    if (!messages || !messages->is_array() || messages->as_array().empty()) break;
    for (const Json& m : messages->as_array()) {
      const JsonObject& mo = m.as_object();
      out.receipts.emplace_back(mo.at("ReceiptHandle").as_string());
      std::string_view text = mo.at("Body").as_string();
      size_t before = out.objects.size();
      auto body = parseJson(text);
      if (body) eventObjects(*body, out.objects);
      if (out.objects.size() == before && !(body && isTestEvent(*body))) {
        out.unusable.emplace_back(text);
      }
    }
  }
  return out;
}

void deleteConsumed(const OperationRegistry& registry, const Scope& scope,
                    const QueuedEvents& events) {
  CallContext ctx;
  ctx.scope = scope;
  if (!events.dlqArn.empty()) {
    for (const auto& body : events.unusable) {
      sendToResource(registry, ctx, events.dlqArn, body, Json(nullptr), [](Result<Json>) {});
    }
  }
  for (size_t i = 0; i < events.receipts.size(); i += 10) {
    JsonArray entries;
    for (size_t j = i; j < std::min(events.receipts.size(), i + 10); ++j) {
      entries.push_back(
          JsonObject{{"Id", std::to_string(j)}, {"ReceiptHandle", events.receipts[j]}});
    }
    registry.call("sqs", "DeleteMessageBatch",
                  JsonObject{{"QueueUrl", events.queueUrl}, {"Entries", std::move(entries)}}, ctx,
                  [](Result<Json>) {});
  }
}

std::vector<lake::CrawlTarget> partialTargets(const lake::CrawlTarget& target,
                                              const std::vector<std::string>& folders,
                                              const std::vector<KnownTable>& known) {
  auto loc = lake::parseS3Uri(target.path);
  if (!loc || folders.empty()) return {};
  std::map<size_t, std::set<std::string>> byTable;
  std::set<std::string> rest;
  for (const auto& f : folders) {
    std::string uri = "s3://" + loc->bucket + "/" + f;
    size_t best = known.size();
    for (size_t i = 0; i < known.size(); ++i) {
      if (!uri.starts_with(known[i].location)) continue;
      if (best == known.size() || known[i].location.size() > known[best].location.size()) {
        best = i;
      }
    }
    if (best == known.size()) {
      rest.insert(f);
    } else {
      byTable[best].insert(f);
    }
  }
  std::vector<lake::CrawlTarget> out;
  for (const auto& [i, only] : byTable) {
    lake::CrawlTarget t = target;
    t.path = known[i].location;
    auto tableLoc = lake::parseS3Uri(t.path);
    t.tableLevel =
        1 + static_cast<int>(std::count(tableLoc->prefix.begin(), tableLoc->prefix.end(), '/'));
    t.onlyFolders.assign(only.begin(), only.end());
    out.push_back(std::move(t));
  }
  if (!rest.empty()) {
    lake::CrawlTarget t = target;
    t.onlyFolders.assign(rest.begin(), rest.end());
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace sluice::services::glue
