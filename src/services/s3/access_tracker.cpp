#include "services/s3/access_tracker.hpp"

#include <iostream>

#include "services/s3/object_attrs.hpp"
#include "services/s3/tiering_rules.hpp"

namespace sluice::services::s3 {

namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

}  // namespace

AccessTracker::~AccessTracker() {
  flush();
}

bool AccessTracker::needsRecord(TimePoint lastAccess, TimePoint now) {
  return toEpochMicros(lastAccess) / kDayMicros != toEpochMicros(now) / kDayMicros;
}

void AccessTracker::note(const ObjectRecord& o) {
  if (o.storageClass != "INTELLIGENT_TIERING" || o.size < kTieringMinimumSize) return;
  TimePoint now = clock_.now();
  if (!needsRecord(lastAccessOf(o), now)) return;
  std::vector<AccessRecord> batch;
  {
    std::lock_guard lock(mutex_);
    TimePoint& at = pending_[VersionKey{o.bucket, o.key, o.versionId}];
    at = std::max(at, now);
    if (writing_) return;  // goes with the next write
    writing_ = true;
    batch = takePendingLocked();
  }
  write(std::move(batch));
}

std::vector<AccessRecord> AccessTracker::takePendingLocked() {
  std::vector<AccessRecord> records;
  records.reserve(pending_.size());
  for (auto& [k, at] : pending_) {
    records.push_back(AccessRecord{std::get<0>(k), std::get<1>(k), std::get<2>(k), at});
  }
  pending_.clear();
  return records;
}

// Called without the lock: the store may complete at once, on this thread.
void AccessTracker::write(std::vector<AccessRecord> batch) {
  store_.recordAccess(std::move(batch), [this](Result<void> r) {
    if (!r) std::cerr << "s3 access tracking: " << r.error().message << "\n";
    std::vector<AccessRecord> next;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) {
        writing_ = false;
        idle_.notify_all();
        return;
      }
      next = takePendingLocked();
    }
    write(std::move(next));
  });
}

void AccessTracker::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return !writing_; });
}

}  // namespace sluice::services::s3
