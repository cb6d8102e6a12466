// SNS's tables: topics and subscriptions, each a row with its attributes as
// JSON. Writes go through the WriteQueue and the operation answers after the
// commit. Published messages in flight are in sns_pending (PendingDeliveries).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "services/sns/topic.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services::sns {

std::span<const store::sqlite::Migration> snsMigrations();

class SnsStore {
 public:
  explicit SnsStore(store::sqlite::SqliteStore* store) : store_(store) {}

  struct Loaded {
    std::vector<Topic> topics;
    std::vector<Subscription> subscriptions;
  };
  Result<Loaded> load() const;

  using Done = std::function<void(Result<void>)>;
  void saveTopic(const Topic& topic, Done done);
  // Deletes the topic and its subscriptions.
  void deleteTopic(const std::string& arn, Done done);
  void saveSubscription(const Subscription& s, Done done);
  void deleteSubscription(const std::string& arn, Done done);

 private:
  void submit(store::sqlite::WriteQueue::Work work, Done done);
  store::sqlite::SqliteStore* store_;
};

}  // namespace sluice::services::sns
