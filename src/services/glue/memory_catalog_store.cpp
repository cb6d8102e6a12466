// Partitions and table versions in memory, for a server without a data
// directory: ordered maps keyed as the store's rows are. Writes apply at once
// (nothing is committed without a store). Crawls read from worker threads,
// so every call holds the store's lock (`visit` must not call back).
#include <map>
#include <mutex>
#include <tuple>

#include "services/glue/catalog_store.hpp"

namespace sluice::services::glue {

namespace {

// scopeKey, database, table.
using TableKey = std::tuple<std::string, std::string, std::string>;

TableKey tableKeyOf(const Scope& scope, const TableRef& t) {
  return {scopeKey(scope), t.db, t.table};
}

class MemoryCatalogStore final : public CatalogStore {
 public:
  void addPartition(DocumentBatch&, const Scope& scope, const TableRef& t, const std::string& key,
                    const Json& partition) override {
    std::lock_guard lock(mu_);
    partitions_[tableKeyOf(scope, t)].emplace(key, partition);
  }

  void putPartition(DocumentBatch&, const Scope& scope, const TableRef& t, const std::string& key,
                    const Json& partition) override {
    std::lock_guard lock(mu_);
    partitions_[tableKeyOf(scope, t)][key] = partition;
  }

  void erasePartition(DocumentBatch&, const Scope& scope, const TableRef& t,
                      const std::string& key) override {
    std::lock_guard lock(mu_);
    if (auto it = partitions_.find(tableKeyOf(scope, t)); it != partitions_.end()) {
      it->second.erase(key);
    }
  }

  Result<std::optional<Json>> partition(const Scope& scope, const TableRef& t,
                                        const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(tableKeyOf(scope, t));
    if (it == partitions_.end()) return std::optional<Json>();
    auto p = it->second.find(key);
    return p == it->second.end() ? std::optional<Json>() : std::optional<Json>(p->second);
  }

  Result<void> scanPartitions(const Scope& scope, const TableRef& t, const std::string& after,
                              const std::function<bool(const std::string&, Json)>& visit) override {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(tableKeyOf(scope, t));
    if (it == partitions_.end()) return {};
    for (auto p = it->second.upper_bound(after); p != it->second.end(); ++p) {
      if (!visit(p->first, p->second)) break;
    }
    return {};
  }

  void putVersion(DocumentBatch&, const Scope& scope, const TableRef& t, int64_t version,
                  const Json& doc) override {
    std::lock_guard lock(mu_);
    versions_[tableKeyOf(scope, t)][version] = doc;
  }

  void eraseVersion(DocumentBatch&, const Scope& scope, const TableRef& t,
                    int64_t version) override {
    std::lock_guard lock(mu_);
    if (auto it = versions_.find(tableKeyOf(scope, t)); it != versions_.end()) {
      it->second.erase(version);
    }
  }

  Result<std::optional<Json>> version(const Scope& scope, const TableRef& t,
                                      int64_t version) override {
    std::lock_guard lock(mu_);
    auto it = versions_.find(tableKeyOf(scope, t));
    if (it == versions_.end()) return std::optional<Json>();
    auto v = it->second.find(version);
    return v == it->second.end() ? std::optional<Json>() : std::optional<Json>(v->second);
  }

  Result<std::vector<std::pair<int64_t, Json>>> versions(const Scope& scope, const TableRef& t,
                                                         int64_t below, size_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<std::pair<int64_t, Json>> out;
    auto it = versions_.find(tableKeyOf(scope, t));
    if (it == versions_.end()) return out;
    for (auto v = std::make_reverse_iterator(it->second.lower_bound(below));
         v != it->second.rend() && out.size() < limit; ++v) {
      out.emplace_back(v->first, v->second);
    }
    return out;
  }

  void dropTable(DocumentBatch&, const Scope& scope, const TableRef& t) override {
    std::lock_guard lock(mu_);
    dropFrom(partitions_, scope, t);
    dropFrom(versions_, scope, t);
  }

 private:
  std::mutex mu_;
  std::map<TableKey, std::map<std::string, Json>> partitions_;
  std::map<TableKey, std::map<int64_t, Json>> versions_;

  template <typename Map>
  static void dropFrom(Map& map, const Scope& scope, const TableRef& t) {
    if (!t.table.empty()) {
      map.erase(tableKeyOf(scope, t));
      return;
    }
    std::string s = scopeKey(scope);
    for (auto it = map.lower_bound({s, t.db, ""});
         it != map.end() && std::get<0>(it->first) == s && std::get<1>(it->first) == t.db;) {
      it = map.erase(it);
    }
  }
};

}  // namespace

std::unique_ptr<CatalogStore> makeMemoryCatalogStore() {
  return std::make_unique<MemoryCatalogStore>();
}

}  // namespace sluice::services::glue
