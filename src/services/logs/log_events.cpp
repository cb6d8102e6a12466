// PutLogEvents, GetLogEvents, FilterLogEvents.
#include <algorithm>
#include <charconv>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/logs/filter_pattern.hpp"
#include "services/logs/logs_service.hpp"

namespace sluice::services::logs {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr size_t kEventOverhead = 26;  // bytes AWS counts per event
constexpr size_t kMaxBatchBytes = 1048576;
constexpr size_t kMaxEventBytes = 262144;

AwsError invalidParameter(std::string message) {
  return {"InvalidParameterException", std::move(message), 400};
}

// Sequence tokens and event ids are long decimal strings, as AWS's are.
std::string decimal56(uint64_t n) {
  std::string digits = std::to_string(n);
  return "4" + std::string(55 - digits.size(), '0') + digits;
}

// Events older than the group's retention are gone as far as readers can tell.
int64_t retentionCutoff(const LogGroup& g, int64_t now) {
  return g.retentionInDays ? now - static_cast<int64_t>(*g.retentionInDays) * kDayMs : INT64_MIN;
}

std::optional<int64_t> readMs(const Input& input, std::string_view member, Result<void>& error) {
  auto v = input.optionalInt(member);
  if (!v) {
    error = v.error();
    return std::nullopt;
  }
  return *v;
}

// GetLogEvents tokens: "f/<key>/s" (events after the key) and "b/<key>/s"
// (events before it), the key an event's (timestamp, id) as 56 digits, as
// long as AWS's tokens are.
std::string keyToken(char dir, EventKey key) {
  // The timestamp's sign bit flipped: unsigned order is then signed order.
  uint64_t ts = static_cast<uint64_t>(key.timestamp) ^ (uint64_t{1} << 63);
  std::string a = std::to_string(ts), b = std::to_string(key.id);
  return std::string(1, dir) + "/" + std::string(16, '0') + std::string(20 - a.size(), '0') + a +
         std::string(20 - b.size(), '0') + b + "/s";
}

std::optional<std::pair<char, EventKey>> readKeyToken(std::string_view t) {
  if (t.size() != 60 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/' || !t.ends_with("/s")) {
    return std::nullopt;
  }
  uint64_t ts = 0, id = 0;
  std::string_view digits = t.substr(2, 56);
  auto a = std::from_chars(digits.data() + 16, digits.data() + 36, ts);
  auto b = std::from_chars(digits.data() + 36, digits.data() + 56, id);
  if (a.ec != std::errc() || a.ptr != digits.data() + 36 || b.ec != std::errc() ||
      b.ptr != digits.data() + 56 || digits.substr(0, 16) != std::string(16, '0')) {
    return std::nullopt;
  }
  return std::make_pair(t[0], EventKey{static_cast<int64_t>(ts ^ (uint64_t{1} << 63)), id});
}

constexpr EventKey kBeforeAll{INT64_MIN, 0};
constexpr EventKey kAfterAll{INT64_MAX, UINT64_MAX};
constexpr size_t kScanChunk = 1000;  // events FilterLogEvents reads from the store at a time

}  // namespace

