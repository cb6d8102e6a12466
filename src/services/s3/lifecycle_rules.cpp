#include "services/s3/lifecycle_rules.hpp"

#include <set>

#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"

namespace sluice::services::s3 {

namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;
constexpr size_t kMaxRules = 1000;

const Json* member(const Json& o, std::string_view name) {
  if (!o.is_object()) return nullptr;
  const Json* v = o.as_object().if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

// Infrequent-access classes bill 30 days at least, so S3 refuses to move
// objects there sooner.
bool thirtyDayMinimum(std::string_view storageClass) {
  return storageClass == "STANDARD_IA" || storageClass == "ONEZONE_IA";
}

bool isTransitionClass(std::string_view c) {
  return c == "GLACIER" || c == "STANDARD_IA" || c == "ONEZONE_IA" || c == "INTELLIGENT_TIERING" ||
         c == "DEEP_ARCHIVE" || c == "GLACIER_IR";
}

Result<void> readTag(const Json& tag, std::map<std::string, std::string>& into) {
  auto key = optStr(tag, "Key");
  if (!key) return errors::malformedXml();
  into[*key] = optStr(tag, "Value").value_or("");
  return {};
}

}  // namespace

Result<void> parseLifecycleFilter(const Json& filter, LifecycleFilter& f) {
  if (!filter.is_object()) return errors::malformedXml();
  int given = 0;
  for (auto name : {"Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan"}) {
    if (member(filter, name)) ++given;
  }
  // A filter names one condition; several are combined with And.
  if (given > 1) return errors::malformedXml();
  f.prefix = optStr(filter, "Prefix").value_or("");
  if (const Json* tag = member(filter, "Tag")) {
    if (auto r = readTag(*tag, f.tags); !r) return r;
  }
  const Json* conditions = member(filter, "And");
  const Json& sized = conditions ? *conditions : filter;
  f.sizeGreaterThan = optInt(sized, "ObjectSizeGreaterThan");
  f.sizeLessThan = optInt(sized, "ObjectSizeLessThan");
  if (conditions) {
    f.prefix = optStr(*conditions, "Prefix").value_or("");
    if (const Json* tags = member(*conditions, "Tags")) {
      if (!tags->is_array()) return errors::malformedXml();
      for (const auto& t : tags->as_array()) {
        if (auto r = readTag(t, f.tags); !r) return r;
      }
    }
  }
  if ((f.sizeGreaterThan && *f.sizeGreaterThan < 0) || (f.sizeLessThan && *f.sizeLessThan <= 0)) {
    return errors::invalidArgument("Object size must be a non-negative number of bytes");
  }
  if (f.sizeGreaterThan && f.sizeLessThan && *f.sizeGreaterThan >= *f.sizeLessThan) {
    return errors::invalidArgument(
        "ObjectSizeGreaterThan must be less than ObjectSizeLessThan in the same filter");
  }
  return {};
}

namespace {

Result<std::optional<TimePoint>> readDate(const Json& action) {
  if (!member(action, "Date")) return std::optional<TimePoint>();
  auto date = optTime(action, "Date");
  if (!date) return errors::malformedXml();
  if (toEpochMicros(*date) % kDayMicros != 0) {
    return errors::invalidArgument("'Date' must be at midnight GMT");
  }
  return date;
}

Result<void> readExpiration(const Json& e, LifecycleRule& rule) {
  if (!e.is_object()) return errors::malformedXml();
  rule.expirationDays = optInt(e, "Days");
  auto date = readDate(e);
  if (!date) return date.takeError();
  rule.expirationDate = *date;
  bool marker = member(e, "ExpiredObjectDeleteMarker") != nullptr;
  rule.expiredObjectDeleteMarker = flag(e, "ExpiredObjectDeleteMarker");
  int given = (rule.expirationDays ? 1 : 0) + (rule.expirationDate ? 1 : 0) + (marker ? 1 : 0);
  if (given != 1) return errors::malformedXml();
  if (rule.expirationDays && *rule.expirationDays <= 0) {
    return errors::invalidArgument("'Days' for Expiration action must be a positive integer");
  }
  return {};
}

Result<void> readTransitions(const Json& list, LifecycleRule& rule) {
  if (!list.is_array()) return errors::malformedXml();
  std::set<std::string> seen;
  for (const auto& t : list.as_array()) {
    LifecycleTransition tr;
    tr.storageClass = optStr(t, "StorageClass").value_or("");
    if (!isTransitionClass(tr.storageClass)) return errors::malformedXml();
    tr.days = optInt(t, "Days");
    auto date = readDate(t);
    if (!date) return date.takeError();
    tr.date = *date;
    if (tr.days.has_value() == tr.date.has_value()) return errors::malformedXml();
    if (tr.days && *tr.days < 0) {
      return errors::invalidArgument("'Days' in Transition action must be nonnegative");
    }
    if (tr.days && *tr.days < 30 && thirtyDayMinimum(tr.storageClass)) {
      return errors::invalidRequest(
          "'Days' in Transition action must be greater than or equal to 30 for storageClass '" +
          tr.storageClass + "'");
    }
    if (!seen.insert(tr.storageClass).second) {
      return errors::invalidRequest(
          "'StorageClass' must be different for 'Transition' actions in same 'Rule' with prefix '" +
          rule.filter.prefix + "'");
    }
    rule.transitions.push_back(std::move(tr));
  }
  return {};
}

Result<void> readNoncurrent(const Json& rule, LifecycleRule& r) {
  if (const Json* list = member(rule, "NoncurrentVersionTransitions")) {
    if (!list->is_array()) return errors::malformedXml();
    for (const auto& t : list->as_array()) {
      NoncurrentTransition tr;
      tr.storageClass = optStr(t, "StorageClass").value_or("");
      if (!isTransitionClass(tr.storageClass)) return errors::malformedXml();
      auto days = optInt(t, "NoncurrentDays");
      if (!days) return errors::malformedXml();
      if (*days < 0) {
        return errors::invalidArgument(
            "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative");
      }
      if (*days < 30 && thirtyDayMinimum(tr.storageClass)) {
        return errors::invalidRequest(
            "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or "
            "equal to 30 for storageClass '" +
            tr.storageClass + "'");
      }
      tr.noncurrentDays = *days;
      tr.newerNoncurrentVersions = optInt(t, "NewerNoncurrentVersions");
      r.noncurrentTransitions.push_back(std::move(tr));
    }
  }
  if (const Json* e = member(rule, "NoncurrentVersionExpiration")) {
    auto days = optInt(*e, "NoncurrentDays");
    if (!days) return errors::malformedXml();
    if (*days <= 0) {
      return errors::invalidArgument(
          "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    }
    r.noncurrentExpirationDays = *days;
    r.newerNoncurrentVersions = optInt(*e, "NewerNoncurrentVersions");
    if (r.newerNoncurrentVersions &&
        (*r.newerNoncurrentVersions < 1 || *r.newerNoncurrentVersions > 100)) {
      return errors::invalidArgument("'NewerNoncurrentVersions' must be between 1 and 100");
    }
  }
  return {};
}

Result<LifecycleRule> readRule(const Json& rule) {
  if (!rule.is_object()) return errors::malformedXml();
  LifecycleRule r;
  r.id = optStr(rule, "ID").value_or("");
  if (r.id.size() > 255) {
    return errors::invalidArgument("ID length should not exceed allowed limit of 255");
  }
  auto status = optStr(rule, "Status");
  if (status != "Enabled" && status != "Disabled") return errors::malformedXml();
  r.enabled = status == "Enabled";
  const Json* filter = member(rule, "Filter");
  const Json* prefix = member(rule, "Prefix");
  // A rule scopes itself with a Filter, or (the older form) a top-level Prefix.
  if ((filter != nullptr) == (prefix != nullptr)) return errors::malformedXml();
  if (filter) {
    if (auto f = parseLifecycleFilter(*filter, r.filter); !f) return f.error();
  } else {
    r.filter.prefix = optStr(rule, "Prefix").value_or("");
  }
  if (const Json* e = member(rule, "Expiration")) {
    if (auto x = readExpiration(*e, r); !x) return x.error();
  }
  if (const Json* t = member(rule, "Transitions")) {
    if (auto x = readTransitions(*t, r); !x) return x.error();
  }
  if (auto x = readNoncurrent(rule, r); !x) return x.error();
  if (const Json* a = member(rule, "AbortIncompleteMultipartUpload")) {
    auto days = optInt(*a, "DaysAfterInitiation");
    if (!days) return errors::malformedXml();
    if (*days <= 0) {
      return errors::invalidArgument(
          "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
          "integer");
    }
    if (!r.filter.tags.empty()) {
      return errors::invalidRequest(
          "AbortIncompleteMultipartUpload cannot be specified with Tags.");
    }
    r.abortDaysAfterInitiation = *days;
  }
  if (r.expiredObjectDeleteMarker && !r.filter.tags.empty()) {
    return errors::invalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.");
  }
  bool anyAction = r.expirationDays || r.expirationDate || r.expiredObjectDeleteMarker ||
                   !r.transitions.empty() || !r.noncurrentTransitions.empty() ||
                   r.noncurrentExpirationDays || r.abortDaysAfterInitiation;
  if (!anyAction)
    return errors::invalidRequest("At least one action needs to be specified in a rule");
  if (r.expirationDays) {
    for (const auto& t : r.transitions) {
      if (t.days && *t.days >= *r.expirationDays) {
        return errors::invalidArgument(
            "'Days' in the Expiration action for filter '(prefix=" + r.filter.prefix +
            ")' must be greater than 'Days' in the Transition action");
      }
    }
  }
  return r;
}

}  // namespace

Result<std::vector<LifecycleRule>> parseLifecycle(const Json& configuration,
                                                  const std::function<std::string()>& newId) {
  const Json* rules = member(configuration, "Rules");
  if (!rules || !rules->is_array() || rules->as_array().empty()) return errors::malformedXml();
  if (rules->as_array().size() > kMaxRules) {
    return errors::invalidRequest(
        "The number of lifecycle rules must not exceed the allowed "
        "limit of 1000 rules");
  }
  std::vector<LifecycleRule> out;
  std::set<std::string> ids;
  for (const auto& rule : rules->as_array()) {
    auto r = readRule(rule);
    if (!r) return r.takeError();
    if (r->id.empty()) r->id = newId();
    if (!ids.insert(r->id).second) {
      return errors::invalidArgument(
          "Rule ID must be unique. Found same ID for more than one rule");
    }
    out.push_back(std::move(*r));
  }
  return out;
}

bool lifecycleMatches(const LifecycleFilter& f, std::string_view key, uint64_t size,
                      const Json& tags) {
  if (!key.starts_with(f.prefix)) return false;
  if (f.sizeGreaterThan && !(static_cast<int64_t>(size) > *f.sizeGreaterThan)) return false;
  if (f.sizeLessThan && !(static_cast<int64_t>(size) < *f.sizeLessThan)) return false;
  for (const auto& [k, v] : f.tags) {
    const Json* have = tags.is_object() ? tags.as_object().if_contains(k) : nullptr;
    if (!have || !have->is_string() || have->as_string() != v) return false;
  }
  return true;
}

TimePoint lifecycleDue(TimePoint from, int64_t days) {
  int64_t at = toEpochMicros(from) + days * kDayMicros;
  int64_t rem = at % kDayMicros;
  if (rem != 0) at += kDayMicros - rem;
  return fromEpochMicros(at);
}

TimePoint nextMidnight(TimePoint t) {
  int64_t at = toEpochMicros(t);
  return fromEpochMicros(at - at % kDayMicros + kDayMicros);
}

int storageClassRank(std::string_view c) {
  static const std::map<std::string_view, int> kRanks = {
      {"STANDARD", 0},    {"REDUCED_REDUNDANCY", 0}, {"INTELLIGENT_TIERING", 1},
      {"STANDARD_IA", 2}, {"ONEZONE_IA", 3},         {"GLACIER_IR", 4},
      {"GLACIER", 5},     {"DEEP_ARCHIVE", 6}};
  auto it = kRanks.find(c);
  return it == kRanks.end() ? -1 : it->second;
}

}  // namespace sluice::services::s3
