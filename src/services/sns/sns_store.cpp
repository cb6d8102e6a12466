#include "services/sns/sns_store.hpp"

namespace sluice::services::sns {

namespace sql = store::sqlite;

namespace {

constexpr sql::Migration kMigrations[] = {
    {1,
     "CREATE TABLE sns_topics(arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, "
     "name TEXT NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL);"
     "CREATE TABLE sns_subscriptions(arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, protocol "
     "TEXT NOT NULL, endpoint TEXT NOT NULL, owner TEXT NOT NULL, attributes TEXT NOT NULL, "
     "confirmed INTEGER NOT NULL, token TEXT NOT NULL);"},
    // Published messages whose deliveries are not over (PendingDeliveries).
    {2, "CREATE TABLE sns_pending(id TEXT PRIMARY KEY, doc TEXT NOT NULL)"},
};

}  // namespace

std::span<const sql::Migration> snsMigrations() {
  return kMigrations;
}

Result<SnsStore::Loaded> SnsStore::load() const {
  Loaded out;
  if (!store_) return out;
  auto lease = store_->readers().acquire();
  if (!lease) return lease.takeError();
  auto topics =
      lease->db().prepare("SELECT arn, account, region, name, attributes, tags FROM sns_topics");
  if (!topics) return topics.takeError();
  for (;;) {
    auto row = topics->step();
    if (!row) return row.takeError();
    if (!*row) break;
    Topic t;
    t.arn = std::string(topics->columnText(0));
    t.account = std::string(topics->columnText(1));
    t.region = std::string(topics->columnText(2));
    t.name = std::string(topics->columnText(3));
    t.attributes = stringMapFromJsonText(topics->columnText(4));
    t.tags = stringMapFromJsonText(topics->columnText(5));
    t.fifo = t.name.ends_with(".fifo");
    out.topics.push_back(std::move(t));
  }
  auto subs = lease->db().prepare(
      "SELECT arn, topic_arn, protocol, endpoint, owner, attributes, confirmed, token FROM "
      "sns_subscriptions");
  if (!subs) return subs.takeError();
  for (;;) {
    auto row = subs->step();
    if (!row) return row.takeError();
    if (!*row) break;
    Subscription s;
    s.arn = std::string(subs->columnText(0));
    s.topicArn = std::string(subs->columnText(1));
    s.protocol = std::string(subs->columnText(2));
    s.endpoint = std::string(subs->columnText(3));
    s.owner = std::string(subs->columnText(4));
    s.attributes = stringMapFromJsonText(subs->columnText(5));
    s.confirmed = subs->columnInt(6) != 0;
    s.token = std::string(subs->columnText(7));
    out.subscriptions.push_back(std::move(s));
  }
  return out;
}

void SnsStore::submit(sql::WriteQueue::Work work, Done done) {
  if (!store_) return done({});
  store_->writer().submit(std::move(work), std::move(done));
}

void SnsStore::saveTopic(const Topic& t, Done done) {
  submit(
      [arn = t.arn, account = t.account, region = t.region, name = t.name,
       attributes = stringMapToJsonText(t.attributes),
       tags = stringMapToJsonText(t.tags)](sql::Database& db) {
        return sql::runStatement(
            db,
            "INSERT OR REPLACE INTO sns_topics(arn, account, region, name, attributes, "
            "tags) VALUES (?, ?, ?, ?, ?, ?)",
            arn, account, region, name, attributes, tags);
      },
      std::move(done));
}

void SnsStore::deleteTopic(const std::string& arn, Done done) {
  submit(
      [arn](sql::Database& db) -> Result<void> {
        if (auto r =
                sql::runStatement(db, "DELETE FROM sns_subscriptions WHERE topic_arn = ?", arn);
            !r) {
          return r;
        }
        return sql::runStatement(db, "DELETE FROM sns_topics WHERE arn = ?", arn);
      },
      std::move(done));
}

void SnsStore::saveSubscription(const Subscription& s, Done done) {
  submit(
      [s, attributes = stringMapToJsonText(s.attributes)](sql::Database& db) {
        return sql::runStatement(
            db,
            "INSERT OR REPLACE INTO sns_subscriptions(arn, topic_arn, protocol, endpoint, "
            "owner, attributes, confirmed, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            s.arn, s.topicArn, s.protocol, s.endpoint, s.owner, attributes, s.confirmed ? 1 : 0,
            s.token);
      },
      std::move(done));
}

void SnsStore::deleteSubscription(const std::string& arn, Done done) {
  submit(
      [arn](sql::Database& db) {
        return sql::runStatement(db, "DELETE FROM sns_subscriptions WHERE arn = ?", arn);
      },
      std::move(done));
}

}  // namespace sluice::services::sns
