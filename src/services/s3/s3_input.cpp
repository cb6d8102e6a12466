#include "services/s3/s3_input.hpp"

#include <cmath>
#include <cstdio>

#include "services/s3/s3_errors.hpp"

namespace sluice::services::s3 {

namespace {

const Json* member(const Json& in, std::string_view name) {
  if (!in.is_object()) return nullptr;
  auto* v = in.as_object().if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<TimePoint> parseHttpDateText(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto comma = s.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view r = s.substr(comma + 2);
  if (r.size() < 24) return std::nullopt;
  int mon = -1;
  for (int m = 0; m < 12; ++m) {
    if (r.substr(3, 3) == kMonths[m]) mon = m + 1;
  }
  if (mon < 0) return std::nullopt;
  char iso[32];
  std::snprintf(iso, sizeof iso, "%.4s-%02d-%.2sT%.8sZ", r.data() + 7, mon, r.data(),
                r.data() + 12);
  return parseIso8601(iso);
}

}  // namespace

std::string str(const Json& in, std::string_view name) {
  const Json* v = member(in, name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::string> optStr(const Json& in, std::string_view name) {
  const Json* v = member(in, name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<int64_t> optInt(const Json& in, std::string_view name) {
  const Json* v = member(in, name);
  if (!v) return std::nullopt;
  if (auto i = toInteger(*v)) return *i;
  return std::nullopt;
}

bool flag(const Json& in, std::string_view name) {
  const Json* v = member(in, name);
  if (!v) return false;
  if (v->is_bool()) return v->as_bool();
  if (v->is_string()) return v->as_string() == "true";
  return false;
}

std::optional<TimePoint> optTime(const Json& in, std::string_view name) {
  const Json* v = member(in, name);
  if (!v) return std::nullopt;
  if (isNumber(*v)) return fromSeconds(toDouble(*v));
  if (v->is_string()) {
    std::string_view s = v->as_string();
    if (auto t = parseIso8601(s)) return t;
    return parseHttpDateText(s);
  }
  return std::nullopt;
}

Json epoch(TimePoint t) {
  // Whole milliseconds, as S3 keeps them.
  return std::floor(toEpochSeconds(t) * 1000.0) / 1000.0;
}

std::string_view requestBody(const Json& in, const CallContext& ctx) {
  if (ctx.payload && ctx.payload->requestFile) {
    // An operation that does not take a spilled body gets it in memory.
    if (auto all = ctx.payload->requestFile->readAll()) ctx.payload->requestBody = std::move(*all);
    ctx.payload->requestFile.reset();
  }
  if (ctx.payload) return ctx.payload->requestBody;
  const Json* v = member(in, "Body");
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

std::string takeRequestBody(const Json& in, const CallContext& ctx) {
  if (ctx.payload) return std::move(ctx.payload->requestBody);
  return std::string(requestBody(in, ctx));
}

Result<void> checkKey(std::string_view key) {
  if (key.empty()) return errors::invalidArgument("Object key must not be empty.");
  if (key.size() > 1024) return errors::keyTooLong();
  return {};
}

}  // namespace sluice::services::s3
