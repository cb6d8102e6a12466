// The S3 service (signing name "s3"): buckets, objects, listings, multipart
// uploads, versioning, tagging, checksums — objects as plain files under
// <data-dir>/objects, metadata in SQLite (s3_store.hpp, object_files.hpp);
// small objects' bytes in their metadata row (object_bodies.cpp).
//
// Operations take and return boto3-shaped JSON like every service. Object
// bytes travel beside the JSON when the caller offers a Payload (the HTTP
// door: CallContext::payload); otherwise (the workflow door) Body is an
// ordinary string member. Timestamps in outputs are epoch seconds.
//
// Operations block on disk and SQLite, so they run on the service's own
// worker pool, never on the HTTP or engine threads.
//
// Lifecycle rules and Intelligent-Tiering archiving run at every midnight UTC and restores complete
// on timers of the engine's event loop, on the injected clock (`--clock virtual` + POST
// /_sluice/clock/advance drives them). What happens to objects is published as bucket events
// (bucket_events.hpp).
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lake/object_snapshot.hpp"
#include "services/builtin.hpp"
#include "services/operation.hpp"
#include "services/s3/access_tracker.hpp"
#include "services/s3/bucket_events.hpp"
#include "services/s3/lifecycle_rules.hpp"
#include "services/s3/notification_outbox.hpp"
#include "services/s3/object_files.hpp"
#include "services/s3/restore_delays.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

class S3Service {
 public:
  explicit S3Service(const ServiceEnvironment& env);
  ~S3Service();
  S3Service(const S3Service&) = delete;
  S3Service& operator=(const S3Service&) = delete;

  // Registers the operations; the registry also carries bucket events to
  // their destinations. Arms the lifecycle and restore timers.
  void registerOperations(OperationRegistry& registry);

  // The buckets as the lake reads them (lake/object_snapshot.hpp), and where
  // the lake works: beside the object files, so snapshots can hard-link them.
  std::unique_ptr<lake::ObjectSource> lakeSource();
  const std::filesystem::path& lakeWorkDir() const { return lakeDir_; }

