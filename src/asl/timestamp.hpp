// RFC 3339 timestamps as Step Functions reads them (Wait `Timestamp`, Choice
// `Timestamp*` comparisons, `TimestampPath` values): a full date, `T`, a time
// with seconds and optional fraction, and a `Z` or `±hh:mm` offset.
#pragma once

#include <optional>
#include <string_view>

#include "core/clock.hpp"

namespace sluice::asl {

// Parses `text` into the instant it denotes, or nullopt when it is not a valid
// RFC 3339 date-time (wrong shape, month 13, Feb 30, hour 24, missing offset...).
// Fractions beyond microseconds are truncated: instants compare at that precision.
std::optional<TimePoint> parseTimestamp(std::string_view text);

}  // namespace sluice::asl
