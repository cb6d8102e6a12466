// Time source. Everything time-based takes a Clock so tests and the virtual
// clock mode can move time without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
using Duration = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // True when time only moves when told (tests, `--clock virtual`).
  virtual bool isVirtual() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  bool isVirtual() const override { return false; }
};

// A clock that stands still until advanced.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start) {}
  TimePoint now() const override;
  bool isVirtual() const override { return true; }
  void set(TimePoint t);
  void advance(Duration d);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

TimePoint fromSeconds(double epochSeconds);
double toEpochSeconds(TimePoint t);
// Epoch microseconds: how stores keep a TimePoint exactly.
inline int64_t toEpochMicros(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint fromEpochMicros(int64_t us) {
  return TimePoint(Duration(us));
}

// ISO-8601 / RFC 3339 with millisecond precision and a Z suffix, as AWS prints
// timestamps ("2024-01-02T03:04:05.678Z").
std::string formatIso8601(TimePoint t);
// "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.678Z", "2024-01-02T03:04:05+01:00";
// nullopt for anything else.
std::optional<TimePoint> parseIso8601(std::string_view text);
// RFC 7231 IMF-fixdate, as HTTP headers carry dates ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string formatHttpDate(TimePoint t);

}  // namespace sluice
