#include "services/common/schedule_expression.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

namespace sluice::services {

int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civilFromDays(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

int daysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int weekdayOf(int y, int m, int d) {
  int64_t days = daysFromCivil(y, m, d);  // 1970-01-01 was a Thursday (5)
  return static_cast<int>(((days + 4) % 7 + 7) % 7) + 1;
}

namespace {

constexpr int kMinYear = 1970, kMaxYear = 2199;
const char* const kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const kWeekdays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A value of a field: a number, or a month/day name for those fields.
std::optional<int> value(std::string_view s, const char* const* names, int nameCount,
                         int firstName) {
  if (auto n = number(s)) return n;
  std::string upper(s);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (int i = 0; i < nameCount; ++i) {
    if (upper == names[i]) return firstName + i;
  }
  return std::nullopt;
}

// Sets bits [lo, hi] of a field from its text: lists of *, a, a-b, with /step.
template <size_t N>
bool parseField(std::string_view text, int lo, int hi, std::bitset<N>& bits, int offset = 0,
                const char* const* names = nullptr, int nameCount = 0) {
  for (std::string_view part : split(text, ',')) {
    int step = 1;
    auto slash = part.find('/');
    if (slash != std::string_view::npos) {
      auto s = number(part.substr(slash + 1));
      if (!s || *s <= 0) return false;
      step = *s;
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part != "*") {
      auto dash = part.find('-');
      auto a = value(part.substr(0, dash), names, nameCount, lo);
      if (!a) return false;
      from = *a;
      if (dash != std::string_view::npos) {
        auto b = value(part.substr(dash + 1), names, nameCount, lo);
        if (!b) return false;
        to = *b;
      } else if (slash == std::string_view::npos) {
        to = from;
      }
    }
    if (from < lo || to > hi || from > to) return false;
    for (int v = from; v <= to; v += step) bits.set(static_cast<size_t>(v - offset));
  }
  return true;
}

}  // namespace

Result<ScheduleExpression> ScheduleExpression::parse(std::string_view text, bool allowAt,
                                                     const std::string& invalidMessage) {
  AwsError invalid = AwsError::validation(invalidMessage);
  ScheduleExpression e;
  e.text_ = std::string(text);
  auto body = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!text.starts_with(prefix) || !text.ends_with(")")) return std::nullopt;
    return text.substr(prefix.size(), text.size() - prefix.size() - 1);
  };
  if (auto b = body("rate(")) {
    auto parts = split(*b, ' ');
    if (parts.size() != 2) return invalid;
    auto n = number(parts[0]);
    if (!n || *n <= 0) return invalid;
    std::string_view unit = parts[1];
    int64_t seconds = 0;
    std::string_view singular = unit.ends_with('s') ? unit.substr(0, unit.size() - 1) : unit;
    if (singular == "minute")
      seconds = 60;
    else if (singular == "hour")
      seconds = 3600;
    else if (singular == "day")
      seconds = 86400;
    else
      return invalid;
    // "rate(1 minute)" and "rate(5 minutes)": singular exactly for 1.
    if ((*n == 1) != (unit == singular)) return invalid;
    e.kind_ = Kind::Rate;
    e.rate_ = std::chrono::seconds(seconds * *n);
    return e;
  }
  if (auto b = body("at(")) {
    if (!allowAt) return invalid;
    int y, mo, d, h, mi, s;
    char t;
    std::string str(*b);
    if (str.size() != 19 ||
        std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &s) != 7 ||
        t != 'T' || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 ||
        s > 59) {
      return invalid;
    }
    e.kind_ = Kind::At;
    e.atLocal_ = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return e;
  }
  auto b = body("cron(");
  if (!b) return invalid;
  std::vector<std::string_view> f;
  for (auto part : split(*b, ' ')) {
    if (!part.empty()) f.push_back(part);
  }
  if (f.size() != 6) return invalid;
  Cron& c = e.cron_;
  if (!parseField(f[0], 0, 59, c.minutes) || !parseField(f[1], 0, 23, c.hours) ||
      !parseField(f[3], 1, 12, c.months, 0, kMonths, 12) ||
      !parseField(f[5], kMinYear, kMaxYear, c.years, kMinYear)) {
    return invalid;
  }
  std::string_view dom = f[2], dow = f[4];
  c.anyDay = dom == "?";
  c.anyWeekday = dow == "?";
  if (c.anyDay == c.anyWeekday) return invalid;  // exactly one of them is "?"
  if (!c.anyDay) {
    if (dom == "L") {
      c.lastDay = true;
    } else if (dom == "LW") {
      c.lastWeekdayOfMonth = true;
    } else if (dom.ends_with('W')) {
      auto n = number(dom.substr(0, dom.size() - 1));
      if (!n || *n < 1 || *n > 31) return invalid;
      c.nearestWeekday = *n;
    } else if (!parseField(dom, 1, 31, c.days)) {
      return invalid;
    }
  }
  if (!c.anyWeekday) {
    if (auto hash = dow.find('#'); hash != std::string_view::npos) {
      auto d = value(dow.substr(0, hash), kWeekdays, 7, 1);
      auto k = number(dow.substr(hash + 1));
      if (!d || *d < 1 || *d > 7 || !k || *k < 1 || *k > 5) return invalid;
      c.nthWeekday = *d;
      c.nth = *k;
    } else if (dow.size() > 1 && dow.ends_with('L')) {
      auto d = value(dow.substr(0, dow.size() - 1), kWeekdays, 7, 1);
      if (!d || *d < 1 || *d > 7) return invalid;
      c.lastOfWeekday = *d;
    } else if (dow == "L") {
      c.lastOfWeekday = 7;
    } else if (!parseField(dow, 1, 7, c.weekdays, 0, kWeekdays, 7)) {
      return invalid;
    }
  }
  e.kind_ = Kind::Cron;
  return e;
}

