#include "services/s3/tiering_rules.hpp"

#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"

namespace sluice::services::s3 {

namespace {

constexpr size_t kMaxIdLength = 64;

const Json* member(const Json& o, std::string_view name) {
  const Json* v = o.as_object().if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

// Configuration ids: 1-64 letters, digits, '-', '_' or '.'.
bool validId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> readTiering(const Json& t, TieringConfig& out) {
  if (!t.is_object()) return errors::malformedXml();
  auto tier = optStr(t, "AccessTier");
  auto days = optInt(t, "Days");
  if (!tier || !days) return errors::malformedXml();
  std::optional<int64_t>* slot = nullptr;
  int64_t minimum = 0;
  if (*tier == kArchiveAccess) {
    slot = &out.archiveDays;
    minimum = 90;
  } else if (*tier == kDeepArchiveAccess) {
    slot = &out.deepArchiveDays;
    minimum = 180;
  } else {
    return errors::malformedXml();
  }
  if (slot->has_value()) {
    return errors::invalidArgument("Each access tier can be specified at most once: " + *tier);
  }
  if (*days < minimum || *days > 730) {
    return errors::invalidArgument("Days for the " + *tier + " tier must be between " +
                                   std::to_string(minimum) + " and 730");
  }
  *slot = *days;
  return {};
}

}  // namespace

Result<TieringConfig> parseTieringConfig(const Json& configuration) {
  if (!configuration.is_object()) return errors::malformedXml();
  TieringConfig c;
  auto id = optStr(configuration, "Id");
  if (!id) return errors::malformedXml();
  if (!validId(*id)) {
    return errors::invalidArgument(
        "The Id must be 1 to 64 characters of letters, digits, '-', '_' or '.'");
  }
  c.id = *id;
  auto status = optStr(configuration, "Status");
  if (!status || (*status != "Enabled" && *status != "Disabled")) return errors::malformedXml();
  c.enabled = *status == "Enabled";
  if (const Json* filter = member(configuration, "Filter")) {
    // The Intelligent-Tiering filter has no object-size conditions.
    for (auto name : {"ObjectSizeGreaterThan", "ObjectSizeLessThan"}) {
      if (filter->is_object() && member(*filter, name)) return errors::malformedXml();
    }
    if (auto r = parseLifecycleFilter(*filter, c.filter); !r) return r.error();
    for (const auto& [key, value] : c.filter.tags) {
      if (key.empty()) return errors::invalidArgument("The tag key must not be empty");
    }
  }
  const Json* tierings = member(configuration, "Tierings");
  if (!tierings || !tierings->is_array() || tierings->as_array().empty()) {
    return errors::malformedXml();
  }
  for (const auto& t : tierings->as_array()) {
    if (auto r = readTiering(t, c); !r) return r.error();
  }
  return c;
}

int accessTierRank(std::string_view accessTier) {
  if (accessTier == kArchiveAccess) return 1;
  if (accessTier == kDeepArchiveAccess) return 2;
  return 0;
}

std::string dueAccessTier(const std::vector<TieringConfig>& configs, std::string_view key,
                          uint64_t size, const Json& tags, TimePoint lastAccess, TimePoint now) {
  if (size < kTieringMinimumSize) return {};
  std::string due;
  for (const auto& c : configs) {
    if (!c.enabled || !lifecycleMatches(c.filter, key, size, tags)) continue;
    if (c.deepArchiveDays && lifecycleDue(lastAccess, *c.deepArchiveDays) <= now) {
      return kDeepArchiveAccess;  // the deepest there is
    }
    if (c.archiveDays && lifecycleDue(lastAccess, *c.archiveDays) <= now) due = kArchiveAccess;
  }
  return due;
}

void planTiering(const std::vector<TieringConfig>& configs,
                 const std::vector<ObjectRecord>& versions, const std::set<std::string>& skip,
                 TimePoint now, std::vector<TieringMove>& out) {
  static const Json kNoTags = JsonObject{};
  for (const auto& v : versions) {
    if (v.deleteMarker || v.storageClass != "INTELLIGENT_TIERING" || skip.count(v.versionId)) {
      continue;
    }
    if (v.attrs.as_object().contains("RestoreDue")) continue;  // on its way back
    const Json* tags = v.attrs.as_object().if_contains("Tags");
    std::string tier =
        dueAccessTier(configs, v.key, v.size, tags ? *tags : kNoTags, lastAccessOf(v), now);
    if (accessTierRank(tier) > accessTierRank(accessTierOf(v))) {
      out.push_back(TieringMove{v, std::move(tier)});
    }
  }
}

}  // namespace sluice::services::s3
