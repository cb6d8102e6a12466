// FIFO queue rules that do not depend on a queue's storage: the 5-minute
// deduplication window, content-based deduplication ids and sequence numbers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace sluice::services::sqs {

// A message sent with the same deduplication id within this interval is
// accepted but not delivered again (AWS: 5 minutes).
inline constexpr Duration kDeduplicationInterval = std::chrono::minutes(5);

// Content-based deduplication: the SHA-256 of the body (not the attributes), hex.
std::string contentDeduplicationId(std::string_view body);

// The key a deduplication id is remembered under: with DeduplicationScope
// "messageGroup" the same id in two groups are two messages; with "queue"
// (the default) the id is unique across the queue.
std::string deduplicationKey(std::string_view scope, std::string_view groupId,
                             std::string_view deduplicationId);

// The 20-digit, strictly increasing SequenceNumber of the n-th message.
std::string sequenceNumber(uint64_t seq);

class DeduplicationWindow {
 public:
  struct Entry {
    std::string messageId;
    std::string sequenceNumber;
    TimePoint expires;
  };

  // The message first sent under `key`, while its window is open.
  std::optional<Entry> find(const std::string& key, TimePoint now) const;
  void remember(const std::string& key, Entry entry);
  // Forgets every entry whose window closed before `now`.
  void prune(TimePoint now);
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, Entry> entries_;
};

}  // namespace sluice::services::sqs
