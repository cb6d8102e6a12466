// PutLogEvents, GetLogEvents, FilterLogEvents.
#include <algorithm>
#include <charconv>
#include <queue>

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

// GetLogEvents tokens: "f/<position>" and "b/<position>", a position being an
// index into the stream's events.
std::string positionToken(char dir, size_t pos) {
  std::string digits = std::to_string(pos);
  return std::string(1, dir) + "/" + std::string(56 - digits.size(), '0') + digits + "/s";
}

std::optional<std::pair<char, size_t>> readPositionToken(std::string_view t) {
  if (t.size() < 5 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/' || !t.ends_with("/s")) {
    return std::nullopt;
  }
  std::string_view digits = t.substr(2, t.size() - 4);
  size_t pos = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pos);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return std::make_pair(t[0], pos);
}

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
  change.batch.sql([scope = ctx.scope, group = (*g)->name, name = stream.name,
                    rows = accepted](store::sqlite::Database& db) -> Result<void> {
    for (const LogEvent& e : rows) {
      auto st = db.prepare(
          "INSERT INTO logs_events(id, account, region, log_group, log_stream, timestamp, "
          "ingestion, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) return st.takeError();
      if (auto r = st->bindAll(static_cast<int64_t>(e.id), scope.account, scope.region, group, name,
                               e.timestamp, e.ingestion, e.message)
                       .run();
          !r) {
        return r;
      }
    }
    return {};
  });
  persistStream(change.batch, ctx.scope, **g, stream);
  for (LogEvent& e : accepted) {
    auto at = std::upper_bound(stream.events.begin(), stream.events.end(), e.timestamp,
                               [](int64_t ts, const LogEvent& x) { return ts < x.timestamp; });
    stream.storedBytes += e.message.size();
    stream.events.insert(at, std::move(e));
  }

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

  const auto& events = (*s)->events;
  size_t max = static_cast<size_t>(limit->value_or(10000));
  int64_t cutoff = retentionCutoff(**g, nowMs());
  auto visible = [&](const LogEvent& e) {
    return e.timestamp >= cutoff && (!start || e.timestamp >= *start) &&
           (!end || e.timestamp < *end);
  };
  // Forward from a position, or backward from one (the newest page first
  // unless startFromHead).
  char dir = fromHead->value_or(false) ? 'f' : 'b';
  size_t pos = dir == 'f' ? 0 : events.size();
  if (*token) {
    auto parsed = readPositionToken(**token);
    if (!parsed || parsed->second > events.size()) {
      return invalidParameter("The specified nextToken is invalid.");
    }
    std::tie(dir, pos) = *parsed;
  }
  std::vector<size_t> picked;
  size_t first = pos, last = pos;  // the window walked: [first, last)
  if (dir == 'f') {
    size_t i = pos;
    for (; i < events.size() && picked.size() < max; ++i) {
      if (visible(events[i])) picked.push_back(i);
    }
    last = picked.empty() ? pos : picked.back() + 1;
  } else {
    size_t i = pos;
    while (i > 0 && picked.size() < max) {
      --i;
      if (visible(events[i])) picked.push_back(i);
    }
    std::reverse(picked.begin(), picked.end());
    first = picked.empty() ? pos : picked.front();
  }
  JsonArray out;
  for (size_t i : picked) {
    JsonObject o;
    o["timestamp"] = events[i].timestamp;
    o["message"] = events[i].message;
    o["ingestionTime"] = events[i].ingestion;
    out.emplace_back(std::move(o));
  }
  JsonObject res;
  res["events"] = std::move(out);
  if (dir == 'f') {
    res["nextForwardToken"] = positionToken('f', last);
    res["nextBackwardToken"] = positionToken('b', picked.empty() ? pos : picked.front());
  } else {
    res["nextForwardToken"] = positionToken('f', picked.empty() ? pos : picked.back() + 1);
    res["nextBackwardToken"] = positionToken('b', first);
  }
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

  // Interleave the streams by (timestamp, id): a k-way merge.
  using Cursor = std::pair<const LogStream*, size_t>;
  auto key = [](const Cursor& c) {
    const LogEvent& e = c.first->events[c.second];
    return std::make_pair(e.timestamp, e.id);
  };
  auto later = [&](const Cursor& a, const Cursor& b) { return key(a) > key(b); };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  for (const LogStream* s : streams) {
    auto it = std::lower_bound(s->events.begin(), s->events.end(), after.first,
                               [](const LogEvent& e, int64_t ts) { return e.timestamp < ts; });
    if (it != s->events.end()) heap.emplace(s, static_cast<size_t>(it - s->events.begin()));
  }
  size_t max = static_cast<size_t>(limit->value_or(10000));
  int64_t cutoff = retentionCutoff(**g, nowMs());
  JsonArray out;
  std::pair<int64_t, uint64_t> last{};
  bool more = false;
  while (!heap.empty()) {
    Cursor c = heap.top();
    heap.pop();
    const LogEvent& e = c.first->events[c.second];
    if (c.second + 1 < c.first->events.size()) heap.emplace(c.first, c.second + 1);
    if (std::make_pair(e.timestamp, e.id) <= after) continue;
    if (end && e.timestamp > *end) continue;
    if (e.timestamp < cutoff || (start && e.timestamp < *start)) continue;
    if (!pattern->matches(e.message)) continue;
    if (out.size() == max) {
      more = true;
      break;
    }
    JsonObject o;
    o["logStreamName"] = c.first->name;
    o["timestamp"] = e.timestamp;
    o["message"] = e.message;
    o["ingestionTime"] = e.ingestion;
    o["eventId"] = decimal56(e.id);
    out.emplace_back(std::move(o));
    last = {e.timestamp, e.id};
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
