#include "services/sqs/fifo.hpp"

#include <cstdio>

#include "core/digest.hpp"

namespace sluice::services::sqs {

std::string contentDeduplicationId(std::string_view body) {
  return hexDigest("SHA-256", body).value_or("");
}

std::string deduplicationKey(std::string_view scope, std::string_view groupId,
                             std::string_view deduplicationId) {
  std::string key;
  if (scope == "messageGroup") {
    key += groupId;
    key += '\n';
  }
  key += deduplicationId;
  return key;
}

std::string sequenceNumber(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "1%019llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<DeduplicationWindow::Entry> DeduplicationWindow::find(const std::string& key,
                                                                    TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
  return it->second;
}

void DeduplicationWindow::remember(const std::string& key, Entry entry) {
  entries_[key] = std::move(entry);
}

void DeduplicationWindow::prune(TimePoint now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.expires <= now) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sluice::services::sqs
