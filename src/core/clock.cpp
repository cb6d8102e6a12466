#include "core/clock.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace sluice {

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

TimePoint ManualClock::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

void ManualClock::set(TimePoint t) {
  std::lock_guard lock(mu_);
  if (t > now_) now_ = t;
}

void ManualClock::advance(Duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

TimePoint fromSeconds(double epochSeconds) {
  return TimePoint(Duration(static_cast<int64_t>(std::llround(epochSeconds * 1e6))));
}

double toEpochSeconds(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count()) / 1e6;
}

std::string formatIso8601(TimePoint t) {
  int64_t us = t.time_since_epoch().count();
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int millis = static_cast<int>((us - secs * 1000000) / 1000);
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace sluice
