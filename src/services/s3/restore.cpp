// RestoreObject: a GLACIER or DEEP_ARCHIVE version becomes readable once a
// restore finishes, after the tier's delay (restore_delays.hpp), for Days
// days. State lives in the version's attrs so it survives restarts:
//   RestoreDue     epoch µs the restore finishes (while in progress)
//   RestoreDays    the Days asked for
//   RestoreExpiry  epoch µs the restored copy goes away (once restored)
//   Restore        the x-amz-restore header value
// The restored copy expires at completion + Days rounded up to midnight UTC;
// asking again once restored moves that to now + Days.
//
// An INTELLIGENT_TIERING version in an archive access tier (attrs AccessTier)
// restores without Days, after its tier's delay, back into the frequent
// access tier: AccessTier goes, nothing expires, and the restore counts as
// an access.
#include <iostream>

#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

std::string restoredHeader(TimePoint expiry) {
  return "ongoing-request=\"false\", expiry-date=\"" + formatHttpDate(expiry) + "\"";
}

std::optional<int64_t> micros(const ObjectRecord& o, std::string_view name) {
  const Json* v = o.attrs.as_object().if_contains(name);
  if (!v || !isNumber(*v)) return std::nullopt;
  return v->to_number<int64_t>();
}

}  // namespace

Result<Json> S3Service::restoreObject(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  auto obj = requireObject(bucket, in);
  if (!obj) return obj.takeError();
  // Intelligent-Tiering archive tiers restore back into the frequent access
  // tier, for good: there is no copy, so no Days.
  std::string accessTier = accessTierOf(*obj);
  if (obj->storageClass != "GLACIER" && obj->storageClass != "DEEP_ARCHIVE" && accessTier.empty()) {
    return AwsError{"InvalidObjectState",
                    "Restore is not allowed for the object's current storage class", 403};
  }
  const Json* given = in.as_object().if_contains("RestoreRequest");
  const Json empty = JsonObject{};
  const Json* request =
      given && !given->is_null() ? given : (accessTier.empty() ? nullptr : &empty);
  if (!request || !request->is_object()) return errors::malformedXml();
  auto days = optInt(*request, "Days");
  if (!accessTier.empty() && days) {
    return errors::invalidArgument(
        "INTELLIGENT_TIERING objects are not subject to restore expiry. Do not specify Days when "
        "restoring this object");
  }
  if (accessTier.empty() && !days) return errors::malformedXml();
  if (days && *days < 1) {
    return errors::invalidArgument("The Days parameter must be a positive integer");
  }
  std::string tier = "Standard";
  if (const Json* job = request->as_object().if_contains("GlacierJobParameters");
      job && job->is_object()) {
    tier = optStr(*job, "Tier").value_or("");
  } else if (auto t = optStr(*request, "Tier")) {
    tier = *t;
  }
  if (tier != "Expedited" && tier != "Standard" && tier != "Bulk") return errors::malformedXml();
  auto delay = restoreDelays_.delay(accessTier.empty() ? obj->storageClass : accessTier, tier);
  if (!delay) {
    return errors::invalidArgument(
        "The " + tier + " retrieval tier is not supported for the " +
        (accessTier.empty() ? obj->storageClass + " storage class" : accessTier + " access tier"));
  }
  TimePoint now = clock_.now();
  Json attrs = obj->attrs;
  auto& a = attrs.as_object();
  if (micros(*obj, "RestoreDue")) {
    return AwsError{"RestoreAlreadyInProgress", "Object restore is already in progress", 409};
  }
  bool restored = micros(*obj, "RestoreExpiry").has_value();
  if (restored) {
    // Already restored: only the expiry moves, counted from now.
    TimePoint expiry = lifecycleDue(now, *days);
    a["RestoreExpiry"] = toEpochMicros(expiry);
    a["RestoreDays"] = *days;
    a["Restore"] = restoredHeader(expiry);
  } else {
    a["RestoreDue"] = toEpochMicros(now + *delay);
    if (days) a["RestoreDays"] = *days;
    a["Restore"] = "ongoing-request=\"true\"";
  }
  ObjectRecord updated = *obj;
  updated.attrs = attrs;
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  Outgoing events;
  WriteHook hook;
  if (!restored) hook = eventHook("ObjectRestore:Post", updated, *b, &ctx, events);
  if (auto r = meta_->setObjectAttrs(bucket, obj->key, obj->versionId, attrs, hook); !r) {
    return r.error();
  }
  armRestore(updated);
  deliver(std::move(events));
  if (ctx.payload) ctx.payload->responseStatus = restored ? 200 : 202;
  return Json(JsonObject{});
}