Result<Change> LogsService::putLogEvents(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto groupName = input.requiredString("logGroupName");
  if (!groupName) return groupName.error();
  auto g = groupByName(ctx.scope, *groupName);
  if (!g) return g.error();
  auto s = findStream(**g, in);
  if (!s) return s.error();
  const Json* list = input.get("logEvents");
  if (!list || !list->is_array()) return missingMember("logEvents");
  std::vector<std::pair<int64_t, std::string>> batch;
  size_t bytes = 0;
  for (const Json& e : list->as_array()) {
    const JsonObject& o = e.as_object();
    auto ts = toInteger(o.at("timestamp"));
    std::string message(o.at("message").as_string());
    if (message.size() + kEventOverhead > kMaxEventBytes) {
      return invalidParameter(
          "Log event too large: " + std::to_string(message.size() + kEventOverhead) +
          " bytes exceeds limit of 262144");
    }
    bytes += message.size() + kEventOverhead;
    batch.emplace_back(ts.value_or(0), std::move(message));
  }
  if (bytes > kMaxBatchBytes) {
    return invalidParameter("Upload too large: " + std::to_string(bytes) +
                            " bytes exceeds limit of 1048576");
  }
  for (size_t i = 1; i < batch.size(); ++i) {
    if (batch[i].first < batch[i - 1].first) {
      return invalidParameter(
          "Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if (!batch.empty() && batch.back().first - batch.front().first > kDayMs) {
    return invalidParameter(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 "
        "hours.");
  }

  int64_t now = nowMs();
  int64_t expiredBefore = retentionCutoff(**g, now);
  std::optional<size_t> tooNewStart, tooOldEnd, expiredEnd;
  for (size_t i = 0; i < batch.size(); ++i) {
    int64_t ts = batch[i].first;
    if (ts > now + 2 * kHourMs) {
      if (!tooNewStart) tooNewStart = i;
    } else if (ts < expiredBefore) {
      expiredEnd = i;
    } else if (ts < now - 14 * kDayMs) {
      tooOldEnd = i;
    }
  }

  LogStream& stream = **s;
  std::vector<LogEvent> accepted;
  for (size_t i = 0; i < batch.size(); ++i) {
    if ((tooNewStart && i >= *tooNewStart) || (expiredEnd && i <= *expiredEnd) ||
        (tooOldEnd && i <= *tooOldEnd)) {
      continue;
    }
    LogEvent e;
    e.timestamp = batch[i].first;
    e.ingestion = now;
    e.message = std::move(batch[i].second);
    e.id = nextEventId_++;
    accepted.push_back(std::move(e));
  }
  ++stream.uploads;
  if (!accepted.empty()) stream.lastIngestion = now;

  Change change;
  events_->append(change.batch, ctx.scope, (*g)->name, stream.name, accepted);
  // Events past the group's retention are gone from the store too, a little
  // at each write (an index range, empty most of the time).
  if ((*g)->retentionInDays)
    events_->dropBefore(change.batch, ctx.scope, (*g)->name, expiredBefore);
  for (const LogEvent& e : accepted) {
    stream.storedBytes += e.message.size();
    if (!stream.firstEvent || e.timestamp < *stream.firstEvent) stream.firstEvent = e.timestamp;
    if (!stream.lastEvent || e.timestamp > *stream.lastEvent) stream.lastEvent = e.timestamp;
  }
  persistStream(change.batch, ctx.scope, **g, stream);

  JsonObject out;
  out["nextSequenceToken"] = decimal56(stream.uploads);
  if (tooNewStart || tooOldEnd || expiredEnd) {
    JsonObject rejected;
    if (tooNewStart) rejected["tooNewLogEventStartIndex"] = *tooNewStart;
    if (tooOldEnd) rejected["tooOldLogEventEndIndex"] = *tooOldEnd;
    if (expiredEnd) rejected["expiredLogEventEndIndex"] = *expiredEnd;
    out["rejectedLogEventsInfo"] = std::move(rejected);
  }
  change.response = std::move(out);
  return change;
}

Result<Change> LogsService::getLogEvents(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto g = findGroup(ctx.scope, in);
  if (!g) return g.error();
  auto s = findStream(**g, in);
  if (!s) return s.error();
  Result<void> bad;
  auto start = readMs(input, "startTime", bad);
  auto end = readMs(input, "endTime", bad);
  if (!bad) return bad.error();
  auto limit = input.optionalInt("limit");
  if (!limit) return limit.error();
  auto fromHead = input.optionalBool("startFromHead");
  if (!fromHead) return fromHead.error();
  auto token = input.optionalString("nextToken");
  if (!token) return token.error();

  size_t max = static_cast<size_t>(limit->value_or(10000));
  TimeRange range{std::max(retentionCutoff(**g, nowMs()), start.value_or(INT64_MIN)),
                  end ? *end - 1 : INT64_MAX};
  // Forward from a key, or backward from one (the newest page first unless
  // startFromHead).
  char dir = fromHead->value_or(false) ? 'f' : 'b';
  EventKey from = dir == 'f' ? kBeforeAll : kAfterAll;
  if (*token) {
    auto parsed = readKeyToken(**token);
    if (!parsed) return invalidParameter("The specified nextToken is invalid.");
    std::tie(dir, from) = *parsed;
  }
  auto page = events_->page(ctx.scope, (*g)->name, (*s)->name, dir == 'f', from, range, max);
  if (!page) return page.error();
  std::vector<LogEvent>& picked = *page;
  if (dir == 'b') std::reverse(picked.begin(), picked.end());
  JsonArray out;
  for (const LogEvent& e : picked) {
    JsonObject o;
    o["timestamp"] = e.timestamp;
    o["message"] = e.message;
    o["ingestionTime"] = e.ingestion;
    out.emplace_back(std::move(o));
  }
  // Onward from the newest event shown, back from the oldest; where a page is
  // empty, from where it started.
  JsonObject res;
  res["events"] = std::move(out);
  res["nextForwardToken"] = keyToken('f', picked.empty() ? from : keyOf(picked.back()));
  res["nextBackwardToken"] = keyToken('b', picked.empty() ? from : keyOf(picked.front()));
  return Change(std::move(res));
}

Result<Change> LogsService::filterLogEvents(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto g = findGroup(ctx.scope, in);
  if (!g) return g.error();
  const Json* names = input.get("logStreamNames");
  auto prefix = input.optionalString("logStreamNamePrefix");
  if (!prefix) return prefix.error();
  if (names && !names->is_null() && *prefix) {
    return invalidParameter("Cannot specify both logStreamNames and logStreamNamePrefix.");
  }
  Result<void> bad;
  auto start = readMs(input, "startTime", bad);
  auto end = readMs(input, "endTime", bad);
  if (!bad) return bad.error();
  auto patternText = input.optionalString("filterPattern");
  if (!patternText) return patternText.error();
  auto pattern = FilterPattern::compile(patternText->value_or(""));
  if (!pattern) return pattern.error();
  auto limit = input.optionalInt("limit");
  if (!limit) return limit.error();
  auto token = input.optionalString("nextToken");
  if (!token) return token.error();
  // Resume strictly after (timestamp, id) of the last event returned.
  std::pair<int64_t, uint64_t> after{INT64_MIN, 0};
  if (*token) {
    auto key = decodePageToken(**token);
    auto colon = key ? key->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return invalidParameter("The specified nextToken is invalid.");
    }
    after = {std::stoll(key->substr(0, colon)), std::stoull(key->substr(colon + 1))};
  }

  std::vector<const LogStream*> streams;
  bool all = !(names && names->is_array()) && !*prefix;
  if (names && names->is_array()) {
    for (const Json& n : names->as_array()) {
      auto it = (*g)->streams.find(std::string(n.as_string()));
      if (it != (*g)->streams.end()) streams.push_back(&it->second);
    }
  } else {
    for (const auto& [name, s] : (*g)->streams) {
      if (!*prefix || name.starts_with(**prefix)) streams.push_back(&s);
    }
  }
  std::vector<std::string> streamNames;
  if (!all) {
    for (const LogStream* s : streams) streamNames.push_back(s->name);
  }

  // The group's events in (timestamp, id) order, read from the store a chunk
  // at a time until the page is full and one more match shows there is more.
  size_t max = static_cast<size_t>(limit->value_or(10000));
  TimeRange range{std::max(retentionCutoff(**g, nowMs()), start.value_or(INT64_MIN)),
                  end.value_or(INT64_MAX)};
  EventKey cursor{after.first, after.second};
  JsonArray out;
  std::pair<int64_t, uint64_t> last{};
  bool more = false;
  while (!more && (all || !streamNames.empty())) {
    auto chunk = events_->scan(ctx.scope, (*g)->name, streamNames, cursor, range, kScanChunk);
    if (!chunk) return chunk.error();
    for (const StreamEvent& se : *chunk) {
      const LogEvent& e = se.event;
      cursor = keyOf(e);
      if (!pattern->matches(e.message)) continue;
      if (out.size() == max) {
        more = true;
        break;
      }
      JsonObject o;
      o["logStreamName"] = se.stream;
      o["timestamp"] = e.timestamp;
      o["message"] = e.message;
      o["ingestionTime"] = e.ingestion;
      o["eventId"] = decimal56(e.id);
      out.emplace_back(std::move(o));
      last = {e.timestamp, e.id};
    }
    if (chunk->size() < kScanChunk) break;
  }
  JsonArray searched;
  for (const LogStream* s : streams) {
    JsonObject o;
    o["logStreamName"] = s->name;
    o["searchedCompletely"] = !more;
    searched.emplace_back(std::move(o));
  }
  JsonObject res;
  res["events"] = std::move(out);
  res["searchedLogStreams"] = std::move(searched);
  if (more) {
    res["nextToken"] =
        encodePageToken(std::to_string(last.first) + ":" + std::to_string(last.second));
  }
  return Change(std::move(res));
}

}  // namespace sluice::services::logs
