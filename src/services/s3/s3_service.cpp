#include "services/s3/s3_service.hpp"

#include "services/s3/lake_source.hpp"

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <iostream>

#include "services/s3/lake_source.hpp"
#include "services/s3/notification_delivery.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "store/data_dir.hpp"

namespace sluice::services::s3 {

namespace {

// Blocking work (fsync, SQLite) in flight at once; beyond it requests queue.
constexpr int kWorkers = 16;

}  // namespace

S3Service::S3Service(const ServiceEnvironment& env)
    : clock_(env.clock), ids_(env.engine.ids), loop_(env.engine.loop), pool_(kWorkers) {
  auto delays = RestoreDelays::parse(env.s3RestoreDelays);
  if (!delays) throw std::runtime_error(delays.error().message);
  restoreDelays_ = std::move(*delays);
  std::filesystem::path root = env.dataDir;
  store::sqlite::SqliteStore* db = env.store;
  if (!db || root.empty()) {
    // No data directory: a private one that lives as long as the service.
    char pattern[] = "/tmp/sluice-s3-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("s3: cannot create a temporary directory");
    tempDir_ = pattern;
    root = tempDir_;
    const store::sqlite::Component components[] = {{"s3", S3Store::migrations()}};
    auto opened = store::sqlite::SqliteStore::open(root / "sluice.db", components);
    if (!opened) throw std::runtime_error("s3: " + opened.error().message);
    ownStore_ = std::move(*opened);
    db = ownStore_.get();
  }
  meta_ = std::make_unique<S3Store>(*db);
  files_ = std::make_unique<ObjectFiles>(root / "objects");
  lakeDir_ = root / "lake";
  tracker_ = std::make_unique<AccessTracker>(*meta_, clock_);
  // Files written before a crash whose metadata never committed.
  if (auto referenced = meta_->referencedFiles()) {
    if (auto removed = files_->removeUnreferenced(*referenced); !removed) {
      std::cerr << "s3: " << removed.error().message << "\n";
    }
  }
}

std::unique_ptr<lake::ObjectSource> S3Service::lakeSource() {
  return std::make_unique<S3LakeSource>(*meta_, *files_);
}

S3Service::~S3Service() {
  pool_.join();
  tracker_.reset();
  meta_.reset();
  ownStore_.reset();
  if (!tempDir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(tempDir_, ec);
  }
}

void S3Service::registerOperations(OperationRegistry& registry) {
  registry.addService("s3", "", /*modelValidation=*/false);
  using Sync = Result<Json> (S3Service::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Sync fn) {
    // Reads of one object over HTTP answer at once on the caller's thread:
    // a point lookup in SQLite and, for a file, an open (the bytes are sent
    // later by the HTTP server); handing them to the pool and back cost more
    // than the work. Everything else may block on fsync or read whole files.
    bool quick = std::string_view(name) == "GetObject" || std::string_view(name) == "HeadObject";
    registry.add("s3", name,
                 [this, fn, quick](const Json& in, const CallContext& ctx, Reply reply) {
                   if (quick && ctx.payload) return reply((this->*fn)(in, ctx));
                   boost::asio::post(pool_, [this, fn, in, ctx, reply = std::move(reply)] {
                     reply((this->*fn)(in, ctx));
                   });
                 });
  };
  add("CreateBucket", &S3Service::createBucket);
  add("HeadBucket", &S3Service::headBucket);
  add("ListBuckets", &S3Service::listBuckets);
  add("DeleteBucket", &S3Service::deleteBucket);
  add("GetBucketLocation", &S3Service::getBucketLocation);
  add("PutObject", &S3Service::putObject);
  add("GetObject", &S3Service::getObject);
  add("HeadObject", &S3Service::headObject);
  add("DeleteObject", &S3Service::deleteObject);
  add("DeleteObjects", &S3Service::deleteObjects);
  add("CopyObject", &S3Service::copyObject);
  add("GetObjectAttributes", &S3Service::getObjectAttributes);
  add("ListObjectsV2", &S3Service::listObjectsV2);
  add("ListObjects", &S3Service::listObjects);
  add("ListObjectVersions", &S3Service::listObjectVersions);
  add("CreateMultipartUpload", &S3Service::createMultipartUpload);
  add("UploadPart", &S3Service::uploadPart);
  add("UploadPartCopy", &S3Service::uploadPartCopy);
  add("CompleteMultipartUpload", &S3Service::completeMultipartUpload);
  add("AbortMultipartUpload", &S3Service::abortMultipartUpload);
  add("ListParts", &S3Service::listParts);
  add("ListMultipartUploads", &S3Service::listMultipartUploads);
  add("PutBucketVersioning", &S3Service::putBucketVersioning);
  add("GetBucketVersioning", &S3Service::getBucketVersioning);
  add("PutObjectTagging", &S3Service::putObjectTagging);
  add("GetObjectTagging", &S3Service::getObjectTagging);
  add("DeleteObjectTagging", &S3Service::deleteObjectTagging);
  add("PutBucketTagging", &S3Service::putBucketTagging);
  add("GetBucketTagging", &S3Service::getBucketTagging);
  add("DeleteBucketTagging", &S3Service::deleteBucketTagging);
  add("PutBucketPolicy", &S3Service::putBucketPolicy);
  add("PutBucketEncryption", &S3Service::putBucketEncryption);
  add("GetBucketEncryption", &S3Service::getBucketEncryption);
  add("DeleteBucketEncryption", &S3Service::deleteBucketEncryption);
  add("PutPublicAccessBlock", &S3Service::putPublicAccessBlock);
  add("GetPublicAccessBlock", &S3Service::getPublicAccessBlock);
  add("DeletePublicAccessBlock", &S3Service::deletePublicAccessBlock);
  add("PutBucketOwnershipControls", &S3Service::putBucketOwnershipControls);
  add("GetBucketOwnershipControls", &S3Service::getBucketOwnershipControls);
  add("DeleteBucketOwnershipControls", &S3Service::deleteBucketOwnershipControls);
  add("PutBucketCors", &S3Service::putBucketCors);
  add("GetBucketCors", &S3Service::getBucketCors);
  add("DeleteBucketCors", &S3Service::deleteBucketCors);
  add("GetBucketPolicy", &S3Service::getBucketPolicy);
  add("DeleteBucketPolicy", &S3Service::deleteBucketPolicy);
  add("GetBucketPolicyStatus", &S3Service::getBucketPolicyStatus);
  add("PutBucketLifecycleConfiguration", &S3Service::putBucketLifecycleConfiguration);
  add("GetBucketLifecycleConfiguration", &S3Service::getBucketLifecycleConfiguration);
  add("DeleteBucketLifecycle", &S3Service::deleteBucketLifecycle);
  add("RestoreObject", &S3Service::restoreObject);
  add("PutBucketIntelligentTieringConfiguration",
      &S3Service::putBucketIntelligentTieringConfiguration);
  add("GetBucketIntelligentTieringConfiguration",
      &S3Service::getBucketIntelligentTieringConfiguration);
  add("DeleteBucketIntelligentTieringConfiguration",
      &S3Service::deleteBucketIntelligentTieringConfiguration);
  add("ListBucketIntelligentTieringConfigurations",
      &S3Service::listBucketIntelligentTieringConfigurations);
  add("PutBucketNotificationConfiguration", &S3Service::putBucketNotificationConfiguration);
  add("GetBucketNotificationConfiguration", &S3Service::getBucketNotificationConfiguration);
  outbox_ = std::make_unique<NotificationOutbox>(registry, meta_->store(), ids_);
  registry_ = &registry;
  // Events a crash left undelivered, once the loop runs (every service registered by then).
  loop_.post([this] {
    if (auto r = outbox_->resume(); !r) std::cerr << "s3: " << r.error().message << "\n";
  });
  armLifecycle();
  // Restores in progress (or restored copies) survive restarts: re-arm them.
  auto pending = meta_->restoring();
  if (!pending) {
    std::cerr << "s3: " << pending.error().message << "\n";
    return;
  }
  for (const auto& o : *pending) armRestore(o);
}

Result<BucketRecord> S3Service::requireBucket(const std::string& name) {
  auto b = meta_->bucket(name);
  if (!b) return b.takeError();
  if (!*b) return errors::noSuchBucket(name);
  return std::move(**b);
}

Result<ObjectRecord> S3Service::requireObject(const std::string& bucket, const Json& in) {
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  std::string key = str(in, "Key");
  auto versionId = optStr(in, "VersionId");
  if (versionId) {
    auto v = meta_->version(bucket, key, *versionId);
    if (!v) return v.takeError();
    if (!*v) {
      // S3 says NoSuchVersion for well-formed ids, InvalidArgument otherwise.
      if (*versionId != "null" && versionId->size() != 32) {
        return errors::invalidArgument("Invalid version id specified");
      }
      return errors::noSuchVersion(key, *versionId);
    }
    if ((*v)->deleteMarker) return errors::methodNotAllowed();
    return std::move(**v);
  }
  auto v = meta_->latest(bucket, key);
  if (!v) return v.takeError();
  if (!*v || (*v)->deleteMarker) return errors::noSuchKey(key);
  return std::move(**v);
}

void S3Service::removeFiles(const Orphans& orphans) {
  for (const auto& f : orphans.files) files_->remove(f);
}

std::string S3Service::newVersionId() {
  return ObjectFiles::newId(ids_);
}

}  // namespace sluice::services::s3
