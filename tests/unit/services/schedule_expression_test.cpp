#include "services/common/schedule_expression.hpp"

#include <gtest/gtest.h>

namespace sluice::services {
namespace {

TimePoint utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return TimePoint(std::chrono::seconds(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s));
}

ScheduleExpression parse(std::string_view text) {
  auto e = ScheduleExpression::parse(text, true, "invalid");
  if (!e) ADD_FAILURE() << "did not parse: " << text;
  return e ? *e : *ScheduleExpression::parse("rate(1 day)", true, "");
}

std::shared_ptr<const TimeZone> zone(std::string_view name) {
  auto tz = TimeZone::load(name);
  if (!tz) ADD_FAILURE() << "no zone " << name;
  return tz ? *tz : TimeZone::utc();
}

std::string next(std::string_view expr, TimePoint after, std::string_view tz = "UTC") {
  auto n = parse(expr).nextAfter(after, after, *zone(tz));
  return n ? formatIso8601(*n) : "never";
}

// Successive firings, as ISO text.
std::vector<std::string> firings(std::string_view expr, TimePoint from, int count,
                                 std::string_view tz = "UTC") {
  auto e = parse(expr);
  auto z = zone(tz);
  std::vector<std::string> out;
  TimePoint t = from;
  for (int i = 0; i < count; ++i) {
    auto n = e.nextAfter(t, from, *z);
    if (!n) break;
    out.push_back(formatIso8601(*n));
    t = *n;
  }
  return out;
}

TEST(CivilDates, LeapYearsAndWeekdays) {
  EXPECT_EQ(daysInMonth(2024, 2), 29);
  EXPECT_EQ(daysInMonth(2023, 2), 28);
  EXPECT_EQ(daysInMonth(1900, 2), 28);
  EXPECT_EQ(daysInMonth(2000, 2), 29);
  EXPECT_EQ(weekdayOf(1970, 1, 1), 5);    // Thursday
  EXPECT_EQ(weekdayOf(2024, 2, 29), 5);   // Thursday
  EXPECT_EQ(weekdayOf(2023, 12, 31), 1);  // Sunday
  int y, m, d;
  civilFromDays(daysFromCivil(2024, 2, 29), y, m, d);
  EXPECT_EQ(y * 10000 + m * 100 + d, 20240229);
}

TEST(ScheduleExpression, RefusesWhatAwsRefuses) {
  for (std::string_view bad :
       {"rate(0 minutes)",         "rate(1 minutes)",     "rate(5 minute)",
        "rate(5 seconds)",         "rate(x hours)",       "rate(5)",
        "cron(0 7 * * * *)",       "cron(0 7 ? * ? *)",   "cron(0 7 * *)",
        "cron(60 7 * * ? *)",      "cron(0 24 * * ? *)",  "cron(0 7 32 * ? *)",
        "cron(0 7 * 13 ? *)",      "cron(0 7 ? * 8 *)",   "cron(0 7 ? * 2#6 *)",
        "cron(0 7 * * ? 1969)",    "cron(0 7 * FOO ? *)", "at(2030-02-30T00:00:00)",
        "at(2030-01-01 07:00:00)", "every day",           "cron(0/0 * * * ? *)"}) {
    EXPECT_FALSE(ScheduleExpression::parse(bad, true, "invalid").ok()) << bad;
  }
  EXPECT_FALSE(ScheduleExpression::parse("at(2030-01-01T07:00:00)", false, "x").ok());
}

TEST(ScheduleExpression, Rates) {
  auto e = parse("rate(5 minutes)");
  TimePoint anchor = utc(2024, 1, 1, 10, 0, 0);
  EXPECT_EQ(formatIso8601(*e.nextAfter(anchor, anchor, *TimeZone::utc())),
            "2024-01-01T10:05:00.000Z");
  EXPECT_EQ(formatIso8601(*e.nextAfter(utc(2024, 1, 1, 10, 7), anchor, *TimeZone::utc())),
            "2024-01-01T10:10:00.000Z");
  EXPECT_EQ(formatIso8601(*e.nextAfter(utc(2024, 1, 1, 10, 10), anchor, *TimeZone::utc())),
            "2024-01-01T10:15:00.000Z");
  EXPECT_EQ(next("rate(1 day)", utc(2024, 2, 28, 12)), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(next("rate(1 hour)", utc(2024, 2, 28, 23, 30)), "2024-02-29T00:30:00.000Z");
}

TEST(ScheduleExpression, DailyAndStepsAndLists) {
  EXPECT_EQ(firings("cron(0 7 * * ? *)", utc(2024, 1, 1, 8), 3),
            (std::vector<std::string>{"2024-01-02T07:00:00.000Z", "2024-01-03T07:00:00.000Z",
                                      "2024-01-04T07:00:00.000Z"}));
  EXPECT_EQ(firings("cron(0/15 9-10 * * ? *)", utc(2024, 1, 1, 10, 40), 3),
            (std::vector<std::string>{"2024-01-01T10:45:00.000Z", "2024-01-02T09:00:00.000Z",
                                      "2024-01-02T09:15:00.000Z"}));
  EXPECT_EQ(firings("cron(5,35 */12 * * ? *)", utc(2024, 1, 1), 3),
            (std::vector<std::string>{"2024-01-01T00:05:00.000Z", "2024-01-01T00:35:00.000Z",
                                      "2024-01-01T12:05:00.000Z"}));
  // Exactly at a firing time: the next one.
  EXPECT_EQ(next("cron(0 7 * * ? *)", utc(2024, 1, 1, 7)), "2024-01-02T07:00:00.000Z");
}

TEST(ScheduleExpression, NamesForMonthsAndWeekdays) {
  // Weekdays 10:00 (MON-FRI): from Friday 2024-01-05 11:00 the next is Monday.
  EXPECT_EQ(next("cron(0 10 ? * MON-FRI *)", utc(2024, 1, 5, 11)), "2024-01-08T10:00:00.000Z");
  EXPECT_EQ(next("cron(0 10 ? * 2-6 *)", utc(2024, 1, 5, 11)), "2024-01-08T10:00:00.000Z");
  EXPECT_EQ(next("cron(0 0 1 JAN,JUL ? *)", utc(2024, 2, 1)), "2024-07-01T00:00:00.000Z");
  EXPECT_EQ(next("cron(15 12 ? * sun *)", utc(2024, 1, 1)), "2024-01-07T12:15:00.000Z");
}

TEST(ScheduleExpression, LastDayWeekdayAndNth) {
  // L: last day of the month, leap February included.
  EXPECT_EQ(firings("cron(0 0 L * ? *)", utc(2024, 1, 15), 3),
            (std::vector<std::string>{"2024-01-31T00:00:00.000Z", "2024-02-29T00:00:00.000Z",
                                      "2024-03-31T00:00:00.000Z"}));
  EXPECT_EQ(next("cron(0 0 L 2 ? *)", utc(2023, 1, 1)), "2023-02-28T00:00:00.000Z");
  // 15W: 2024-06-15 is a Saturday -> Friday the 14th; 2024-09-15 a Sunday -> Monday 16th.
  EXPECT_EQ(next("cron(0 9 15W * ? *)", utc(2024, 6, 1)), "2024-06-14T09:00:00.000Z");
  EXPECT_EQ(next("cron(0 9 15W * ? *)", utc(2024, 9, 1)), "2024-09-16T09:00:00.000Z");
  // 1W on a Saturday does not leave the month: 2024-06-01 -> Monday the 3rd.
  EXPECT_EQ(next("cron(0 9 1W * ? *)", utc(2024, 5, 20)), "2024-06-03T09:00:00.000Z");
  // LW: last weekday; 2024-08-31 is a Saturday -> Friday the 30th.
  EXPECT_EQ(next("cron(0 9 LW * ? *)", utc(2024, 8, 1)), "2024-08-30T09:00:00.000Z");
  // 6L: last Friday; 2#1: first Monday; 5#3: third Thursday.
  EXPECT_EQ(next("cron(0 0 ? * 6L *)", utc(2024, 3, 1)), "2024-03-29T00:00:00.000Z");
  EXPECT_EQ(next("cron(0 0 ? * 2#1 *)", utc(2024, 9, 1)), "2024-09-02T00:00:00.000Z");
  EXPECT_EQ(next("cron(0 0 ? * THU#3 *)", utc(2024, 11, 1)), "2024-11-21T00:00:00.000Z");
  // April 2024 has four Fridays; the next fifth Friday is 2024-05-31.
  EXPECT_EQ(next("cron(0 0 ? * 6#5 *)", utc(2024, 4, 1)), "2024-05-31T00:00:00.000Z");
}

TEST(ScheduleExpression, LeapDayAndYears) {
  EXPECT_EQ(next("cron(0 12 29 2 ? *)", utc(2025, 1, 1)), "2028-02-29T12:00:00.000Z");
  EXPECT_EQ(next("cron(0 12 1 1 ? 2030-2031)", utc(2024, 1, 1)), "2030-01-01T12:00:00.000Z");
  EXPECT_EQ(next("cron(0 12 1 1 ? 2030)", utc(2030, 6, 1)), "never");
}

TEST(ScheduleExpression, TimeZonesAndDaylightSaving) {
  // 07:00 in New York is 12:00Z in winter and 11:00Z in summer.
  EXPECT_EQ(next("cron(0 7 * * ? *)", utc(2024, 1, 10), "America/New_York"),
            "2024-01-10T12:00:00.000Z");
  EXPECT_EQ(next("cron(0 7 * * ? *)", utc(2024, 7, 10), "America/New_York"),
            "2024-07-10T11:00:00.000Z");
  // Spring forward (2024-03-10, 02:00 -> 03:00): 02:30 does not exist that day
  // and is skipped.
  EXPECT_EQ(firings("cron(30 2 * * ? *)", utc(2024, 3, 9, 12), 2, "America/New_York"),
            (std::vector<std::string>{"2024-03-11T06:30:00.000Z", "2024-03-12T06:30:00.000Z"}));
  // Fall back (2024-11-03, 02:00 -> 01:00): 01:30 happens twice, fires once.
  EXPECT_EQ(firings("cron(30 1 * * ? *)", utc(2024, 11, 2, 12), 3, "America/New_York"),
            (std::vector<std::string>{"2024-11-03T05:30:00.000Z", "2024-11-04T06:30:00.000Z",
                                      "2024-11-05T06:30:00.000Z"}));
  // Europe/London: 2024-03-31 01:00 GMT -> 02:00 BST.
  EXPECT_EQ(next("cron(0 9 * * ? *)", utc(2024, 3, 31), "Europe/London"),
            "2024-03-31T08:00:00.000Z");
  EXPECT_EQ(next("at(2030-01-31T07:00:00)", utc(2024, 1, 1), "Asia/Tokyo"),
            "2030-01-30T22:00:00.000Z");
  EXPECT_EQ(next("at(2020-01-31T07:00:00)", utc(2024, 1, 1)), "never");
  EXPECT_FALSE(TimeZone::load("Mars/Olympus").ok());
  EXPECT_FALSE(TimeZone::load("../etc/passwd").ok());
}

}  // namespace
}  // namespace sluice::services
