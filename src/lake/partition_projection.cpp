#include "lake/partition_projection.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

#include "core/regex_escape.hpp"

namespace sluice::lake {

namespace {

AwsError projectionError(const std::string& message) {
  return AwsError{"HIVE_METASTORE_ERROR", "Partition projection: " + message, 400};
}

std::string parameter(const Json& table, const std::string& name) {
  const Json* params = jsonAt(table, {"Parameters"});
  if (!params || !params->is_object()) return {};
  for (const auto& kv : params->as_object()) {
    std::string k(kv.key());
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    if (k == name && kv.value().is_string()) return std::string(kv.value().get_string());
  }
  return {};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    out.push_back(trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::optional<int64_t> parseInteger(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// A run of one pattern letter, or literal text.
struct DateToken {
  char letter = 0;  // 0: literal
  size_t count = 0;
  std::string literal;
};

std::vector<DateToken> tokenize(std::string_view pattern) {
  std::vector<DateToken> out;
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {
      size_t end = pattern.find('\'', i + 1);
      if (end == std::string_view::npos) end = pattern.size();
      DateToken t;
      t.literal = end == i + 1 ? "'" : std::string(pattern.substr(i + 1, end - i - 1));
      out.push_back(t);
      i = end + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      out.push_back({c, j - i, {}});
      i = j;
    } else {
      out.push_back({0, 0, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

std::string dateRegex(std::string_view pattern) {
  std::string out;
  for (const auto& t : tokenize(pattern)) {
    if (!t.letter) {
      out += regexEscape(t.literal);
    } else if (t.count == 1 && t.letter != 'y') {
      out += "\\d{1,2}";
    } else {
      out += "\\d{" + std::to_string(t.letter == 'y' && t.count != 2 ? 4 : 2) + "}";
    }
  }
  return out;
}

// NOW, NOW-3YEARS, NOW+1DAYS ... as epoch seconds.
std::optional<int64_t> relativeNow(std::string_view text, TimePoint now) {
  std::string t = lower(trim(text));
  if (!t.starts_with("now")) return std::nullopt;
  int64_t base = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (t == "now") return base;
  if (t.size() < 5 || (t[3] != '-' && t[3] != '+')) return std::nullopt;
  int sign = t[3] == '-' ? -1 : 1;
  size_t digits = 4;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  auto n = parseInteger(std::string_view(t).substr(4, digits - 4));
  if (!n) return std::nullopt;
  std::string unit = t.substr(digits);
  if (unit.ends_with("s")) unit.pop_back();
  if (unit == "year" || unit == "month") {
    std::time_t secs = static_cast<std::time_t>(base);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    int64_t months = (tm.tm_year + 1900) * 12 + tm.tm_mon + sign * *n * (unit == "year" ? 12 : 1);
    int64_t y = months / 12, m = months % 12 + 1;
    int64_t day = std::min<int64_t>(
        tm.tm_mday, daysFromCivil(y + m / 12, m % 12 + 1, 1) - daysFromCivil(y, m, 1));
    return daysFromCivil(y, m, day) * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  }
  const std::pair<const char*, int64_t> units[] = {
      {"week", 604800}, {"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}};
  for (const auto& [name, seconds] : units) {
    if (unit == name) return base + sign * *n * seconds;
  }
  return std::nullopt;
}

// `epoch` written with `pattern` (the letters parseProjectedDate reads).
std::string formatProjectedDate(int64_t epoch, std::string_view pattern) {
  std::time_t secs = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out;
  for (const auto& t : tokenize(pattern)) {
    if (!t.letter) {
      out += t.literal;
      continue;
    }
    int v = 0;
    switch (t.letter) {
      case 'y':
        v = t.count == 2 ? (tm.tm_year + 1900) % 100 : tm.tm_year + 1900;
        break;
      case 'M':
        v = tm.tm_mon + 1;
        break;
      case 'd':
        v = tm.tm_mday;
        break;
      case 'H':
        v = tm.tm_hour;
        break;
      case 'm':
        v = tm.tm_min;
        break;
      case 's':
        v = tm.tm_sec;
        break;
      default:
        break;
    }
    std::string digits = std::to_string(v);
    size_t width = t.letter == 'y' ? (t.count == 2 ? 2 : 4) : (t.count == 1 ? 1 : 2);
    if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
    out += digits;
  }
  return out;
}

}  // namespace

std::optional<int64_t> parseProjectedDate(std::string_view value, std::string_view pattern) {
  int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  size_t at = 0;
  for (const auto& t : tokenize(pattern)) {
    if (!t.letter) {
      if (value.substr(at, t.literal.size()) != t.literal) return std::nullopt;
      at += t.literal.size();
      continue;
    }
    size_t width = t.letter == 'y' ? (t.count == 2 ? 2 : 4) : (t.count == 1 ? 0 : 2);
    size_t end = at;
    if (width) {
      end = at + width;
    } else {  // one letter: one or two digits
      while (end < value.size() && end < at + 2 &&
             std::isdigit(static_cast<unsigned char>(value[end]))) {
        ++end;
      }
    }
    if (end > value.size() || end == at) return std::nullopt;
    for (size_t i = at; i < end; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(value[i]))) return std::nullopt;
    }
    int64_t n = *parseInteger(value.substr(at, end - at));
    at = end;
    switch (t.letter) {
      case 'y':
        y = t.count == 2 ? 2000 + n : n;
        break;
      case 'M':
        mo = n;
        break;
      case 'd':
        d = n;
        break;
      case 'H':
        h = n;
        break;
      case 'm':
        mi = n;
        break;
      case 's':
        s = n;
        break;
      default:
        return std::nullopt;  // a pattern letter not supported here
    }
  }
  if (at != value.size() || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  int64_t monthDays = daysFromCivil(y + mo / 12, mo % 12 + 1, 1) - daysFromCivil(y, mo, 1);
  if (d > monthDays) return std::nullopt;
  return daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

Result<std::optional<PartitionProjection>> PartitionProjection::of(const Json& table,
                                                                   TimePoint now) {
  if (lower(parameter(table, "projection.enabled")) != "true") {
    return std::optional<PartitionProjection>();
  }
  PartitionProjection p;
  const Json* pk = jsonAt(table, {"PartitionKeys"});
  if (!pk || !pk->is_array() || pk->as_array().empty()) {
    return projectionError("projection.enabled is set on a table without partition keys");
  }
  for (const Json& k : pk->as_array()) {
    Key key;
    key.name = lower(jsonString(jsonAt(k, {"Name"})));
    std::string prefix = "projection." + key.name + ".";
    key.type = lower(parameter(table, prefix + "type"));
    if (key.type == "integer") {
      auto range = splitList(parameter(table, prefix + "range"));
      auto lo = range.size() == 2 ? parseInteger(range[0]) : std::nullopt;
      auto hi = range.size() == 2 ? parseInteger(range[1]) : std::nullopt;
      if (!lo || !hi) {
        return projectionError(prefix + "range must be two integers \"low,high\" for column " +
                               key.name);
      }
      key.low = *lo;
      key.high = *hi;
      if (auto d = parameter(table, prefix + "digits"); !d.empty()) {
        auto digits = parseInteger(d);
        if (!digits || *digits < 1) return projectionError(prefix + "digits must be a number");
        key.digits = static_cast<int>(*digits);
      }
      if (auto i = parameter(table, prefix + "interval"); !i.empty()) {
        auto interval = parseInteger(i);
        if (!interval || *interval < 1) return projectionError(prefix + "interval must be >= 1");
        key.interval = *interval;
      }
    } else if (key.type == "enum") {
      std::string values = parameter(table, prefix + "values");
      if (values.empty())
        return projectionError(prefix + "values is required for column " + key.name);
      key.values = splitList(values);
    } else if (key.type == "date") {
      key.format = parameter(table, prefix + "format");
      auto range = splitList(parameter(table, prefix + "range"));
      if (key.format.empty()) {
        return projectionError(prefix + "format is required for column " + key.name);
      }
      if (range.size() != 2) {
        return projectionError(prefix + "range must be two bounds \"start,end\" for column " +
                               key.name + ", not \"" + parameter(table, prefix + "range") + "\"");
      }
      for (int b = 0; b < 2; ++b) {
        // A relative bound counts at the format's precision: NOW-1MONTHS
        // with days is that day, whatever the hour.
        auto at = relativeNow(range[b], now);
        if (at) at = parseProjectedDate(formatProjectedDate(*at, key.format), key.format);
        if (!at) at = parseProjectedDate(range[b], key.format);
        if (!at) {
          return projectionError("the range bound \"" + range[b] + "\" of column " + key.name +
                                 " fits neither NOW[+-N<UNIT>] nor the format " + key.format);
        }
        (b ? key.end : key.start) = *at;
      }
    } else if (key.type != "injected") {
      return projectionError("column " + key.name + " needs " + prefix +
                             "type: integer, enum, date or injected");
    }
    p.keys_.push_back(std::move(key));
  }
  std::string location = jsonString(jsonAt(table, {"StorageDescriptor", "Location"}));
  if (!location.empty() && !location.ends_with("/")) location += "/";
  p.template_ = parameter(table, "storage.location.template");
  if (p.template_.empty()) {
    p.template_ = location;
    for (const auto& k : p.keys_) p.template_ += k.name + "=${" + k.name + "}/";
  }
  if (!p.template_.ends_with("/")) p.template_ += "/";
  if (!p.template_.starts_with("s3://")) {
    return projectionError("storage.location.template must be an s3:// location");
  }
  // The template as a pattern: each ${key} a group of what its values look like.
  std::string regex = "^";
  size_t at = 0;
  for (;;) {
    size_t open = p.template_.find("${", at);
    size_t close = open == std::string::npos ? open : p.template_.find('}', open);
    if (close == std::string::npos) {
      regex += regexEscape(std::string_view(p.template_).substr(at));
      break;
    }
    regex += regexEscape(std::string_view(p.template_).substr(at, open - at));
    std::string name = lower(p.template_.substr(open + 2, close - open - 2));
    auto key =
        std::find_if(p.keys_.begin(), p.keys_.end(), [&](const Key& k) { return k.name == name; });
    if (key == p.keys_.end()) {
      return projectionError("storage.location.template names ${" + name +
                             "}, which is not a partition key");
    }
    if (key->type == "integer") {
      regex += "(-?\\d+)";
    } else if (key->type == "date") {
      regex += "(" + dateRegex(key->format) + ")";
    } else if (key->type == "enum") {
      std::vector<std::string> values = key->values;
      std::sort(values.begin(), values.end(),
                [](const auto& a, const auto& b) { return a.size() > b.size(); });
      std::string alternatives;
      for (const auto& v : values)
        alternatives += (alternatives.empty() ? "" : "|") + regexEscape(v);
      regex += "(" + alternatives + ")";
    } else {
      regex += "([^/]+)";
    }
    p.groupKeys_.push_back(static_cast<size_t>(key - p.keys_.begin()));
    if (p.listPrefix_.empty()) {
      p.listPrefix_ = p.template_.substr(0, p.template_.rfind('/', open) + 1);
    }
    at = close + 1;
  }
  for (size_t k = 0; k < p.keys_.size(); ++k) {
    if (std::find(p.groupKeys_.begin(), p.groupKeys_.end(), k) == p.groupKeys_.end()) {
      return projectionError("storage.location.template must contain ${" + p.keys_[k].name +
                             "} for every partition key");
    }
  }
  p.pattern_ = std::regex(regex + "(.*)$");
  return std::optional<PartitionProjection>(std::move(p));
}

bool PartitionProjection::inDomain(const Key& key, const std::string& value) const {
  if (key.type == "integer") {
    auto v = parseInteger(value);
    if (!v || *v < key.low || *v > key.high || (*v - key.low) % key.interval != 0) return false;
    std::string written = std::to_string(*v < 0 ? -*v : *v);
    if (written.size() < static_cast<size_t>(key.digits)) {
      written.insert(0, static_cast<size_t>(key.digits) - written.size(), '0');
    }
    return value == (*v < 0 ? "-" : "") + written;
  }
  if (key.type == "enum") {
    return std::find(key.values.begin(), key.values.end(), value) != key.values.end();
  }
  if (key.type == "date") {
    auto t = parseProjectedDate(value, key.format);
    return t && *t >= key.start && *t <= key.end;
  }
  return true;  // injected: whatever the query names
}

std::optional<PartitionProjection::Match> PartitionProjection::partitionOf(
    std::string_view objectUri) const {
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(objectUri.begin(), objectUri.end(), m, pattern_)) return std::nullopt;
  Match out;
  out.values.resize(keys_.size());
  std::vector<bool> seen(keys_.size(), false);
  for (size_t g = 0; g < groupKeys_.size(); ++g) {
    size_t k = groupKeys_[g];
    std::string v = m[g + 1].str();
    if (seen[k] && out.values[k] != v) return std::nullopt;  // one key, two values
    seen[k] = true;
    out.values[k] = std::move(v);
  }
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (!inDomain(keys_[k], out.values[k])) return std::nullopt;
  }
  size_t rest = static_cast<size_t>(m[groupKeys_.size() + 1].first - objectUri.begin());
  out.location = std::string(objectUri.substr(0, rest));
  return out;
}

}  // namespace sluice::lake