void S3Service::armRestore(const ObjectRecord& o) {
  auto due = micros(o, "RestoreDue");
  auto expiry = micros(o, "RestoreExpiry");
  if (!due && !expiry) return;
  TimePoint at = fromEpochMicros(due ? *due : *expiry);
  loop_.post([this, at, completing = due.has_value(), bucket = o.bucket, key = o.key,
              versionId = o.versionId] {
    loop_.schedule(at, [this, completing, bucket, key, versionId] {
      if (completing) {
        completeRestore(bucket, key, versionId);
      } else {
        expireRestore(bucket, key, versionId);
      }
    });
  });
}

void S3Service::completeRestore(const std::string& bucket, const std::string& key,
                                const std::string& versionId) {
  auto v = meta_->version(bucket, key, versionId);
  if (!v || !*v) return;
  ObjectRecord o = std::move(**v);
  auto due = micros(o, "RestoreDue");
  TimePoint now = clock_.now();
  if (!due || fromEpochMicros(*due) > now) return;  // superseded (e.g. transitioned away)
  if (!accessTierOf(o).empty()) return finishTieringRestore(std::move(o), now);
  TimePoint expiry = lifecycleDue(now, micros(o, "RestoreDays").value_or(1));
  auto& a = o.attrs.as_object();
  a.erase("RestoreDue");
  a["RestoreExpiry"] = toEpochMicros(expiry);
  a["Restore"] = restoredHeader(expiry);
  auto b = meta_->bucket(bucket);
  if (!b || !*b) return;
  Outgoing events;
  auto hook = eventHook("ObjectRestore:Completed", o, **b, nullptr, events);
  if (auto r = meta_->setObjectAttrs(bucket, key, versionId, o.attrs, hook); !r) {
    std::cerr << "s3 restore: " << r.error().message << "\n";
    return;
  }
  armRestore(o);
  deliver(std::move(events));
}

void S3Service::finishTieringRestore(ObjectRecord o, TimePoint now) {
  auto& a = o.attrs.as_object();
  for (auto name : {"RestoreDue", "RestoreDays", "Restore", "AccessTier"}) a.erase(name);
  // Restoring is an access: the archive days count again from now.
  a["LastAccess"] = toEpochMicros(now);
  auto b = meta_->bucket(o.bucket);
  if (!b || !*b) return;
  Outgoing events;
  auto hook = eventHook("ObjectRestore:Completed", o, **b, nullptr, events);
  if (auto r = meta_->setObjectAttrs(o.bucket, o.key, o.versionId, o.attrs, hook); !r) {
    std::cerr << "s3 restore: " << r.error().message << "\n";
    return;
  }
  deliver(std::move(events));
}

void S3Service::expireRestore(const std::string& bucket, const std::string& key,
                              const std::string& versionId) {
  auto v = meta_->version(bucket, key, versionId);
  if (!v || !*v) return;
  ObjectRecord o = std::move(**v);
  auto expiry = micros(o, "RestoreExpiry");
  // A later RestoreObject may have moved the expiry: its own timer handles it.
  if (!expiry || fromEpochMicros(*expiry) > clock_.now()) return;
  auto& a = o.attrs.as_object();
  for (auto name : {"RestoreExpiry", "RestoreDays", "Restore"}) a.erase(name);
  auto b = meta_->bucket(bucket);
  if (!b || !*b) return;
  Outgoing events;
  auto hook = eventHook("ObjectRestore:Delete", o, **b, nullptr, events);
  if (auto r = meta_->setObjectAttrs(bucket, key, versionId, o.attrs, hook); !r) {
    std::cerr << "s3 restore: " << r.error().message << "\n";
    return;
  }
  deliver(std::move(events));
}

}  // namespace sluice::services::s3
