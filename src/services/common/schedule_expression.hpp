// Schedule expressions shared by EventBridge rules and EventBridge Scheduler:
//
//   rate(5 minutes)  rate(1 hour)  rate(2 days)      every N units
//   cron(0 7 * * ? *)                                minute hour day-of-month
//                                                    month day-of-week year
//   at(2030-01-31T07:00:00)                          once (Scheduler only)
//
// Cron fields take lists (,), ranges (-), steps (/), * and month/day names
// (JAN-DEC, SUN-SAT; day-of-week 1 = SUN). Day-of-month and day-of-week
// exclude each other: one of them must be "?". Day-of-month also takes "L"
// (last day), "nW" (the weekday nearest day n) and "LW" (last weekday);
// day-of-week takes "nL" (last <day> of the month) and "n#k" (k-th <day>).
//
// Cron and at expressions are read in a time zone. Across daylight-saving
// changes a local time that does not exist (spring forward) is skipped and
// one that exists twice (fall back) fires once, at its first occurrence —
// EventBridge Scheduler's documented behaviour.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "services/common/time_zone.hpp"

namespace sluice::services {

class ScheduleExpression {
 public:
  enum class Kind { Rate, Cron, At };

  // Parses `text`; `allowAt` admits at(...) (Scheduler). The error is a
  // ValidationException with `invalidMessage` (each service words it its own way).
  static Result<ScheduleExpression> parse(std::string_view text, bool allowAt,
                                          const std::string& invalidMessage);

  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }
  Duration rateInterval() const { return rate_; }

  // The first firing strictly after `after`. Rates count whole intervals from
  // `anchor` (when the schedule began). nullopt when it never fires again.
  std::optional<TimePoint> nextAfter(TimePoint after, TimePoint anchor, const TimeZone& zone) const;

 private:
  struct Cron {
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days;             // 1..31
    std::bitset<13> months;           // 1..12
    std::bitset<8> weekdays;          // 1..7, 1 = Sunday
    std::bitset<230> years;           // 1970..2199 as year - 1970
    bool anyDay = false;              // day-of-month is "?" (weekdays decide)
    bool anyWeekday = false;          // day-of-week is "?" (days decide)
    bool lastDay = false;             // "L" in day-of-month
    bool lastWeekdayOfMonth = false;  // "LW"
    int nearestWeekday = 0;           // "nW"
    int lastOfWeekday = 0;            // "nL" in day-of-week (1..7)
    int nthWeekday = 0, nth = 0;      // "n#k"
  };
  bool dayMatches(int year, int month, int day) const;
  std::optional<TimePoint> nextCron(TimePoint after, const TimeZone& zone) const;

  Kind kind_ = Kind::Rate;
  std::string text_;
  Duration rate_{};
  Cron cron_;
  int64_t atLocal_ = 0;  // at(): local seconds since the epoch
};

// Civil-date helpers (proleptic Gregorian).
int64_t daysFromCivil(int year, int month, int day);
void civilFromDays(int64_t days, int& year, int& month, int& day);
int daysInMonth(int year, int month);
// 1 = Sunday ... 7 = Saturday.
int weekdayOf(int year, int month, int day);

}  // namespace sluice::services
