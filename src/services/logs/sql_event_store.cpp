// Log events as rows of logs_events, read by index a page at a time.
#include <optional>

#include "services/logs/event_store.hpp"

namespace sluice::services::logs {

namespace {

class SqlEventStore final : public LogEventStore {
 public:
  explicit SqlEventStore(store::sqlite::SqliteStore& store) : store_(store) {}

  void append(DocumentBatch& batch, const Scope& scope, const std::string& group,
              const std::string& stream, const std::vector<LogEvent>& events) override {
    batch.sql([scope, group, stream, rows = events](store::sqlite::Database& db) -> Result<void> {
      auto st = db.prepare(
          "INSERT INTO logs_events(id, account, region, log_group, log_stream, timestamp, "
          "ingestion, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) return st.takeError();
      for (const LogEvent& e : rows) {
        if (auto r = st->bindAll(static_cast<int64_t>(e.id), scope.account, scope.region, group,
                                 stream, e.timestamp, e.ingestion, e.message)
                         .run();
            !r) {
          return r;
        }
        st->reset();
      }
      return {};
    });
  }

  void dropStream(DocumentBatch& batch, const Scope& scope, const std::string& group,
                  const std::string& stream) override {
    batch.sql([scope, group, stream](store::sqlite::Database& db) -> Result<void> {
      auto st = db.prepare(
          "DELETE FROM logs_events WHERE account = ? AND region = ? AND log_group = ? AND "
          "log_stream = ?");
      if (!st) return st.takeError();
      return st->bindAll(scope.account, scope.region, group, stream).run();
    });
  }

  void dropGroup(DocumentBatch& batch, const Scope& scope, const std::string& group) override {
    batch.sql([scope, group](store::sqlite::Database& db) -> Result<void> {
      auto st =
          db.prepare("DELETE FROM logs_events WHERE account = ? AND region = ? AND log_group = ?");
      if (!st) return st.takeError();
      return st->bindAll(scope.account, scope.region, group).run();
    });
  }

  void dropBefore(DocumentBatch& batch, const Scope& scope, const std::string& group,
                  int64_t cutoff) override {
    batch.sql([scope, group, cutoff](store::sqlite::Database& db) -> Result<void> {
      auto st = db.prepare(
          "DELETE FROM logs_events WHERE account = ? AND region = ? AND log_group = ? AND "
          "timestamp < ?");
      if (!st) return st.takeError();
      return st->bindAll(scope.account, scope.region, group, cutoff).run();
    });
  }

  Result<std::vector<LogEvent>> page(const Scope& scope, const std::string& group,
                                     const std::string& stream, bool forward, EventKey from,
                                     TimeRange range, size_t limit) override {
    std::string sql =
        "SELECT id, timestamp, ingestion, message FROM logs_events WHERE account = ? AND "
        "region = ? AND log_group = ? AND log_stream = ? AND timestamp BETWEEN ? AND ? AND "
        "(timestamp, id) " +
        std::string(forward ? ">" : "<") + " (?, ?) ORDER BY timestamp " +
        (forward ? "ASC, id ASC" : "DESC, id DESC") + " LIMIT ?";
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(sql);
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, group, stream, range.from, range.to, from.timestamp,
                idValue(from.id), static_cast<int64_t>(limit));
    std::vector<LogEvent> out;
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) return out;
      out.push_back(eventAt(*st, 0));
    }
  }

  Result<std::vector<StreamEvent>> scan(const Scope& scope, const std::string& group,
                                        const std::vector<std::string>& streams, EventKey after,
                                        TimeRange range, size_t limit) override {
    std::string sql =
        "SELECT log_stream, id, timestamp, ingestion, message FROM logs_events WHERE "
        "account = ? AND region = ? AND log_group = ? AND timestamp BETWEEN ? AND ? AND "
        "(timestamp, id) > (?, ?)";
    if (!streams.empty()) {
      sql += " AND log_stream IN (";
      for (size_t i = 0; i < streams.size(); ++i) sql += i ? ", ?" : "?";
      sql += ")";
    }
    sql += " ORDER BY timestamp, id LIMIT ?";
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(sql);
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, group, range.from, range.to, after.timestamp,
                idValue(after.id));
    int index = 8;
    for (const auto& s : streams) st->bind(index++, s);
    st->bind(index, static_cast<int64_t>(limit));
    std::vector<StreamEvent> out;
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) return out;
      out.push_back({std::string(st->columnText(0)), eventAt(*st, 1)});
    }
  }

  Result<StreamStats> stats(const Scope& scope, const std::string& group,
                            const std::string& stream) override {
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT min(timestamp), max(timestamp), coalesce(sum(length(CAST(message AS BLOB))), 0), "
        "count(*) FROM logs_events WHERE account = ? AND region = ? AND log_group = ? AND "
        "log_stream = ?");
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, group, stream);
    auto row = st->step();
    if (!row) return row.error();
    StreamStats out;
    if (*row && st->columnInt(3) > 0) {
      out.first = st->columnInt(0);
      out.last = st->columnInt(1);
      out.bytes = static_cast<uint64_t>(st->columnInt(2));
    }
    return out;
  }

  Result<uint64_t> maxId() override {
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare("SELECT coalesce(max(id), 0) FROM logs_events");
    if (!st) return st.takeError();
    auto row = st->step();
    if (!row) return row.error();
    return static_cast<uint64_t>(*row ? st->columnInt(0) : 0);
  }

 private:
  // Ids are SQLite integers: the largest key of a backward page's start is
  // the largest integer SQLite holds.
  static int64_t idValue(uint64_t id) {
    return id > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(id);
  }

  template <typename Statement>
  static LogEvent eventAt(Statement& st, int first) {
    LogEvent e;
    e.id = static_cast<uint64_t>(st.columnInt(first));
    e.timestamp = st.columnInt(first + 1);
    e.ingestion = st.columnInt(first + 2);
    e.message = std::string(st.columnText(first + 3));
    return e;
  }

  store::sqlite::SqliteStore& store_;
};

}  // namespace

std::unique_ptr<LogEventStore> makeSqlEventStore(store::sqlite::SqliteStore& store) {
  return std::make_unique<SqlEventStore>(store);
}

}  // namespace sluice::services::logs
