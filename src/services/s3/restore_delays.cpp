#include "services/s3/restore_delays.hpp"

#include <charconv>

namespace sluice::services::s3 {

RestoreDelays::RestoreDelays()
    : delays_{{"GLACIER.Expedited", std::chrono::minutes(5)},
              {"GLACIER.Standard", std::chrono::hours(5)},
              {"GLACIER.Bulk", std::chrono::hours(12)},
              {"DEEP_ARCHIVE.Standard", std::chrono::hours(12)},
              {"DEEP_ARCHIVE.Bulk", std::chrono::hours(48)},
              {"ARCHIVE_ACCESS.Expedited", std::chrono::minutes(5)},
              {"ARCHIVE_ACCESS.Standard", std::chrono::hours(5)},
              {"ARCHIVE_ACCESS.Bulk", std::chrono::hours(12)},
              {"DEEP_ARCHIVE_ACCESS.Standard", std::chrono::hours(12)},
              {"DEEP_ARCHIVE_ACCESS.Bulk", std::chrono::hours(48)}} {}

Result<RestoreDelays> RestoreDelays::parse(std::string_view spec) {
  RestoreDelays d;
  while (!spec.empty()) {
    auto comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    auto eq = item.find('=');
    std::string_view name = item.substr(0, eq);
    int64_t seconds = -1;
    if (eq != std::string_view::npos) {
      std::string_view value = item.substr(eq + 1);
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc() || ptr != value.data() + value.size()) seconds = -1;
    }
    auto it = d.delays_.find(name);
    if (it == d.delays_.end() || seconds < 0) {
      return AwsError::validation(
          "--s3-restore-delays: expected <CLASS>.<Tier>=<seconds> with CLASS.Tier one of "
          "GLACIER.Expedited, GLACIER.Standard, GLACIER.Bulk, DEEP_ARCHIVE.Standard, "
          "DEEP_ARCHIVE.Bulk, ARCHIVE_ACCESS.Expedited, ARCHIVE_ACCESS.Standard, "
          "ARCHIVE_ACCESS.Bulk, DEEP_ARCHIVE_ACCESS.Standard, DEEP_ARCHIVE_ACCESS.Bulk; got '" +
          std::string(item) + "'");
    }
    it->second = std::chrono::seconds(seconds);
  }
  return d;
}

std::optional<Duration> RestoreDelays::delay(std::string_view storageClass,
                                             std::string_view tier) const {
  auto it = delays_.find(std::string(storageClass) + "." + std::string(tier));
  if (it == delays_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sluice::services::s3
