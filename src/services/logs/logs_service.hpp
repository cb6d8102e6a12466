// CloudWatch Logs (signing name "logs", X-Amz-Target "Logs_20140328"): log
// groups with retention and tags, log streams, events (PutLogEvents,
// GetLogEvents, FilterLogEvents with filter patterns).
//
// Groups and streams are small configuration: in memory under one mutex and
// written through to SQLite as documents. Events grow with use and live in
// the store (event_store.hpp): rows read by index, never all loaded. A change
// is acknowledged once committed.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "services/builtin.hpp"
#include "services/common/documents.hpp"
#include "services/logs/event_store.hpp"
#include "services/operation.hpp"

namespace sluice::services::logs {

struct LogStream {
  std::string name;
  int64_t creationTime = 0;
  std::optional<int64_t> firstEvent, lastEvent;  // the timestamps its events span
  int64_t lastIngestion = 0;
  uint64_t uploads = 0;  // PutLogEvents calls: the sequence token
  uint64_t storedBytes = 0;
};

struct LogGroup {
  std::string name;
  int64_t creationTime = 0;
  std::optional<int> retentionInDays;
  std::string kmsKeyId;
  std::string logGroupClass = "STANDARD";
  std::map<std::string, std::string> tags;
  std::map<std::string, LogStream> streams;
};

class LogsService {
 public:
  // Loads every stored group, stream and event. Throws std::runtime_error on
  // a store failure (start-up).
  explicit LogsService(const ServiceEnvironment& env);

  void registerOperations(OperationRegistry& registry);
  static std::span<const store::sqlite::Migration> migrations();

  Result<Change> createLogGroup(const Json& in, const CallContext& ctx);
  Result<Change> deleteLogGroup(const Json& in, const CallContext& ctx);
  Result<Change> describeLogGroups(const Json& in, const CallContext& ctx);
  Result<Change> putRetentionPolicy(const Json& in, const CallContext& ctx);
  Result<Change> deleteRetentionPolicy(const Json& in, const CallContext& ctx);
  Result<Change> createLogStream(const Json& in, const CallContext& ctx);
  Result<Change> deleteLogStream(const Json& in, const CallContext& ctx);
  Result<Change> describeLogStreams(const Json& in, const CallContext& ctx);
  Result<Change> putLogEvents(const Json& in, const CallContext& ctx);
  Result<Change> getLogEvents(const Json& in, const CallContext& ctx);
  Result<Change> filterLogEvents(const Json& in, const CallContext& ctx);
  Result<Change> testMetricFilter(const Json& in, const CallContext& ctx);
  Result<Change> tagLogGroup(const Json& in, const CallContext& ctx);
  Result<Change> untagLogGroup(const Json& in, const CallContext& ctx);
  Result<Change> listTagsLogGroup(const Json& in, const CallContext& ctx);
  Result<Change> tagResource(const Json& in, const CallContext& ctx);
  Result<Change> untagResource(const Json& in, const CallContext& ctx);
  Result<Change> listTagsForResource(const Json& in, const CallContext& ctx);

 private:
  using Groups = std::map<std::string, LogGroup>;

  Groups& groupsOf(const Scope& scope) { return groups_[scopeKey(scope)]; }
  // logGroupName or logGroupIdentifier (a name or an ARN) of a request.
  Result<LogGroup*> findGroup(const Scope& scope, const Json& in);
  Result<LogGroup*> groupByName(const Scope& scope, const std::string& name);
  Result<LogStream*> findStream(LogGroup& group, const Json& in);
  // A tagging request's resourceArn: a log group ARN.
  Result<LogGroup*> groupByArn(const Scope& scope, const std::string& arn);
  int64_t nowMs() const;

  void persistGroup(DocumentBatch& b, const Scope& scope, const LogGroup& g) const;
  void persistStream(DocumentBatch& b, const Scope& scope, const LogGroup& g,
                     const LogStream& s) const;

  const Clock& clock_;
  DocumentStore docs_;
  std::mutex mu_;
  std::map<std::string, Groups> groups_;  // by scopeKey
  std::unique_ptr<LogEventStore> events_;
  uint64_t nextEventId_ = 1;
};

// A stream's document key: "<group>\n<stream>" (stream names may not hold
// a newline; CreateLogStream refuses one).
std::string streamKey(std::string_view group, std::string_view stream);
Json tagsJson(const std::map<std::string, std::string>& tags);
std::map<std::string, std::string> readTagMap(const Json* v);

// arn:aws:logs:<region>:<account>:log-group:<name> (the logGroupArn form,
// without the ":*" suffix of `arn`).
std::string logGroupArn(const Scope& scope, std::string_view name);

}  // namespace sluice::services::logs
