#include "services/sns/sns_service.hpp"

#include "services/sns/filter_policy.hpp"

namespace sluice::services::sns {

SnsService::SnsService(engine::EngineContext engine, const Clock& clock,
                       store::sqlite::SqliteStore* store, std::filesystem::path dataDir,
                       OutboundOptions outbound)
    : engine_(engine),
      clock_(clock),
      store_(store),
      pending_(store, "sns_pending"),
      dataDir_(std::move(dataDir)),
      outbound_(std::move(outbound)) {}

SnsService::~SnsService() = default;

std::shared_ptr<boost::asio::ssl::context> SnsService::tls() {
  std::call_once(tlsOnce_, [this] {
    auto tls = makeClientTlsContext(outbound_.caFile);
    // Without a context, https and STARTTLS deliveries fail and are retried.
    if (tls) tls_ = std::move(*tls);
  });
  return tls_;
}

Result<void> SnsService::load() {
  if (!outbound_.caFile.empty()) {
    // A CA file that cannot be used stops the server at start.
    auto tls = makeClientTlsContext(outbound_.caFile);
    if (!tls) return tls.error();
    std::call_once(tlsOnce_, [&] { tls_ = std::move(*tls); });
  }
  auto loaded = store_.load();
  if (!loaded) return loaded.error();
  for (auto& t : loaded->topics) {
    std::string arn = t.arn;
    topics_.emplace(arn, std::move(t));
  }
  for (auto& s : loaded->subscriptions) {
    if (auto it = s.attributes.find("FilterPolicy"); it != s.attributes.end()) {
      auto policy = parseFilterPolicy(it->second);
      if (policy) s.filterPolicy = std::move(*policy);
    }
    std::string arn = s.arn;
    subscriptions_.emplace(arn, std::move(s));
  }
  return resumePending();
}

void SnsService::registerOperations(OperationRegistry& registry) {
  registry_ = &registry;
  registry.addService("sns", "");
  auto add = [&](const char* name, Op fn) {
    registry.add("sns", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      engine_.loop.post([this, fn, in, ctx, reply = std::move(reply)]() mutable {
        (this->*fn)(in, ctx, std::move(reply));
      });
    });
  };
  add("CreateTopic", &SnsService::createTopic);
  add("DeleteTopic", &SnsService::deleteTopic);
  add("ListTopics", &SnsService::listTopics);
  add("GetTopicAttributes", &SnsService::getTopicAttributes);
  add("SetTopicAttributes", &SnsService::setTopicAttributes);
  add("TagResource", &SnsService::tagResource);
  add("UntagResource", &SnsService::untagResource);
  add("ListTagsForResource", &SnsService::listTagsForResource);
  add("Subscribe", &SnsService::subscribe);
  add("ConfirmSubscription", &SnsService::confirmSubscription);
  add("Unsubscribe", &SnsService::unsubscribe);
  add("ListSubscriptions", &SnsService::listSubscriptions);
  add("ListSubscriptionsByTopic", &SnsService::listSubscriptionsByTopic);
  add("GetSubscriptionAttributes", &SnsService::getSubscriptionAttributes);
  add("SetSubscriptionAttributes", &SnsService::setSubscriptionAttributes);
  add("Publish", &SnsService::publish);
  add("PublishBatch", &SnsService::publishBatch);
}

Result<Topic*> SnsService::findTopic(const std::string& arn) {
  auto it = topics_.find(arn);
  if (it == topics_.end()) return AwsError{"NotFound", "Topic does not exist", 404};
  return &it->second;
}

Result<Subscription*> SnsService::findSubscription(const std::string& arn) {
  auto it = subscriptions_.find(arn);
  if (it == subscriptions_.end()) return AwsError{"NotFound", "Subscription does not exist", 404};
  return &it->second;
}

}  // namespace sluice::services::sns
