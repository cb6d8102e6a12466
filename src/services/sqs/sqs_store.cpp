#include "services/sqs/sqs_store.hpp"

#include "services/sqs/message_md5.hpp"

namespace sluice::services::sqs {

namespace sql = store::sqlite;

namespace {

constexpr sql::Migration kMigrations[] = {
    {1,
     "CREATE TABLE sqs_queues(arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, "
     "name TEXT NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL, created_us INTEGER NOT "
     "NULL, modified_us INTEGER NOT NULL);"
     "CREATE TABLE sqs_messages(queue_arn TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, "
     "body TEXT NOT NULL, attributes TEXT NOT NULL, trace_header TEXT NOT NULL, group_id TEXT NOT "
     "NULL, deduplication_id TEXT NOT NULL, sender_id TEXT NOT NULL, dead_letter_source TEXT NOT "
     "NULL, sent_us INTEGER NOT NULL, visible_us INTEGER NOT NULL, first_receive_us INTEGER, "
     "receive_count INTEGER NOT NULL, receipt TEXT NOT NULL, PRIMARY KEY(queue_arn, seq)) "
     "WITHOUT ROWID;"
     "CREATE TABLE sqs_deduplication(queue_arn TEXT NOT NULL, key TEXT NOT NULL, message_id TEXT "
     "NOT NULL, sequence_number TEXT NOT NULL, expires_us INTEGER NOT NULL, PRIMARY "
     "KEY(queue_arn, key)) WITHOUT ROWID;"},
};

}  // namespace

std::span<const sql::Migration> sqsMigrations() {
  return kMigrations;
}

void SqsStore::Changes::saveQueue(const Queue& q) {
  work_.push_back([arn = q.arn, account = q.account, region = q.region, name = q.name,
                   attributes = stringMapToJsonText(q.attributes),
                   tags = stringMapToJsonText(q.tags), created = toEpochMicros(q.created),
                   modified = toEpochMicros(q.modified)](sql::Database& db) {
    return sql::runStatement(
        db,
        "INSERT OR REPLACE INTO sqs_queues(arn, account, region, name, attributes, tags, "
        "created_us, modified_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        arn, account, region, name, attributes, tags, created, modified);
  });
}

void SqsStore::Changes::deleteQueue(const std::string& arn) {
  work_.push_back([arn](sql::Database& db) -> Result<void> {
    if (auto r = sql::runStatement(db, "DELETE FROM sqs_messages WHERE queue_arn = ?", arn); !r)
      return r;
    if (auto r = sql::runStatement(db, "DELETE FROM sqs_deduplication WHERE queue_arn = ?", arn);
        !r)
      return r;
    return sql::runStatement(db, "DELETE FROM sqs_queues WHERE arn = ?", arn);
  });
}

void SqsStore::Changes::saveMessage(const std::string& queueArn, const Message& m) {
  std::optional<int64_t> firstReceive;
  if (m.firstReceive) firstReceive = toEpochMicros(*m.firstReceive);
  work_.push_back([=, attributes = toJsonText(m.attributes)](sql::Database& db) {
    return sql::runStatement(
        db,
        "INSERT OR REPLACE INTO sqs_messages(queue_arn, seq, id, body, attributes, "
        "trace_header, group_id, deduplication_id, sender_id, dead_letter_source, sent_us, "
        "visible_us, first_receive_us, receive_count, receipt) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        queueArn, static_cast<int64_t>(m.seq), m.id, m.body, attributes, m.traceHeader, m.groupId,
        m.deduplicationId, m.senderId, m.deadLetterSourceArn, toEpochMicros(m.sent),
        toEpochMicros(m.visibleAt), firstReceive, m.receiveCount, m.receipt);
  });
}

void SqsStore::Changes::updateMessage(const std::string& queueArn, const Message& m) {
  std::optional<int64_t> firstReceive;
  if (m.firstReceive) firstReceive = toEpochMicros(*m.firstReceive);
  work_.push_back([queueArn, seq = static_cast<int64_t>(m.seq),
                   visible = toEpochMicros(m.visibleAt), firstReceive, count = m.receiveCount,
                   receipt = m.receipt](sql::Database& db) {
    return sql::runStatement(
        db,
        "UPDATE sqs_messages SET visible_us = ?, first_receive_us = ?, receive_count = ?, "
        "receipt = ? WHERE queue_arn = ? AND seq = ?",
        visible, firstReceive, count, receipt, queueArn, seq);
  });
}

void SqsStore::Changes::deleteMessage(const std::string& queueArn, uint64_t seq) {
  work_.push_back([queueArn, seq = static_cast<int64_t>(seq)](sql::Database& db) {
    return sql::runStatement(db, "DELETE FROM sqs_messages WHERE queue_arn = ? AND seq = ?",
                             queueArn, seq);
  });
}

void SqsStore::Changes::purge(const std::string& queueArn) {
  work_.push_back([queueArn](sql::Database& db) {
    return sql::runStatement(db, "DELETE FROM sqs_messages WHERE queue_arn = ?", queueArn);
  });
}

void SqsStore::Changes::rememberDeduplication(const std::string& queueArn, const std::string& key,
                                              const DeduplicationWindow::Entry& e) {
  work_.push_back([queueArn, key, e](sql::Database& db) -> Result<void> {
    // Closed windows are dropped as new ones open, so the table stays small.
    if (auto r = sql::runStatement(
            db, "DELETE FROM sqs_deduplication WHERE queue_arn = ? AND expires_us < ?", queueArn,
            toEpochMicros(e.expires) - toEpochMicros(TimePoint(kDeduplicationInterval)));
        !r) {
      return r;
    }
    return sql::runStatement(db,
                             "INSERT OR REPLACE INTO sqs_deduplication(queue_arn, key, message_id, "
                             "sequence_number, expires_us) VALUES (?, ?, ?, ?, ?)",
                             queueArn, key, e.messageId, e.sequenceNumber,
                             toEpochMicros(e.expires));
  });
}

namespace {

constexpr const char* kMessageColumns =
    "seq, id, body, attributes, trace_header, group_id, deduplication_id, sender_id, "
    "dead_letter_source, sent_us, visible_us, first_receive_us, receive_count, receipt";

// A message from a row of kMessageColumns.
Message readMessage(sql::Statement& st) {
  Message m;
  m.seq = static_cast<uint64_t>(st.columnInt(0));
  m.id = std::string(st.columnText(1));
  m.body = std::string(st.columnText(2));
  m.attributes = parseJson(st.columnText(3)).value_or(JsonObject{});
  m.traceHeader = std::string(st.columnText(4));
  m.groupId = std::string(st.columnText(5));
  m.deduplicationId = std::string(st.columnText(6));
  m.senderId = std::string(st.columnText(7));
  m.deadLetterSourceArn = std::string(st.columnText(8));
  m.sent = fromEpochMicros(st.columnInt(9));
  m.visibleAt = fromEpochMicros(st.columnInt(10));
  if (auto f = st.columnOptionalInt(11)) m.firstReceive = fromEpochMicros(*f);
  m.receiveCount = st.columnInt(12);
  m.receipt = std::string(st.columnText(13));
  return m;
}

}  // namespace

Result<std::vector<Message>> SqsStore::page(const std::string& queueArn, uint64_t from,
                                            size_t limit) const {
  std::vector<Message> out;
  if (!store_) return out;
  auto lease = store_->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(std::string("SELECT ") + kMessageColumns +
                                " FROM sqs_messages WHERE queue_arn = ? AND seq >= ? ORDER BY "
                                "seq LIMIT ?");
  if (!st) return st.takeError();
  st->bindAll(queueArn, static_cast<int64_t>(from), static_cast<int64_t>(limit));
  for (;;) {
    auto row = st->step();
    if (!row) return row.takeError();
    if (!*row) return out;
    out.push_back(readMessage(*st));
  }
}

Result<uint64_t> SqsStore::count(const std::string& queueArn, uint64_t from, uint64_t to) const {
  if (!store_) return uint64_t{0};
  auto lease = store_->readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT count(*) FROM sqs_messages WHERE queue_arn = ? AND seq >= ? AND seq <= ?");
  if (!st) return st.takeError();
  st->bindAll(queueArn, static_cast<int64_t>(from), static_cast<int64_t>(to));
  auto row = st->step();
  if (!row) return row.takeError();
  return static_cast<uint64_t>(*row ? st->columnInt(0) : 0);
}

Result<std::optional<Message>> SqsStore::message(const std::string& queueArn, uint64_t seq) const {
  auto one = page(queueArn, seq, 1);
  if (!one) return one.error();
  if (one->empty() || one->front().seq != seq) return std::optional<Message>();
  return std::optional<Message>(std::move(one->front()));
}

Result<std::vector<std::unique_ptr<Queue>>> SqsStore::load(TimePoint now, size_t window) const {
  std::vector<std::unique_ptr<Queue>> queues;
  if (!store_) return queues;
  auto lease = store_->readers().acquire();
  if (!lease) return lease.takeError();
  sql::Database& db = lease->db();
  std::map<std::string, Queue*> byArn;
  {
    auto st = db.prepare(
        "SELECT arn, account, region, name, attributes, tags, created_us, modified_us FROM "
        "sqs_queues");
    if (!st) return st.takeError();
    for (;;) {
      auto row = st->step();
      if (!row) return row.takeError();
      if (!*row) break;
      auto q = std::make_unique<Queue>();
      q->arn = std::string(st->columnText(0));
      q->account = std::string(st->columnText(1));
      q->region = std::string(st->columnText(2));
      q->name = std::string(st->columnText(3));
      q->attributes = stringMapFromJsonText(st->columnText(4));
      q->tags = stringMapFromJsonText(st->columnText(5));
      q->created = fromEpochMicros(st->columnInt(6));
      q->modified = fromEpochMicros(st->columnInt(7));
      byArn[q->arn] = q.get();
      queues.push_back(std::move(q));
    }
  }
  // Each queue's first `window` messages in order; the rest stay in the
  // store, counted (and read a page at a time as the window drains).
  for (auto& q : queues) {
    auto st = db.prepare(std::string("SELECT ") + kMessageColumns +
                         " FROM sqs_messages WHERE queue_arn = ? ORDER BY seq LIMIT ?");
    if (!st) return st.takeError();
    st->bindAll(q->arn, static_cast<int64_t>(window));
    for (;;) {
      auto row = st->step();
      if (!row) return row.takeError();
      if (!*row) break;
      Message m = readMessage(*st);
      q->nextSeq = std::max(q->nextSeq, m.seq + 1);
      q->messages.emplace(m.seq, std::move(m));
    }
    // The last seq is one index seek; counting the rest would read them all,
    // so the count starts as the seq range and is made exact later
    // (Queue::spillEstimatedTo).
    auto rest = db.prepare("SELECT max(seq) FROM sqs_messages WHERE queue_arn = ?");
    if (!rest) return rest.takeError();
    rest->bindAll(q->arn);
    auto row = rest->step();
    if (!row) return row.takeError();
    auto last = *row ? rest->columnOptionalInt(0) : std::nullopt;
    if (last && static_cast<uint64_t>(*last) >= q->nextSeq) {
      q->spillFrom = q->nextSeq;
      q->spilled = static_cast<uint64_t>(*last) - q->nextSeq + 1;
      q->spillEstimatedTo = static_cast<uint64_t>(*last);
      q->nextSeq = static_cast<uint64_t>(*last) + 1;
    }
  }
  {
    auto st = db.prepare(
        "SELECT queue_arn, key, message_id, sequence_number, expires_us FROM sqs_deduplication");
    if (!st) return st.takeError();
    for (;;) {
      auto row = st->step();
      if (!row) return row.takeError();
      if (!*row) break;
      auto it = byArn.find(std::string(st->columnText(0)));
      TimePoint expires = fromEpochMicros(st->columnInt(4));
      if (it == byArn.end() || expires <= now) continue;
      it->second->deduplication.remember(
          std::string(st->columnText(1)),
          {std::string(st->columnText(2)), std::string(st->columnText(3)), expires});
    }
  }
  return queues;
}

void SqsStore::commit(Changes changes, std::function<void(Result<void>)> done) {
  if (!store_ || changes.empty()) return done({});
  store_->writer().submit(
      [work = std::move(changes.work_)](sql::Database& db) -> Result<void> {
        for (const auto& w : work) {
          if (auto r = w(db); !r) return r;
        }
        return {};
      },
      std::move(done));
}

}  // namespace sluice::services::sqs
