#include "services/s3/lifecycle_plan.hpp"

namespace sluice::services::s3 {

namespace {

using Kind = LifecycleChange::Kind;

const Json& tagsOf(const ObjectRecord& o) {
  static const Json kNone = JsonObject{};
  const Json* t = o.attrs.as_object().if_contains("Tags");
  return t && t->is_object() ? *t : kNone;
}

bool due(std::optional<int64_t> days, std::optional<TimePoint> date, TimePoint from,
         TimePoint now) {
  if (date) return *date <= now;
  return days && lifecycleDue(from, *days) <= now;
}

LifecycleChange change(Kind kind, const ObjectRecord& o) {
  LifecycleChange c;
  c.kind = kind;
  c.object = o;
  return c;
}

// Current version: expiration, else the coldest due transition.
void planCurrent(const std::vector<LifecycleRule>& rules, const ObjectRecord& head, TimePoint now,
                 const std::function<std::string()>& newVersionId,
                 std::vector<LifecycleChange>& out) {
  bool expire = false;
  const LifecycleTransition* coldest = nullptr;
  for (const auto& r : rules) {
    if (!lifecycleMatches(r.filter, head.key, head.size, tagsOf(head))) continue;
    expire = expire || due(r.expirationDays, r.expirationDate, head.lastModified, now);
    for (const auto& t : r.transitions) {
      if (!due(t.days, t.date, head.lastModified, now)) continue;
      if (!coldest || storageClassRank(t.storageClass) > storageClassRank(coldest->storageClass)) {
        coldest = &t;
      }
    }
  }
  if (expire) {
    auto c = change(Kind::ExpireCurrent, head);
    c.newVersionId = newVersionId();
    out.push_back(std::move(c));
    return;
  }
  if (coldest && storageClassRank(coldest->storageClass) > storageClassRank(head.storageClass)) {
    auto c = change(Kind::Transition, head);
    c.storageClass = coldest->storageClass;
    c.attrs = head.attrs;
    // A restored copy does not survive a move to another class, nor does an
    // Intelligent-Tiering access tier; Intelligent-Tiering counts days of
    // no access from the move into it.
    for (auto name :
         {"Restore", "RestoreDue", "RestoreDays", "RestoreExpiry", "AccessTier", "LastAccess"}) {
      c.attrs.as_object().erase(name);
    }
    if (c.storageClass == "INTELLIGENT_TIERING")
      c.attrs.as_object()["LastAccess"] = toEpochMicros(now);
    out.push_back(std::move(c));
  }
}

// Noncurrent versions: each became noncurrent when the next newer one was written.
void planNoncurrent(const std::vector<LifecycleRule>& rules,
                    const std::vector<ObjectRecord>& versions, TimePoint now,
                    std::vector<LifecycleChange>& out) {
  int64_t noncurrentIndex = 0;
  for (size_t i = 1; i < versions.size(); ++i) {
    const ObjectRecord& v = versions[i];
    if (v.latest) continue;
    TimePoint since = versions[i - 1].lastModified;
    bool expire = false;
    const NoncurrentTransition* coldest = nullptr;
    for (const auto& r : rules) {
      if (!lifecycleMatches(r.filter, v.key, v.size, tagsOf(v))) continue;
      if (r.noncurrentExpirationDays && noncurrentIndex >= r.newerNoncurrentVersions.value_or(0) &&
          lifecycleDue(since, *r.noncurrentExpirationDays) <= now) {
        expire = true;
      }
      for (const auto& t : r.noncurrentTransitions) {
        if (noncurrentIndex < t.newerNoncurrentVersions.value_or(0)) continue;
        if (lifecycleDue(since, t.noncurrentDays) > now) continue;
        if (!coldest ||
            storageClassRank(t.storageClass) > storageClassRank(coldest->storageClass)) {
          coldest = &t;
        }
      }
    }
    ++noncurrentIndex;
    if (expire) {
      out.push_back(change(Kind::RemoveVersion, v));
    } else if (coldest && !v.deleteMarker &&
               storageClassRank(coldest->storageClass) > storageClassRank(v.storageClass)) {
      auto c = change(Kind::Transition, v);
      c.storageClass = coldest->storageClass;
      c.attrs = v.attrs;
      out.push_back(std::move(c));
    }
  }
}

}  // namespace

void planKeyLifecycle(const BucketRecord& bucket, const std::vector<LifecycleRule>& rules,
                      const std::vector<ObjectRecord>& versions, TimePoint now,
                      const std::function<std::string()>& newVersionId,
                      std::vector<LifecycleChange>& out) {
  if (versions.empty()) return;
  const ObjectRecord& head = versions.front();
  if (head.latest && !head.deleteMarker) {
    const size_t before = out.size();
    planCurrent(rules, head, now, newVersionId, out);
    if (out.size() > before && out.back().kind == Kind::ExpireCurrent) return;
  } else if (head.latest && head.deleteMarker && versions.size() == 1 &&
             !bucket.versioning.empty()) {
    // A delete marker with no versions behind it ("expired object delete marker").
    for (const auto& r : rules) {
      if (!r.expiredObjectDeleteMarker || !head.key.starts_with(r.filter.prefix)) continue;
      out.push_back(change(Kind::RemoveVersion, head));
      return;
    }
  }
  planNoncurrent(rules, versions, now, out);
}

void planUploadLifecycle(const std::vector<LifecycleRule>& rules,
                         const std::vector<UploadRecord>& uploads, TimePoint now,
                         std::vector<LifecycleChange>& out) {
  for (const auto& u : uploads) {
    for (const auto& r : rules) {
      if (!r.abortDaysAfterInitiation || !u.key.starts_with(r.filter.prefix)) continue;
      if (lifecycleDue(u.initiated, *r.abortDaysAfterInitiation) > now) continue;
      LifecycleChange c;
      c.kind = Kind::AbortUpload;
      c.object.bucket = u.bucket;
      c.object.key = u.key;
      c.uploadId = u.uploadId;
      out.push_back(std::move(c));
      break;
    }
  }
}

LifecycleEvent lifecycleEventOf(const LifecycleChange& change, const LifecycleOutcome& outcome) {
  if (!outcome.applied) return {};
  switch (change.kind) {
    case Kind::ExpireCurrent: {
      LifecycleEvent e{"LifecycleExpiration:Delete", change.object};
      if (outcome.deleted.deleteMarker) {
        e.name = "LifecycleExpiration:DeleteMarkerCreated";
        e.object.versionId = outcome.deleted.versionId;
      }
      return e;
    }
    case Kind::RemoveVersion:
      return {"LifecycleExpiration:Delete", change.object};
    case Kind::Transition: {
      LifecycleEvent e{"LifecycleTransition", change.object};
      e.object.storageClass = change.storageClass;
      return e;
    }
    case Kind::AbortUpload:
      return {};
  }
  return {};
}

}  // namespace sluice::services::s3
