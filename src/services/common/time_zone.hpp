// IANA time zones from the system's tz database (/usr/share/zoneinfo TZif
// files), for schedules with a ScheduleExpressionTimezone.
//
// Offsets come from the file's transition table (64-bit data of TZif v2+);
// after the last transition the last offset holds (Debian ships "fat" files
// with transitions through 2037).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice::services {

class TimeZone {
 public:
  // "UTC" (also "Etc/UTC", empty) needs no file. Unknown or malformed zones
  // are a ValidationException naming the zone.
  static Result<std::shared_ptr<const TimeZone>> load(
      std::string_view name, std::string_view zoneinfoDir = "/usr/share/zoneinfo");
  static std::shared_ptr<const TimeZone> utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at `utcSeconds`.
  int64_t offsetAt(int64_t utcSeconds) const;
  // The UTC instants that show local wall time `localSeconds` (seconds since
  // 1970-01-01T00:00 local): none in a spring-forward gap, two in a
  // fall-back overlap (earlier first), else one.
  std::vector<int64_t> fromLocal(int64_t localSeconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int32_t> offsets_;      // offset in effect from transitions_[i]
  int32_t initialOffset_ = 0;         // before the first transition
};

}  // namespace sluice::services
