// Bucket lifecycle configurations: reading and validating the
// LifecycleConfiguration input as S3 does, matching rules to objects, and the
// dates at which actions become due.
//
// S3 counts lifecycle days from an object's creation (or, for noncurrent
// versions, from when it became noncurrent), then rounds up to the next
// midnight UTC: an object written at 2024-01-01T10:00Z with Days=1 becomes
// eligible at 2024-01-03T00:00Z.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::s3 {

struct LifecycleFilter {
  std::string prefix;
  std::map<std::string, std::string> tags;  // every one must be on the object
  std::optional<int64_t> sizeGreaterThan;
  std::optional<int64_t> sizeLessThan;
};

struct LifecycleTransition {
  std::optional<int64_t> days;
  std::optional<TimePoint> date;
  std::string storageClass;
};

struct NoncurrentTransition {
  int64_t noncurrentDays = 0;
  std::optional<int64_t> newerNoncurrentVersions;
  std::string storageClass;
};

struct LifecycleRule {
  std::string id;
  bool enabled = false;
  LifecycleFilter filter;
  std::optional<int64_t> expirationDays;
  std::optional<TimePoint> expirationDate;
  bool expiredObjectDeleteMarker = false;
  std::vector<LifecycleTransition> transitions;
  std::vector<NoncurrentTransition> noncurrentTransitions;
  std::optional<int64_t> noncurrentExpirationDays;
  std::optional<int64_t> newerNoncurrentVersions;
  std::optional<int64_t> abortDaysAfterInitiation;
};

// Validates a LifecycleConfiguration ({"Rules": [...]}) as S3 does:
// MalformedXML for structural mistakes, InvalidArgument / InvalidRequest
// with S3's messages for values. Rules without an ID get a generated one.
Result<std::vector<LifecycleRule>> parseLifecycle(const Json& configuration,
                                                  const std::function<std::string()>& newId);

// Reads a Filter (Prefix | Tag | And{Prefix, Tags, sizes} | a size) into
// `f`: MalformedXML when it names several conditions outside And. Shared with
// the Intelligent-Tiering configurations, whose Filter has the same form.
Result<void> parseLifecycleFilter(const Json& filter, LifecycleFilter& f);

// Whether an object (key, size, tags {k: v}) is in a rule's scope.
bool lifecycleMatches(const LifecycleFilter& f, std::string_view key, uint64_t size,
                      const Json& tags);

// `from` + `days`, rounded up to the next midnight UTC (unchanged when it
// already is midnight).
TimePoint lifecycleDue(TimePoint from, int64_t days);
// The first midnight UTC strictly after `t`.
TimePoint nextMidnight(TimePoint t);

// How cold a storage class is (transitions only go colder): STANDARD 0 ...
// DEEP_ARCHIVE 6; -1 for a class lifecycle does not transition from or to.
int storageClassRank(std::string_view storageClass);

}  // namespace sluice::services::s3
