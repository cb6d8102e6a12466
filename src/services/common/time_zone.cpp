#include "services/common/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

namespace sluice::services {

namespace {

AwsError unknownZone(std::string_view name) {
  return AwsError::validation("Invalid time zone: " + std::string(name) + ".");
}

int64_t readBig(const std::string& d, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(d[at + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

bool validName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
           c == '+';
  });
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::utc() {
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = "UTC";
  return tz;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::load(std::string_view name,
                                                       std::string_view zoneinfoDir) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return utc();
  if (!validName(name)) return unknownZone(name);
  std::ifstream in(std::string(zoneinfoDir) + "/" + std::string(name), std::ios::binary);
  if (!in) return unknownZone(name);
  std::string d((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr size_t kHeader = 44;
  if (d.size() < kHeader || d.compare(0, 4, "TZif") != 0) return unknownZone(name);
  // Counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
  auto counts = [&](size_t at) {
    std::vector<int64_t> c;
    for (int i = 0; i < 6; ++i) c.push_back(readBig(d, at + 20 + 4 * i, 4));
    return c;
  };
  auto c = counts(0);
  bool v2 = d[4] >= '2';
  size_t at = 0;
  int timeBytes = 4;
  if (v2) {
    // Skip the 32-bit block to the 64-bit one.
    at = kHeader + c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (d.size() < at + kHeader || d.compare(at, 4, "TZif") != 0) return unknownZone(name);
    c = counts(at);
    timeBytes = 8;
  }
  size_t p = at + kHeader;
  int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt <= 0 ||
      d.size() < p + static_cast<size_t>(timecnt * timeBytes + timecnt + typecnt * 6)) {
    return unknownZone(name);
  }
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = std::string(name);
  std::vector<int64_t> times;
  for (int64_t i = 0; i < timecnt; ++i) times.push_back(readBig(d, p + i * timeBytes, timeBytes));
  p += timecnt * timeBytes;
  std::vector<int> idx;
  for (int64_t i = 0; i < timecnt; ++i) idx.push_back(static_cast<unsigned char>(d[p + i]));
  p += timecnt;
  std::vector<int32_t> typeOffsets;
  for (int64_t i = 0; i < typecnt; ++i) {
    typeOffsets.push_back(static_cast<int32_t>(readBig(d, p + i * 6, 4)));
  }
  tz->initialOffset_ = typeOffsets[0];
  for (int64_t i = 0; i < timecnt; ++i) {
    if (idx[i] >= typecnt) return unknownZone(name);
    tz->transitions_.push_back(times[i]);
    tz->offsets_.push_back(typeOffsets[idx[i]]);
  }
  return std::shared_ptr<const TimeZone>(tz);
}

int64_t TimeZone::offsetAt(int64_t utcSeconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utcSeconds);
  if (it == transitions_.begin()) return initialOffset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

std::vector<int64_t> TimeZone::fromLocal(int64_t localSeconds) const {
  // A local time maps to UTC = local - offset for whichever offsets are in
  // effect around it; keep the candidates that round-trip.
  std::vector<int64_t> out;
  for (int64_t probe : {localSeconds - 2 * 86400, localSeconds + 2 * 86400}) {
    int64_t utc = localSeconds - offsetAt(probe);
    if (offsetAt(utc) + utc == localSeconds &&
        std::find(out.begin(), out.end(), utc) == out.end()) {
      out.push_back(utc);
    }
  }
  // Offsets can change more than once within the probe window; try the
  // offsets of every transition near the local time too.
  auto lo = std::lower_bound(transitions_.begin(), transitions_.end(), localSeconds - 2 * 86400);
  for (auto it = lo; it != transitions_.end() && *it < localSeconds + 2 * 86400; ++it) {
    int64_t utc = localSeconds - offsets_[static_cast<size_t>(it - transitions_.begin())];
    if (offsetAt(utc) + utc == localSeconds &&
        std::find(out.begin(), out.end(), utc) == out.end()) {
      out.push_back(utc);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sluice::services