bool ScheduleExpression::dayMatches(int y, int m, int d) const {
  const Cron& c = cron_;
  if (!c.months.test(static_cast<size_t>(m))) return false;
  int last = daysInMonth(y, m);
  if (c.anyWeekday) {
    if (c.lastDay) return d == last;
    auto nearest = [&](int target) {
      target = std::min(target, last);
      int wd = weekdayOf(y, m, target);
      if (wd == 7) return target == 1 ? target + 2 : target - 1;     // Saturday
      if (wd == 1) return target == last ? target - 2 : target + 1;  // Sunday
      return target;
    };
    if (c.lastWeekdayOfMonth) return d == nearest(last);
    if (c.nearestWeekday) return c.nearestWeekday <= last && d == nearest(c.nearestWeekday);
    return c.days.test(static_cast<size_t>(d));
  }
  int wd = weekdayOf(y, m, d);
  if (c.lastOfWeekday) return wd == c.lastOfWeekday && d + 7 > last;
  if (c.nth) return wd == c.nthWeekday && (d - 1) / 7 + 1 == c.nth;
  return c.weekdays.test(static_cast<size_t>(wd));
}

std::optional<TimePoint> ScheduleExpression::nextCron(TimePoint after, const TimeZone& zone) const {
  int64_t afterSec = std::chrono::floor<std::chrono::seconds>(after.time_since_epoch()).count();
  // Walk local days from the day `after` falls on (a day early, for zones
  // west of UTC), checking each matching minute in order.
  int64_t localAfter = afterSec + zone.offsetAt(afterSec);
  int64_t day = localAfter / 86400 - 1;
  int64_t lastDay = daysFromCivil(kMaxYear, 12, 31);
  for (; day <= lastDay; ++day) {
    int y, m, d;
    civilFromDays(day, y, m, d);
    if (y < kMinYear) continue;
    if (!cron_.years.test(static_cast<size_t>(y - kMinYear))) {
      day = daysFromCivil(y + 1, 1, 1) - 1;  // skip the rest of this year
      continue;
    }
    if (!dayMatches(y, m, d)) continue;
    for (int h = 0; h < 24; ++h) {
      if (!cron_.hours.test(static_cast<size_t>(h))) continue;
      for (int mi = 0; mi < 60; ++mi) {
        if (!cron_.minutes.test(static_cast<size_t>(mi))) continue;
        auto utc = zone.fromLocal(day * 86400 + h * 3600 + mi * 60);
        if (utc.empty()) continue;    // skipped by a spring-forward change
        int64_t first = utc.front();  // a repeated hour fires once
        TimePoint at{std::chrono::seconds(first)};
        if (at > after) return at;
      }
    }
  }
  return std::nullopt;
}

std::optional<TimePoint> ScheduleExpression::nextAfter(TimePoint after, TimePoint anchor,
                                                       const TimeZone& zone) const {
  switch (kind_) {
    case Kind::Rate: {
      if (after < anchor) return anchor + rate_;
      auto periods = (after - anchor) / rate_ + 1;
      return anchor + rate_ * periods;
    }
    case Kind::At: {
      auto utc = zone.fromLocal(atLocal_);
      if (utc.empty()) return std::nullopt;
      TimePoint at{std::chrono::seconds(utc.front())};
      if (at > after) return at;
      return std::nullopt;
    }
    case Kind::Cron:
      return nextCron(after, zone);
  }
  return std::nullopt;
}

}  // namespace sluice::services
