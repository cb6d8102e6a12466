// Where log events live. Events grow with use, so they are not the service's
// memory: with a data directory they are rows of `logs_events`, read by index
// a page at a time (SqlEventStore); without one (`sluice run`, tests) they
// are kept in memory (MemoryEventStore). Log groups and streams themselves are
// small configuration, kept by LogsService.
//
// Events are ordered by (timestamp, id): ids grow with arrival, so events of
// one timestamp keep the order they came in.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "services/common/documents.hpp"

namespace sluice::services::logs {

struct LogEvent {
  int64_t timestamp = 0;  // ms since the epoch, as given
  int64_t ingestion = 0;  // ms since the epoch, when received
  std::string message;
  uint64_t id = 0;  // unique in the service: the FilterLogEvents eventId
};

struct EventKey {
  int64_t timestamp = 0;
  uint64_t id = 0;
  auto operator<=>(const EventKey&) const = default;
};
inline EventKey keyOf(const LogEvent& e) {
  return {e.timestamp, e.id};
}

// Timestamps from `from` to `to`, both included.
struct TimeRange {
  int64_t from = INT64_MIN;
  int64_t to = INT64_MAX;
};

struct StreamEvent {
  std::string stream;
  LogEvent event;
};

class LogEventStore {
 public:
  virtual ~LogEventStore() = default;

  // Adds `events` to a stream with the operation's other writes.
  virtual void append(DocumentBatch& batch, const Scope& scope, const std::string& group,
                      const std::string& stream, const std::vector<LogEvent>& events) = 0;
  virtual void dropStream(DocumentBatch& batch, const Scope& scope, const std::string& group,
                          const std::string& stream) = 0;
  virtual void dropGroup(DocumentBatch& batch, const Scope& scope, const std::string& group) = 0;
  // Removes the group's events older than `cutoff` (past its retention).
  virtual void dropBefore(DocumentBatch& batch, const Scope& scope, const std::string& group,
                          int64_t cutoff) = 0;

  // Up to `limit` events of one stream in `range`: after `from` in order
  // (forward), or before it newest first (backward).
  virtual Result<std::vector<LogEvent>> page(const Scope& scope, const std::string& group,
                                             const std::string& stream, bool forward, EventKey from,
                                             TimeRange range, size_t limit) = 0;
  // Up to `limit` events of the group's `streams` (every stream when empty)
  // in `range`, after `after`, in order.
  virtual Result<std::vector<StreamEvent>> scan(const Scope& scope, const std::string& group,
                                                const std::vector<std::string>& streams,
                                                EventKey after, TimeRange range, size_t limit) = 0;

  // What a stream holds, for streams stored before these were kept with it.
  struct StreamStats {
    std::optional<int64_t> first, last;  // timestamps
    uint64_t bytes = 0;
  };
  virtual Result<StreamStats> stats(const Scope& scope, const std::string& group,
                                    const std::string& stream) = 0;
  // The largest event id stored (0: none).
  virtual Result<uint64_t> maxId() = 0;
};

std::unique_ptr<LogEventStore> makeSqlEventStore(store::sqlite::SqliteStore& store);
std::unique_ptr<LogEventStore> makeMemoryEventStore();

}  // namespace sluice::services::logs
