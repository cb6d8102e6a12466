// S3 Intelligent-Tiering archive configurations: reading and validating an
// IntelligentTieringConfiguration as S3 does, and deciding which archive
// access tier an INTELLIGENT_TIERING object belongs in (no I/O).
//
// An Enabled configuration whose Filter matches an object moves it to the
// Archive Access tier after `Days` (90-730) without access, and to the Deep
// Archive Access tier after its `Days` (180-730); when both are due the
// deeper one wins. Objects smaller than 128 KiB are never archived. Days
// count from the last access (or the object's creation) and, as lifecycle
// days do, round up to the next midnight UTC, when the daily pass runs.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "services/s3/lifecycle_rules.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

inline constexpr char kArchiveAccess[] = "ARCHIVE_ACCESS";
inline constexpr char kDeepArchiveAccess[] = "DEEP_ARCHIVE_ACCESS";
// Smaller objects are not monitored and stay in the frequent access tier.
inline constexpr uint64_t kTieringMinimumSize = 128 * 1024;
inline constexpr size_t kMaxTieringConfigurations = 1000;

struct TieringConfig {
  std::string id;
  bool enabled = false;
  LifecycleFilter filter;
  std::optional<int64_t> archiveDays;      // ARCHIVE_ACCESS
  std::optional<int64_t> deepArchiveDays;  // DEEP_ARCHIVE_ACCESS
};

// Validates an IntelligentTieringConfiguration ({Id, Status, Filter?,
// Tierings[{Days, AccessTier}]}): MalformedXML for structural mistakes and
// unknown enum values, InvalidArgument for out-of-range values.
Result<TieringConfig> parseTieringConfig(const Json& configuration);

// 0 for the frequent access tiers, 1 ARCHIVE_ACCESS, 2 DEEP_ARCHIVE_ACCESS.
int accessTierRank(std::string_view accessTier);

// The archive tier an object (key, size, tags) last accessed at
// `lastAccess` belongs in at `now` under `configs`; "" for none.
std::string dueAccessTier(const std::vector<TieringConfig>& configs, std::string_view key,
                          uint64_t size, const Json& tags, TimePoint lastAccess, TimePoint now);

// The archive moves due for one key's versions: every INTELLIGENT_TIERING
// version (current or not) not in `skip` (versions lifecycle already changes
// in this pass) and not being restored, whose due tier is deeper than the one
// it is in.
void planTiering(const std::vector<TieringConfig>& configs,
                 const std::vector<ObjectRecord>& versions, const std::set<std::string>& skip,
                 TimePoint now, std::vector<TieringMove>& out);

}  // namespace sluice::services::s3
