// Last-access tracking for Intelligent-Tiering (what the archive tiers count
// from). Only INTELLIGENT_TIERING versions of at least 128 KiB are tracked
// (smaller ones are never archived), so reads of anything else cost one
// comparison. A read is recorded at most once a UTC day per version: the
// daily pass counts whole days, so a later read the same day changes no due
// date. Recording never delays the read: reads are queued here and written
// in ONE write item, with every read that arrives while it commits going
// into the next one.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include "core/clock.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

class AccessTracker {
 public:
  AccessTracker(S3Store& store, const Clock& clock) : store_(store), clock_(clock) {}
  // Waits for the write in flight (its completion uses this object).
  ~AccessTracker();
  AccessTracker(const AccessTracker&) = delete;
  AccessTracker& operator=(const AccessTracker&) = delete;

  // Notes that `o`'s bytes were read now (GET, copy source).
  void note(const ObjectRecord& o);
  // Waits until every read noted so far is durable.
  void flush();

  // Whether a read at `now` needs recording for a version last accessed at
  // `lastAccess` (a different UTC day).
  static bool needsRecord(TimePoint lastAccess, TimePoint now);

 private:
  using VersionKey = std::tuple<std::string, std::string, std::string>;
  std::vector<AccessRecord> takePendingLocked();
  void write(std::vector<AccessRecord> batch);

  S3Store& store_;
  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::map<VersionKey, TimePoint> pending_;
  bool writing_ = false;
};

}  // namespace sluice::services::s3
