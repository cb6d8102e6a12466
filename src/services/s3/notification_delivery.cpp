#include "services/s3/notification_delivery.hpp"

#include "core/encoding.hpp"
#include "services/s3/s3_input.hpp"

namespace sluice::services::s3 {

namespace {

// Keys in S3 event messages are form-encoded ("red flower.jpg" becomes
// "red+flower.jpg").
std::string eventKey(std::string_view key) {
  std::string out = percentEncode(key, true);
  std::string plus;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "%20") == 0) {
      plus += '+';
      i += 2;
    } else {
      plus += out[i];
    }
  }
  return plus;
}

bool isRemoval(std::string_view name) {
  return name.starts_with("ObjectRemoved:") || name.starts_with("LifecycleExpiration:");
}

}  // namespace

Json s3EventMessage(const BucketEvent& e, const std::string& configId,
                    const std::string& bucketOwner) {
  JsonObject object{{"key", eventKey(e.key)}, {"sequencer", e.sequencer}};
  if (!isRemoval(e.name)) {
    object["size"] = e.size;
    object["eTag"] = e.etag;
  }
  if (!e.versionId.empty() && e.versionId != "null") object["versionId"] = e.versionId;
  JsonObject s3{{"s3SchemaVersion", "1.0"},
                {"configurationId", configId},
                {"bucket", JsonObject{{"name", e.bucket},
                                      {"ownerIdentity", JsonObject{{"principalId", bucketOwner}}},
                                      {"arn", "arn:" + e.scope.partition + ":s3:::" + e.bucket}}},
                {"object", std::move(object)}};
  JsonObject record{{"eventVersion", "2.1"},
                    {"eventSource", "aws:s3"},
                    {"awsRegion", e.scope.region},
                    {"eventTime", formatIso8601(e.time)},
                    {"eventName", e.name},
                    {"userIdentity", JsonObject{{"principalId", e.requester}}},
                    {"requestParameters", JsonObject{{"sourceIPAddress", "127.0.0.1"}}},
                    {"responseElements",
                     JsonObject{{"x-amz-request-id", e.requestId}, {"x-amz-id-2", e.requestId}}},
                    {"s3", std::move(s3)}};
  if (e.name.starts_with("ObjectRestore:")) {
    JsonObject restore{{"lifecycleRestoreStorageClass", e.storageClass}};
    if (!e.restoreExpiry.empty()) restore["lifecycleRestorationExpiryTime"] = e.restoreExpiry;
    record["glacierEventData"] = JsonObject{{"restoreEventData", std::move(restore)}};
  }
  return JsonObject{{"Records", JsonArray{Json(std::move(record))}}};
}

Json eventBridgeEntry(const BucketEvent& e) {
  std::string detailType, reason, deletionType;
  if (e.name.starts_with("ObjectCreated:")) {
    detailType = "Object Created";
    std::string how = e.name.substr(e.name.find(':') + 1);
    reason = how == "Copy"                      ? "CopyObject"
             : how == "CompleteMultipartUpload" ? "CompleteMultipartUpload"
             : how == "Post"                    ? "PostObject"
                                                : "PutObject";
  } else if (e.name == "ObjectRemoved:Delete" || e.name == "LifecycleExpiration:Delete") {
    detailType = "Object Deleted";
    deletionType = "Permanently Deleted";
  } else if (e.name == "ObjectRemoved:DeleteMarkerCreated" ||
             e.name == "LifecycleExpiration:DeleteMarkerCreated") {
    detailType = "Object Deleted";
    deletionType = "Delete Marker Created";
  } else if (e.name == "ObjectRestore:Post") {
    detailType = "Object Restore Initiated";
  } else if (e.name == "ObjectRestore:Completed") {
    detailType = "Object Restore Completed";
  } else if (e.name == "ObjectRestore:Delete") {
    detailType = "Object Restore Expired";
  } else if (e.name == "LifecycleTransition") {
    detailType = "Object Storage Class Changed";
  } else {
    return nullptr;
  }
  if (detailType == "Object Deleted") {
    reason = e.name.starts_with("Lifecycle") ? "Lifecycle Expiration" : "DeleteObject";
  }
  JsonObject object{{"key", e.key}, {"sequencer", e.sequencer}};
  if (!isRemoval(e.name)) {
    object["size"] = e.size;
    object["etag"] = e.etag;
  }
  if (!e.versionId.empty() && e.versionId != "null") object["version-id"] = e.versionId;
  JsonObject detail{{"version", "0"},
                    {"bucket", JsonObject{{"name", e.bucket}}},
                    {"object", std::move(object)},
                    {"request-id", e.requestId},
                    {"requester", e.requester}};
  if (!reason.empty()) detail["reason"] = reason;
  if (!deletionType.empty()) detail["deletion-type"] = deletionType;
  // A transition names where the object went; a restore, where it is archived.
  if (detailType == "Object Storage Class Changed") {
    detail["destination-storage-class"] = e.storageClass;
  } else if (detailType == "Object Restore Initiated" || detailType == "Object Restore Completed") {
    detail["source-storage-class"] = e.storageClass;
  }
  if (!e.restoreExpiry.empty()) detail["restore-expiry-time"] = e.restoreExpiry;
  return JsonObject{
      {"Source", "aws.s3"},
      {"DetailType", detailType},
      {"Detail", toJsonText(detail)},
      {"Resources", JsonArray{Json("arn:" + e.scope.partition + ":s3:::" + e.bucket)}},
      {"EventBusName", "default"},
      {"Time", epoch(e.time)}};
}

Json s3TestEvent(const std::string& bucket, TimePoint time, const std::string& requestId) {
  return JsonObject{{"Service", "Amazon S3"},      {"Event", "s3:TestEvent"},
                    {"Time", formatIso8601(time)}, {"Bucket", bucket},
                    {"RequestId", requestId},      {"HostId", requestId}};
}

}  // namespace sluice::services::s3