  // Buckets (buckets.cpp).
  Result<Json> createBucket(const Json& in, const CallContext& ctx);
  Result<Json> headBucket(const Json& in, const CallContext& ctx);
  Result<Json> listBuckets(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucket(const Json& in, const CallContext& ctx);
  Result<Json> getBucketLocation(const Json& in, const CallContext& ctx);
  // Objects (objects.cpp, copy.cpp, delete_objects.cpp).
  Result<Json> putObject(const Json& in, const CallContext& ctx);
  Result<Json> getObject(const Json& in, const CallContext& ctx);
  Result<Json> headObject(const Json& in, const CallContext& ctx);
  Result<Json> deleteObject(const Json& in, const CallContext& ctx);
  Result<Json> deleteObjects(const Json& in, const CallContext& ctx);
  Result<Json> copyObject(const Json& in, const CallContext& ctx);
  Result<Json> getObjectAttributes(const Json& in, const CallContext& ctx);
  // Listings (listing.cpp).
  Result<Json> listObjectsV2(const Json& in, const CallContext& ctx);
  Result<Json> listObjects(const Json& in, const CallContext& ctx);
  Result<Json> listObjectVersions(const Json& in, const CallContext& ctx);
  // Multipart uploads (multipart.cpp).
  Result<Json> createMultipartUpload(const Json& in, const CallContext& ctx);
  Result<Json> uploadPart(const Json& in, const CallContext& ctx);
  Result<Json> uploadPartCopy(const Json& in, const CallContext& ctx);
  Result<Json> completeMultipartUpload(const Json& in, const CallContext& ctx);
  Result<Json> abortMultipartUpload(const Json& in, const CallContext& ctx);
  Result<Json> listParts(const Json& in, const CallContext& ctx);
  Result<Json> listMultipartUploads(const Json& in, const CallContext& ctx);
  // Versioning and tagging (versioning.cpp, tagging.cpp).
  Result<Json> putBucketVersioning(const Json& in, const CallContext& ctx);
  Result<Json> getBucketVersioning(const Json& in, const CallContext& ctx);
  Result<Json> putObjectTagging(const Json& in, const CallContext& ctx);
  Result<Json> getObjectTagging(const Json& in, const CallContext& ctx);
  Result<Json> deleteObjectTagging(const Json& in, const CallContext& ctx);
  Result<Json> putBucketTagging(const Json& in, const CallContext& ctx);
  Result<Json> getBucketTagging(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketTagging(const Json& in, const CallContext& ctx);
  // Bucket policies (bucket_policy.cpp): kept and answered, not enforced.
  Result<Json> putBucketPolicy(const Json& in, const CallContext& ctx);
  Result<Json> putBucketEncryption(const Json& in, const CallContext& ctx);
  Result<Json> getBucketEncryption(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketEncryption(const Json& in, const CallContext& ctx);
  // Sets (null: removes) one configuration of the request's bucket: the
  // write of a bucket subresource once its input is checked.
  Result<Json> writeBucketConfig(const Json& in, std::string_view name, Json value);
  Result<Json> putPublicAccessBlock(const Json& in, const CallContext& ctx);
  Result<Json> getPublicAccessBlock(const Json& in, const CallContext& ctx);
  Result<Json> deletePublicAccessBlock(const Json& in, const CallContext& ctx);
  Result<Json> putBucketOwnershipControls(const Json& in, const CallContext& ctx);
  Result<Json> getBucketOwnershipControls(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketOwnershipControls(const Json& in, const CallContext& ctx);
  Result<Json> putBucketCors(const Json& in, const CallContext& ctx);
  Result<Json> getBucketCors(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketCors(const Json& in, const CallContext& ctx);
  Result<Json> getBucketPolicy(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketPolicy(const Json& in, const CallContext& ctx);
  Result<Json> getBucketPolicyStatus(const Json& in, const CallContext& ctx);
  // Lifecycle configuration (lifecycle.cpp).
  Result<Json> putBucketLifecycleConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> getBucketLifecycleConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketLifecycle(const Json& in, const CallContext& ctx);
  // Intelligent-Tiering archive configurations (intelligent_tiering.cpp).
  Result<Json> putBucketIntelligentTieringConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> getBucketIntelligentTieringConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> deleteBucketIntelligentTieringConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> listBucketIntelligentTieringConfigurations(const Json& in, const CallContext& ctx);
  // Archived objects (restore.cpp).
  Result<Json> restoreObject(const Json& in, const CallContext& ctx);
  // Event notifications (notifications.cpp).
  Result<Json> putBucketNotificationConfiguration(const Json& in, const CallContext& ctx);
  Result<Json> getBucketNotificationConfiguration(const Json& in, const CallContext& ctx);

  // Starts one lifecycle pass over every bucket as of `now`; it runs in
  // steps on the engine loop (lifecycle_worker.cpp).
  void runLifecycle(TimePoint now);

 private:
  friend struct ObjectOps;
  S3Store& meta() { return *meta_; }
  const ObjectFiles& files() const { return *files_; }
  ObjectFiles& files() { return *files_; }
  // The bucket or NoSuchBucket.
  Result<BucketRecord> requireBucket(const std::string& name);
  // The version a read addresses (latest or VersionId): NoSuchKey /
  // NoSuchVersion / MethodNotAllowed for a delete marker by version.
  Result<ObjectRecord> requireObject(const std::string& bucket, const Json& in);
  // The version CopyObject / UploadPartCopy read (CopySource), once its
  // x-amz-copy-source-if-* conditions hold and its bytes are readable.
  Result<ObjectRecord> requireCopySource(const Json& in);
  // A read of `o`'s bytes, for Intelligent-Tiering (access_tracker.hpp).
  void noteAccess(const ObjectRecord& o) { tracker_->note(o); }
  // Unlinks files a committed write left unreferenced.
  void removeFiles(const Orphans& orphans);
  // Object bytes wherever they live (object_bodies.cpp). storeBody keeps a
  // small body in the record itself (committed with its metadata) and writes
  // a larger one as a new durable file; it sets only o.fileId/o.inlineBody.
  Result<void> storeBody(ObjectRecord& o, std::string_view body);
  // `length` bytes of a version's body from `offset`.
  Result<std::string> readBody(const ObjectRecord& o, uint64_t offset, uint64_t length);
  std::string newVersionId();

  // Bucket events (notifications.cpp). A write that causes events stores them
  // in its own transaction through the S3Store hook built here, which fills
  // `out`; after the commit the caller hands `out` to deliver(). For a bucket
  // without a notification configuration every hook is empty: nothing is
  // built, stored or sent.
  using Outgoing = std::vector<OutgoingEvent>;
  // `ctx` is null for S3's own actions (lifecycle, restores).
  BucketEvent eventOf(std::string name, const ObjectRecord& o, const CallContext* ctx,
                      const BucketRecord& bucket);
  // Inside a write's transaction: resolves and stores `events` of `bucket`.
  Result<void> recordEvents(store::sqlite::Database& db, const BucketRecord& bucket,
                            const std::vector<BucketEvent>& events, Outgoing& out);
  // Event `name` for the version a put writes.
  PutHook createdHook(std::string name, const BucketRecord& bucket, const CallContext& ctx,
                      Outgoing& out);
  // ObjectRemoved:* for what DeleteObject did (`versionGiven`: a VersionId was).
  DeleteHook removedHook(const std::string& key, bool versionGiven, const BucketRecord& bucket,
                         const CallContext& ctx, Outgoing& out);
  // Event `name` for `o` as it will be once the write commits.
  WriteHook eventHook(std::string name, const ObjectRecord& o, const BucketRecord& bucket,
                      const CallContext* ctx, Outgoing& out);
  void deliver(Outgoing out);
  std::string nextSequencer();
  // The x-amz-expiration value for a current object, when a rule expires it.
  std::optional<std::string> expirationOf(const ObjectRecord& o);

  // Timers on the engine loop (lifecycle_worker.cpp, restore.cpp).
  void armLifecycle();
  void armRestore(const ObjectRecord& o);
  void completeRestore(const std::string& bucket, const std::string& key,
                       const std::string& versionId);
  void expireRestore(const std::string& bucket, const std::string& key,
                     const std::string& versionId);
  // An Intelligent-Tiering restore: back to the frequent access tier.
  void finishTieringRestore(ObjectRecord o, TimePoint now);
  // One step of a lifecycle pass: one page of versions, planned and
  // committed in one transaction; posts the next step until the pass is over.
  struct LifecyclePass;
  void lifecycleStep(const std::shared_ptr<LifecyclePass>& pass);
  // Commits one step's Intelligent-Tiering archive moves; publishes each applied.
  void applyTieringMoves(const BucketRecord& b, const std::vector<TieringMove>& moves);

  const Clock& clock_;
  IdGenerator& ids_;
  engine::EventLoop& loop_;
  RestoreDelays restoreDelays_;
  const OperationRegistry* registry_ = nullptr;  // set by registerOperations
  std::unique_ptr<NotificationOutbox> outbox_;   // set by registerOperations
  std::atomic<uint64_t> sequence_{0};
  // Without a data directory (tests), a private temporary one.
  std::filesystem::path tempDir_;
  std::unique_ptr<store::sqlite::SqliteStore> ownStore_;
  std::unique_ptr<S3Store> meta_;
  std::unique_ptr<ObjectFiles> files_;
  std::filesystem::path lakeDir_;
  std::unique_ptr<AccessTracker> tracker_;
  boost::asio::thread_pool pool_;
};

}  // namespace sluice::services::s3
