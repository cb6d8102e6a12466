// Running lifecycle rules: a timer at every midnight UTC on the engine loop
// (S3 evaluates rules once a day, and due dates are midnights) walks every
// bucket with a configuration and applies what is due:
//   current versions    Expiration (deleted, or a delete marker when the
//                       bucket is versioned), else the coldest due Transition
//   delete markers      ExpiredObjectDeleteMarker removes a marker left alone
//   noncurrent versions NoncurrentVersionExpiration / Transitions, counted
//                       from when the next version replaced them, sparing
//                       the NewerNoncurrentVersions newest
//   multipart uploads   AbortIncompleteMultipartUpload
// Deletion wins over transition, as in S3.
#include <iostream>

#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr size_t kPage = 1000;

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

void logError(const AwsError& e) {
  std::cerr << "s3 lifecycle: " << e.message << "\n";
}

}  // namespace

void S3Service::armLifecycle() {
  loop_.post([this] {
    loop_.schedule(nextMidnight(loop_.now()), [this] {
      runLifecycle(loop_.now());
      armLifecycle();
    });
  });
}

void S3Service::runLifecycle(TimePoint now) {
  auto buckets = meta_->buckets();
  if (!buckets) return logError(buckets.error());
  for (const auto& b : *buckets) {
    const Json* config = b.config.as_object().if_contains("Lifecycle");
    if (!config || !config->is_object()) continue;
    auto parsed = parseLifecycle(*config, [] { return std::string(); });
    if (!parsed) continue;
    std::vector<LifecycleRule> rules;
    for (auto& r : *parsed) {
      if (r.enabled) rules.push_back(std::move(r));
    }
    if (rules.empty()) continue;
    // Versions come by key, newest first; a key's versions may span pages.
    std::vector<ObjectRecord> group;
    std::string key;
    int64_t seq = -1;
    bool first = true;
    for (;;) {
      auto page = meta_->listVersions(b.name, "", key, seq, first, kPage);
      if (!page) return logError(page.error());
      first = false;
      for (auto& v : *page) {
        if (!group.empty() && group.front().key != v.key) {
          applyLifecycle(b, rules, group, now);
          group.clear();
        }
        key = v.key;
        seq = v.seq;
        group.push_back(std::move(v));
      }
      if (page->size() < kPage) break;
    }
    if (!group.empty()) applyLifecycle(b, rules, group, now);
    auto uploads = meta_->uploads(b.name);
    if (!uploads) return logError(uploads.error());
    for (const auto& u : *uploads) {
      for (const auto& r : rules) {
        if (!r.abortDaysAfterInitiation || !u.key.starts_with(r.filter.prefix)) continue;
        if (lifecycleDue(u.initiated, *r.abortDaysAfterInitiation) > now) continue;
        auto orphans = meta_->abortUpload(u.uploadId);
        if (orphans) removeFiles(*orphans);
        break;
      }
    }
  }
}

void S3Service::applyLifecycle(const BucketRecord& b, const std::vector<LifecycleRule>& rules,
                               const std::vector<ObjectRecord>& versions, TimePoint now) {
  const bool versioned = !b.versioning.empty();
  const ObjectRecord& head = versions.front();
  if (head.latest && !head.deleteMarker) {
    bool expire = false;
    const LifecycleTransition* coldest = nullptr;
    for (const auto& r : rules) {
      if (!lifecycleMatches(r.filter, head.key, head.size, tagsOf(head))) continue;
      expire = expire || due(r.expirationDays, r.expirationDate, head.lastModified, now);
      for (const auto& t : r.transitions) {
        if (!due(t.days, t.date, head.lastModified, now)) continue;
        if (!coldest ||
            storageClassRank(t.storageClass) > storageClassRank(coldest->storageClass)) {
          coldest = &t;
        }
      }
    }
    if (expire) {
      auto r = meta_->deleteObject(b.name, head.key, std::nullopt, newVersionId(), now);
      if (!r) return logError(r.error());
      removeFiles(r->orphans);
      ObjectRecord gone = head;
      if (r->deleteMarker) gone.versionId = r->versionId;
      publish(r->deleteMarker ? "LifecycleExpiration:DeleteMarkerCreated"
                              : "LifecycleExpiration:Delete",
              gone, nullptr);
      return;
    }
    if (coldest && storageClassRank(coldest->storageClass) > storageClassRank(head.storageClass)) {
      Json attrs = head.attrs;
      for (auto name : {"Restore", "RestoreDue", "RestoreDays", "RestoreExpiry"}) {
        attrs.as_object().erase(name);
      }
      if (auto r = meta_->setStorageClass(b.name, head.key, head.versionId, coldest->storageClass,
                                          attrs);
          !r) {
        return logError(r.error());
      }
      ObjectRecord moved = head;
      moved.storageClass = coldest->storageClass;
      publish("LifecycleTransition", moved, nullptr);
    }
  } else if (head.latest && head.deleteMarker && versions.size() == 1 && versioned) {
    // A delete marker with no versions behind it ("expired object delete marker").
    for (const auto& r : rules) {
      if (!r.expiredObjectDeleteMarker || !head.key.starts_with(r.filter.prefix)) continue;
      auto d = meta_->deleteObject(b.name, head.key, head.versionId, newVersionId(), now);
      if (!d) return logError(d.error());
      publish("LifecycleExpiration:Delete", head, nullptr);
      return;
    }
  }
  // Noncurrent versions: each became noncurrent when the next newer one was written.
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
      auto d = meta_->deleteObject(b.name, v.key, v.versionId, newVersionId(), now);
      if (!d) {
        logError(d.error());
        continue;
      }
      removeFiles(d->orphans);
      publish("LifecycleExpiration:Delete", v, nullptr);
    } else if (coldest && !v.deleteMarker &&
               storageClassRank(coldest->storageClass) > storageClassRank(v.storageClass)) {
      if (auto r =
              meta_->setStorageClass(b.name, v.key, v.versionId, coldest->storageClass, v.attrs);
          !r) {
        logError(r.error());
        continue;
      }
      ObjectRecord moved = v;
      moved.storageClass = coldest->storageClass;
      publish("LifecycleTransition", moved, nullptr);
    }
  }
}

}  // namespace sluice::services::s3
