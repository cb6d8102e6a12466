// How long a restore of an archived object takes, per storage class and
// retrieval tier. The defaults are the upper bounds AWS documents: GLACIER
// Expedited 5 minutes, Standard 5 hours, Bulk 12 hours; DEEP_ARCHIVE Standard
// 12 hours, Bulk 48 hours (no Expedited tier). The Intelligent-Tiering
// archive access tiers take the same: ARCHIVE_ACCESS as GLACIER,
// DEEP_ARCHIVE_ACCESS as DEEP_ARCHIVE (keyed by the access tier).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace sluice::services::s3 {

class RestoreDelays {
 public:
  RestoreDelays();
  // Overrides from "GLACIER.Expedited=60,DEEP_ARCHIVE.Bulk=3600" (seconds);
  // the server's --s3-restore-delays.
  static Result<RestoreDelays> parse(std::string_view spec);
  // The delay for a storage class or an Intelligent-Tiering access tier;
  // nullopt when it has no such retrieval tier.
  std::optional<Duration> delay(std::string_view storageClass, std::string_view tier) const;

 private:
  std::map<std::string, Duration, std::less<>> delays_;  // by "<class>.<tier>"
};

}  // namespace sluice::services::s3
