// What an incremental crawl reads. CRAWL_EVENT_MODE crawls the folders named
// by the S3 event notifications waiting in each target's EventQueueArn;
// CRAWL_NEW_FOLDERS_ONLY crawls the folders no partition or table of the
// crawler covers yet. Folders inside a table the crawler already made are
// read as that table (its location fixed as the table level); others are
// grouped as a full crawl would group them. A crawler's first crawl reads
// everything in either mode.
#pragma once

#include <string>
#include <vector>

#include "lake/table_discovery.hpp"
#include "services/operation.hpp"

namespace sluice::services::glue {

// A table the crawler made: where it is and whether it is partitioned.
struct KnownTable {
  std::string location;  // s3://bucket/prefix/
  std::string db, name;
  bool partitioned = false;
};

// The S3 event messages taken from a queue: the object keys they name
// ("bucket/key"), the receipts to delete once the crawl succeeded, and the
// bodies of messages that are no S3 event (for the target's dead-letter
// queue, DlqEventQueueArn, when it has one).
struct QueuedEvents {
  std::string queueUrl;
  std::string dlqArn;
  std::vector<std::string> objects;
  std::vector<std::string> receipts;
  std::vector<std::string> unusable;
};

// Receives every message waiting in `queueArn` (blocking: a worker thread).
Result<QueuedEvents> drainEventQueue(const OperationRegistry& registry, const Scope& scope,
                                     const std::string& queueArn, const std::string& dlqArn);
// Moves the unusable messages to the dead-letter queue and deletes the
// consumed ones (asynchronous).
void deleteConsumed(const OperationRegistry& registry, const Scope& scope,
                    const QueuedEvents& events);

// The targets reading only `folders` (bucket-relative prefixes ending in
// "/") of `target`: one per known table they fall in, the rest together.
std::vector<lake::CrawlTarget> partialTargets(const lake::CrawlTarget& target,
                                              const std::vector<std::string>& folders,
                                              const std::vector<KnownTable>& known);

// The folder of an object key ("a/b/c.json" -> "a/b/").
std::string folderOf(const std::string& key);

}  // namespace sluice::services::glue
