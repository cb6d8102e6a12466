// PutBucketNotificationConfiguration / GetBucketNotificationConfiguration,
// and the bucket events writes store and deliver (notification_outbox.hpp).
//
// Put checks that every queue and topic exists (asking the owning service
// through the operation registry) unless x-amz-skip-destination-validation
// is set, then sends an s3:TestEvent to each of them as S3 does. Lambda
// destinations are checked only when a lambda service is registered.
#include <future>

#include "services/common/target_delivery.hpp"
#include "services/s3/notification_config.hpp"
#include "services/s3/notification_delivery.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr char kConfig[] = "Notification";

// Calls an operation and waits for it (Put runs on the S3 worker pool).
Result<Json> callAndWait(const OperationRegistry& registry, std::string_view service,
                         std::string_view operation, const Json& input, const CallContext& ctx) {
  std::promise<Result<Json>> done;
  registry.call(service, operation, input, ctx,
                [&done](Result<Json> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

bool destinationExists(const OperationRegistry& registry, const NotificationTarget& t,
                       const CallContext& ctx) {
  if (t.kind == "Queue") {
    if (!registry.has("sqs", "GetQueueUrl")) return false;
    JsonObject in{{"QueueName", arnPart(t.arn, 5)}, {"QueueOwnerAWSAccountId", arnPart(t.arn, 4)}};
    return callAndWait(registry, "sqs", "GetQueueUrl", in, ctx).ok();
  }
  if (t.kind == "Topic") {
    if (!registry.has("sns", "GetTopicAttributes")) return false;
    return callAndWait(registry, "sns", "GetTopicAttributes", JsonObject{{"TopicArn", t.arn}}, ctx)
        .ok();
  }
  if (!registry.has("lambda", "GetFunction")) return true;  // recorded, not checked
  return callAndWait(registry, "lambda", "GetFunction", JsonObject{{"FunctionName", t.arn}}, ctx)
      .ok();
}

}  // namespace

Result<Json> S3Service::putBucketNotificationConfiguration(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* config = in.as_object().if_contains("NotificationConfiguration");
  if (!config || config->is_null()) return errors::malformedXml();
  Json normalized;
  auto settings = parseNotifications(
      *config, [this] { return ids_.uuid(); }, normalized);
  if (!settings) return settings.takeError();
  if (!flag(in, "SkipDestinationValidation")) {
    std::vector<std::string> failed;
    for (const auto& t : settings->targets) {
      if (!destinationExists(*registry_, t, ctx)) failed.push_back(t.arn);
    }
    if (!failed.empty()) {
      return errors::invalidArgument("Unable to validate the following destination configurations");
    }
  }
  if (auto r = meta_->setBucketConfig(bucket, kConfig, normalized); !r) return r.error();
  std::string test = toJsonText(s3TestEvent(bucket, clock_.now(), ctx.requestId));
  for (const auto& t : settings->targets) {
    if (t.kind == "LambdaFunction") continue;  // S3 sends no test event to functions
    sendToResource(*registry_, ctx, t.arn, test, Json(nullptr), [](Result<Json>) {});
  }
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketNotificationConfiguration(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  const Json* config = b->config.as_object().if_contains(kConfig);
  if (!config || !config->is_object()) return Json(JsonObject{});
  return *config;
}

std::string S3Service::nextSequencer() {
  // Increasing within a key's events, as S3's sequencer is: the clock in
  // microseconds, then a counter for events within one microsecond.
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llX%08llX",
                static_cast<unsigned long long>(toEpochMicros(clock_.now())),
                static_cast<unsigned long long>(sequence_.fetch_add(1) & 0xFFFFFFFF));
  return buf;
}

BucketEvent S3Service::eventOf(std::string name, const ObjectRecord& o, const CallContext* ctx,
                               const BucketRecord& bucket) {
  BucketEvent e;
  e.name = std::move(name);
  if (ctx) {
    e.scope = ctx->scope;
  } else {
    // S3's own actions (lifecycle, restores) happen in the bucket's account and region.
    e.scope.account = bucket.owner;
    e.scope.region = bucket.region;
  }
  e.bucket = o.bucket;
  e.key = o.key;
  e.size = o.size;
  e.etag =
      o.etag.size() >= 2 && o.etag.front() == '"' ? o.etag.substr(1, o.etag.size() - 2) : o.etag;
  e.versionId = o.versionId;
  e.sequencer = nextSequencer();
  e.time = clock_.now();
  e.requestId = ctx ? ctx->requestId : ids_.uuid();
  e.requester =
      ctx ? (ctx->accessKeyId.empty() ? e.scope.account : ctx->accessKeyId) : "s3.amazonaws.com";
  e.storageClass = o.storageClass;
  if (const Json* x = o.attrs.as_object().if_contains("RestoreExpiry"); x && isNumber(*x)) {
    e.restoreExpiry = formatIso8601(fromEpochMicros(x->to_number<int64_t>()));
  }
  return e;
}

Result<void> S3Service::recordEvents(store::sqlite::Database& db, const BucketRecord& bucket,
                                     const std::vector<BucketEvent>& events, Outgoing& out) {
  // Assigned, not appended: the writer may run an item again after a failed commit.
  out.clear();
  for (const auto& e : events) {
    if (auto o = outbox_->resolve(bucket, e)) out.push_back(std::move(*o));
  }
  return outbox_->store(db, out);
}

PutHook S3Service::createdHook(std::string name, const BucketRecord& bucket, const CallContext& ctx,
                               Outgoing& out) {
  if (!outbox_ || !NotificationOutbox::configured(bucket)) return {};
  return [this, name = std::move(name), &bucket, &ctx, &out](store::sqlite::Database& db,
                                                             const ObjectRecord& written) {
    return recordEvents(db, bucket, {eventOf(name, written, &ctx, bucket)}, out);
  };
}

DeleteHook S3Service::removedHook(const std::string& key, bool versionGiven,
                                  const BucketRecord& bucket, const CallContext& ctx,
                                  Outgoing& out) {
  if (!outbox_ || !NotificationOutbox::configured(bucket)) return {};
  return [this, &key, versionGiven, &bucket, &ctx, &out](store::sqlite::Database& db,
                                                         const DeleteResult& r) -> Result<void> {
    out.clear();
    if (r.versionId.empty()) return {};  // nothing was there to delete
    ObjectRecord gone;
    gone.bucket = bucket.name;
    gone.key = key;
    gone.versionId = r.versionId;
    // A marker added (no version id given) is DeleteMarkerCreated; removing
    // a version, even a marker, is a Delete.
    std::string name = r.deleteMarker && !versionGiven ? "ObjectRemoved:DeleteMarkerCreated"
                                                       : "ObjectRemoved:Delete";
    return recordEvents(db, bucket, {eventOf(std::move(name), gone, &ctx, bucket)}, out);
  };
}

WriteHook S3Service::eventHook(std::string name, const ObjectRecord& o, const BucketRecord& bucket,
                               const CallContext* ctx, Outgoing& out) {
  if (!outbox_ || !NotificationOutbox::configured(bucket)) return {};
  return [this, name = std::move(name), &o, &bucket, ctx, &out](store::sqlite::Database& db) {
    return recordEvents(db, bucket, {eventOf(name, o, ctx, bucket)}, out);
  };
}

void S3Service::deliver(Outgoing out) {
  if (outbox_ && !out.empty()) outbox_->deliver(std::move(out));
}

}  // namespace sluice::services::s3
