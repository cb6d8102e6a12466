// Queue operations: CreateQueue, GetQueueUrl, ListQueues, Get/SetQueueAttributes,
// DeleteQueue, PurgeQueue, tags, ListDeadLetterSourceQueues.
#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/sqs/attributes.hpp"
#include "services/sqs/sqs_service.hpp"

namespace sluice::services::sqs {

namespace {

constexpr Duration kRecreateDelay = std::chrono::seconds(60);
constexpr Duration kPurgeInterval = std::chrono::seconds(60);
constexpr std::string_view kTokenPrefix = "sluice-sqs:";

std::string epochText(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

JsonObject queueUrlResult(const std::string& url) {
  JsonObject out;
  out["QueueUrl"] = url;
  return out;
}

}  // namespace

// The dead-letter target of a RedrivePolicy must exist and be of the same type.
static Result<void> checkDeadLetterTarget(const AttributeMap& attrs, bool fifo,
                                          const std::function<Queue*(const std::string&)>& find) {
  auto it = attrs.find("RedrivePolicy");
  if (it == attrs.end() || it->second.empty()) return {};
  QueueConfig c = configOf(attrs);
  Queue* target = find(c.deadLetterTargetArn);
  auto fail = [&](const char* reason) {
    return AwsError{
        "InvalidParameterValue",
        "Value " + it->second + " for parameter RedrivePolicy is invalid. Reason: " + reason, 400};
  };
  if (!target) return fail("Dead letter target does not exist.");
  if (target->config.fifo != fifo) {
    return fail("Dead-letter queue must be same type of queue as the source.");
  }
  return {};
}

void SqsService::createQueue(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto name = input.requiredString("QueueName");
  if (!name) return reply(name.error());
  const Json* given = input.get("Attributes");
  bool fifo = false;
  if (given && given->is_object()) {
    if (const Json* f = given->as_object().if_contains("FifoQueue")) {
      fifo = f->is_string() && f->get_string() == "true";
    }
  }
  if (auto ok = checkQueueName(*name, fifo || name->ends_with(".fifo")); !ok) {
    return reply(ok.error());
  }
  if (name->ends_with(".fifo") && !fifo) {
    return reply(AwsError{"InvalidParameterValue",
                          "Can only include alphanumeric characters, hyphens, or underscores. 1 "
                          "to 80 in length",
                          400});
  }
  auto checked = checkAttributes(given, fifo, true);
  if (!checked) return reply(checked.error());
  auto find = [this](const std::string& arn) { return queueByArn(arn); };
  if (auto ok = checkDeadLetterTarget(*checked, fifo, find); !ok) return reply(ok.error());

  std::string arn = arn::sqsQueue(ctx.scope, *name);
  TimePoint now = clock_.now();
  if (Queue* existing = queueByArn(arn)) {
    // Idempotent: the same attributes return the queue, different ones fail.
    for (const auto& [k, v] : *checked) {
      auto cur = existing->attributes.find(k);
      if (cur == existing->attributes.end() || cur->second != v) {
        return reply(AwsError{"QueueNameExists",
                              "A queue already exists with the same name and a different value "
                              "for attribute " +
                                  k,
                              400});
      }
    }
    return reply(Json(queueUrlResult(urlOf(*existing, ctx))));
  }
  if (auto it = recentlyDeleted_.find(arn); it != recentlyDeleted_.end()) {
    if (now - it->second < kRecreateDelay) {
      return reply(AwsError{"QueueDeletedRecently",
                            "You must wait 60 seconds after deleting a queue before you can "
                            "create another with the same name.",
                            400});
    }
    recentlyDeleted_.erase(it);
  }
  auto q = std::make_unique<Queue>();
  q->arn = arn;
  q->account = ctx.scope.account;
  q->region = ctx.scope.region;
  q->name = *name;
  q->attributes = defaultAttributes(fifo);
  for (auto& [k, v] : *checked) q->attributes[k] = v;
  if (const Json* tags = input.get("tags"); tags && tags->is_object()) {
    for (const auto& kv : tags->as_object()) {
      if (kv.value().is_string()) q->tags[std::string(kv.key())] = kv.value().get_string();
    }
  }
  q->created = q->modified = now;
  index(*q);
  SqsStore::Changes changes;
  changes.saveQueue(*q);
  std::string url = urlOf(*q, ctx);
  queues_[arn] = std::move(q);
  commitThenReply(std::move(changes), Json(queueUrlResult(url)), std::move(reply));
}

void SqsService::getQueueUrl(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto name = input.requiredString("QueueName");
  if (!name) return reply(name.error());
  auto owner = input.optionalString("QueueOwnerAWSAccountId");
  if (!owner) return reply(owner.error());
  Scope scope = ctx.scope;
  if (*owner) scope.account = **owner;
  Queue* q = queueByArn(arn::sqsQueue(scope, *name));
  if (!q) return reply(AwsError{"QueueDoesNotExist", "The specified queue does not exist.", 400});
  reply(Json(queueUrlResult(urlOf(*q, ctx))));
}

void SqsService::listQueues(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto prefix = input.optionalString("QueueNamePrefix");
  if (!prefix) return reply(prefix.error());
  auto max = input.optionalInt("MaxResults");
  if (!max) return reply(max.error());
  auto token = input.optionalString("NextToken");
  if (!token) return reply(token.error());
  if (*max && (**max < 1 || **max > 1000)) {
    return reply(AwsError{"InvalidParameterValue",
                          "Value " + std::to_string(**max) +
                              " for parameter MaxResults is invalid. Reason: MaxResults must be "
                              "an integer between 1 and 1000.",
                          400});
  }
  std::string after;
  if (*token) {
    auto decoded = base64Decode(**token);
    if (!decoded || !decoded->starts_with(kTokenPrefix)) {
      return reply(AwsError{"InvalidParameterValue", "Invalid NextToken value.", 400});
    }
    after = decoded->substr(kTokenPrefix.size());
  }
  std::vector<const Queue*> matching;
  for (const auto& [arn, q] : queues_) {
    if (q->account != ctx.scope.account || q->region != ctx.scope.region) continue;
    if (*prefix && !q->name.starts_with(**prefix)) continue;
    if (!after.empty() && q->name <= after) continue;
    matching.push_back(q.get());
  }
  std::sort(matching.begin(), matching.end(),
            [](const Queue* a, const Queue* b) { return a->name < b->name; });
  size_t limit = *max ? static_cast<size_t>(**max) : 1000;
  JsonArray urls;
  for (size_t i = 0; i < matching.size() && i < limit; ++i) {
    urls.push_back(Json(urlOf(*matching[i], ctx)));
  }
  JsonObject out;
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (*max && matching.size() > limit) {
    out["NextToken"] = base64Encode(std::string(kTokenPrefix) + matching[limit - 1]->name);
  }
  reply(Json(std::move(out)));
}

void SqsService::getQueueAttributes(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  Queue& queue = **q;
  std::set<std::string> wanted;
  if (const Json* names = Input(in).get("AttributeNames"); names && names->is_array()) {
    for (const Json& n : names->as_array()) {
      if (n.is_string()) wanted.insert(std::string(n.get_string()));
    }
  }
  TimePoint now = clock_.now();
  AttributeMap all = queue.attributes;
  int64_t visible = 0, inFlight = 0, delayed = 0;
  for (const auto& [seq, m] : queue.messages) {
    if (m.visibleAt <= now) {
      ++visible;
    } else if (m.receiveCount > 0) {
      ++inFlight;
    } else {
      ++delayed;
    }
  }
  // Messages waiting in the store past the window: visible unless delayed.
  std::erase_if(queue.spilledDelays, [now](TimePoint t) { return t <= now; });
  int64_t spilledDelayed = static_cast<int64_t>(queue.spilledDelays.size());
  delayed += spilledDelayed;
  visible += static_cast<int64_t>(queue.spilled) - spilledDelayed;
  all["ApproximateNumberOfMessages"] = std::to_string(visible);
  all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(inFlight);
  all["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed);
  all["CreatedTimestamp"] = epochText(queue.created);
  all["LastModifiedTimestamp"] = epochText(queue.modified);
  all["QueueArn"] = queue.arn;
  JsonObject out;
  for (const std::string& name : wanted) {
    if (name == "All") continue;
    static const std::set<std::string> kKnown = {"Policy",
                                                 "VisibilityTimeout",
                                                 "MaximumMessageSize",
                                                 "MessageRetentionPeriod",
                                                 "ApproximateNumberOfMessages",
                                                 "ApproximateNumberOfMessagesNotVisible",
                                                 "CreatedTimestamp",
                                                 "LastModifiedTimestamp",
                                                 "QueueArn",
                                                 "ApproximateNumberOfMessagesDelayed",
                                                 "DelaySeconds",
                                                 "ReceiveMessageWaitTimeSeconds",
                                                 "RedrivePolicy",
                                                 "FifoQueue",
                                                 "ContentBasedDeduplication",
                                                 "KmsMasterKeyId",
                                                 "KmsDataKeyReusePeriodSeconds",
                                                 "DeduplicationScope",
                                                 "FifoThroughputLimit",
                                                 "RedriveAllowPolicy",
                                                 "SqsManagedSseEnabled"};
    if (!kKnown.count(name)) {
      return reply(AwsError{"InvalidAttributeName", "Unknown Attribute " + name + ".", 400});
    }
  }
  for (const auto& [k, v] : all) {
    if (wanted.count("All") || wanted.count(k)) out[k] = v;
  }
  JsonObject result;
  if (!out.empty()) result["Attributes"] = std::move(out);
  reply(Json(std::move(result)));
}

void SqsService::setQueueAttributes(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  Queue& queue = **q;
  auto checked = checkAttributes(Input(in).get("Attributes"), queue.config.fifo, false);
  if (!checked) return reply(checked.error());
  auto find = [this](const std::string& arn) { return queueByArn(arn); };
  if (auto ok = checkDeadLetterTarget(*checked, queue.config.fifo, find); !ok) {
    return reply(ok.error());
  }
  for (auto& [k, v] : *checked) {
    if (v.empty() && (k == "RedrivePolicy" || k == "Policy" || k == "RedriveAllowPolicy")) {
      queue.attributes.erase(k);
    } else {
      queue.attributes[k] = v;
    }
  }
  queue.modified = clock_.now();
  queue.config = configOf(queue.attributes);
  SqsStore::Changes changes;
  changes.saveQueue(queue);
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
  wakeWaiters(queue);
}

void SqsService::deleteQueue(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  std::string arn = (*q)->arn;
  std::deque<uint64_t> parked = std::move((*q)->waiters);
  if ((*q)->wakeTimer) engine_.loop.cancel((*q)->wakeTimer);
  queues_.erase(arn);
  recentlyDeleted_[arn] = clock_.now();
  for (uint64_t id : parked) finishWaiter(id, true);
  SqsStore::Changes changes;
  changes.deleteQueue(arn);
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
}

void SqsService::purgeQueue(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  Queue& queue = **q;
  TimePoint now = clock_.now();
  if (queue.lastPurge && now - *queue.lastPurge < kPurgeInterval) {
    return reply(AwsError{
        "PurgeQueueInProgress",
        "Only one PurgeQueue operation on " + queue.name + " is allowed every 60 seconds.", 403});
  }
  queue.lastPurge = now;
  queue.messages.clear();
  queue.byVisibility.clear();
  queue.groups.clear();
  queue.attempts.clear();
  queue.spilled = 0;
  queue.spillFrom = queue.nextSeq;
  queue.spillEstimatedTo = 0;
  ++queue.purges;
  queue.faulted.clear();
  queue.spilledDelays.clear();
  SqsStore::Changes changes;
  changes.purge(queue.arn);
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
}

void SqsService::tagQueue(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  const Json* tags = Input(in).get("Tags");
  if (!tags || !tags->is_object()) return reply(missingMember("Tags"));
  auto merged = (*q)->tags;
  for (const auto& kv : tags->as_object()) {
    merged[std::string(kv.key())] = kv.value().is_string() ? kv.value().get_string().c_str() : "";
  }
  if (merged.size() > 50) {
    return reply(AwsError{"InvalidParameterValue",
                          "Too many tags added for queue " + (*q)->name + ".", 400});
  }
  (*q)->tags = std::move(merged);
  SqsStore::Changes changes;
  changes.saveQueue(**q);
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
}

void SqsService::untagQueue(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  const Json* keys = Input(in).get("TagKeys");
  if (!keys || !keys->is_array()) return reply(missingMember("TagKeys"));
  for (const Json& k : keys->as_array()) {
    if (k.is_string()) (*q)->tags.erase(std::string(k.get_string()));
  }
  SqsStore::Changes changes;
  changes.saveQueue(**q);
  commitThenReply(std::move(changes), Json(JsonObject{}), std::move(reply));
}

void SqsService::listQueueTags(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  JsonObject out;
  if (!(*q)->tags.empty()) {
    JsonObject tags;
    for (const auto& [k, v] : (*q)->tags) tags[k] = v;
    out["Tags"] = std::move(tags);
  }
  reply(Json(std::move(out)));
}

void SqsService::listDeadLetterSourceQueues(const Json& in, const CallContext& ctx, Reply reply) {
  auto q = queueByUrl(in, ctx);
  if (!q) return reply(q.error());
  JsonArray urls;
  for (const auto& [arn, source] : queues_) {
    if (source->config.deadLetterTargetArn == (*q)->arn) urls.push_back(Json(urlOf(*source, ctx)));
  }
  JsonObject out;
  out["queueUrls"] = std::move(urls);
  reply(Json(std::move(out)));
}

}  // namespace sluice::services::sqs
