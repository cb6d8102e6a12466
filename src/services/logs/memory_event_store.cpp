// Log events in memory, for a server without a data directory: per stream,
// a vector in (timestamp, id) order. Writes apply at once (nothing is
// committed without a store).
#include <algorithm>
#include <map>

#include "services/logs/event_store.hpp"

namespace sluice::services::logs {

namespace {

class MemoryEventStore final : public LogEventStore {
 public:
  void append(DocumentBatch&, const Scope& scope, const std::string& group,
              const std::string& stream, const std::vector<LogEvent>& events) override {
    auto& list = streams_[{scopeKey(scope), group, stream}];
    for (const LogEvent& e : events) {
      maxId_ = std::max(maxId_, e.id);
      auto at = std::upper_bound(list.begin(), list.end(), keyOf(e),
                                 [](const EventKey& k, const LogEvent& x) { return k < keyOf(x); });
      list.insert(at, e);
    }
  }

  void dropStream(DocumentBatch&, const Scope& scope, const std::string& group,
                  const std::string& stream) override {
    streams_.erase({scopeKey(scope), group, stream});
  }

  void dropGroup(DocumentBatch&, const Scope& scope, const std::string& group) override {
    std::string s = scopeKey(scope);
    for (auto it = streams_.lower_bound({s, group, ""});
         it != streams_.end() && std::get<0>(it->first) == s && std::get<1>(it->first) == group;) {
      it = streams_.erase(it);
    }
  }

  void dropBefore(DocumentBatch&, const Scope& scope, const std::string& group,
                  int64_t cutoff) override {
    std::string s = scopeKey(scope);
    for (auto it = streams_.lower_bound({s, group, ""});
         it != streams_.end() && std::get<0>(it->first) == s && std::get<1>(it->first) == group;
         ++it) {
      std::erase_if(it->second, [cutoff](const LogEvent& e) { return e.timestamp < cutoff; });
    }
  }

  Result<std::vector<LogEvent>> page(const Scope& scope, const std::string& group,
                                     const std::string& stream, bool forward, EventKey from,
                                     TimeRange range, size_t limit) override {
    std::vector<LogEvent> out;
    auto it = streams_.find({scopeKey(scope), group, stream});
    if (it == streams_.end()) return out;
    const auto& list = it->second;
    auto inRange = [&](const LogEvent& e) {
      return e.timestamp >= range.from && e.timestamp <= range.to;
    };
    if (forward) {
      auto i = std::upper_bound(list.begin(), list.end(), from,
                                [](const EventKey& k, const LogEvent& x) { return k < keyOf(x); });
      for (; i != list.end() && out.size() < limit; ++i) {
        if (inRange(*i)) out.push_back(*i);
      }
    } else {
      auto i = std::lower_bound(list.begin(), list.end(), from,
                                [](const LogEvent& x, const EventKey& k) { return keyOf(x) < k; });
      while (i != list.begin() && out.size() < limit) {
        --i;
        if (inRange(*i)) out.push_back(*i);
      }
    }
    return out;
  }

  Result<std::vector<StreamEvent>> scan(const Scope& scope, const std::string& group,
                                        const std::vector<std::string>& streams, EventKey after,
                                        TimeRange range, size_t limit) override {
    std::vector<StreamEvent> out;
    std::string s = scopeKey(scope);
    for (auto it = streams_.lower_bound({s, group, ""});
         it != streams_.end() && std::get<0>(it->first) == s && std::get<1>(it->first) == group;
         ++it) {
      const std::string& name = std::get<2>(it->first);
      if (!streams.empty() && std::find(streams.begin(), streams.end(), name) == streams.end()) {
        continue;
      }
      auto i = std::upper_bound(it->second.begin(), it->second.end(), after,
                                [](const EventKey& k, const LogEvent& x) { return k < keyOf(x); });
      for (size_t taken = 0; i != it->second.end() && taken < limit; ++i) {
        if (i->timestamp < range.from || i->timestamp > range.to) continue;
        out.push_back({name, *i});
        ++taken;
      }
    }
    std::sort(out.begin(), out.end(), [](const StreamEvent& a, const StreamEvent& b) {
      return keyOf(a.event) < keyOf(b.event);
    });
    if (out.size() > limit) out.resize(limit);
    return out;
  }

  Result<StreamStats> stats(const Scope& scope, const std::string& group,
                            const std::string& stream) override {
    StreamStats out;
    auto it = streams_.find({scopeKey(scope), group, stream});
    if (it == streams_.end() || it->second.empty()) return out;
    out.first = it->second.front().timestamp;
    out.last = it->second.back().timestamp;
    for (const auto& e : it->second) out.bytes += e.message.size();
    return out;
  }

  Result<uint64_t> maxId() override { return maxId_; }

 private:
  uint64_t maxId_ = 0;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<LogEvent>> streams_;
};

}  // namespace

std::unique_ptr<LogEventStore> makeMemoryEventStore() {
  return std::make_unique<MemoryEventStore>();
}

}  // namespace sluice::services::logs
