#include "services/s3/s3_store.hpp"

#include "services/s3/s3_errors.hpp"

namespace sluice::services::s3 {

using store::sqlite::Bytes;
using store::sqlite::Database;
using store::sqlite::Statement;

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE s3_buckets(name TEXT PRIMARY KEY, region TEXT NOT NULL, owner TEXT NOT NULL,"
     " created INTEGER NOT NULL, versioning TEXT NOT NULL DEFAULT '',"
     " config TEXT NOT NULL DEFAULT '{}');"
     "CREATE TABLE s3_objects(seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL,"
     " key TEXT NOT NULL, version_id TEXT NOT NULL, latest INTEGER NOT NULL,"
     " delete_marker INTEGER NOT NULL, file_id TEXT, size INTEGER NOT NULL, etag TEXT NOT NULL,"
     " last_modified INTEGER NOT NULL, storage_class TEXT NOT NULL, attrs TEXT NOT NULL);"
     "CREATE UNIQUE INDEX s3_objects_version ON s3_objects(bucket, key, version_id);"
     "CREATE INDEX s3_objects_history ON s3_objects(bucket, key, seq);"
     "CREATE INDEX s3_objects_latest ON s3_objects(bucket, key) WHERE latest = 1;"
     "CREATE TABLE s3_uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL,"
     " key TEXT NOT NULL, initiated INTEGER NOT NULL, attrs TEXT NOT NULL);"
     "CREATE INDEX s3_uploads_bucket ON s3_uploads(bucket, key, initiated);"
     "CREATE TABLE s3_parts(upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id)"
     " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, part_number INTEGER NOT NULL,"
     " file_id TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,"
     " last_modified INTEGER NOT NULL, checksum TEXT NOT NULL,"
     " PRIMARY KEY(upload_id, part_number));"},
    // Small objects' bytes live in their row (ObjectRecord::inlineBody).
    {2, "ALTER TABLE s3_objects ADD COLUMN body BLOB;"},
    // Bucket events not yet delivered (PendingDeliveries; notification_outbox.hpp).
    {3, "CREATE TABLE s3_pending(id TEXT PRIMARY KEY, doc TEXT NOT NULL)"},
};

// The smallest string greater than every string starting with `prefix`
// (bytewise); nullopt when there is none (empty, or all 0xFF bytes).
std::optional<std::string> prefixEnd(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

Json parseOr(std::string_view text) {
  auto j = parseJson(text);
  return j ? std::move(*j) : Json(JsonObject{});
}

constexpr std::string_view kObjectColumns =
    "seq, bucket, key, version_id, latest, delete_marker, file_id, size, etag, last_modified, "
    "storage_class, attrs";
// Point lookups also read an inline body; listings never touch it (the last
// column, so SQLite does not even load its overflow pages for them).
constexpr std::string_view kObjectColumnsWithBody =
    "seq, bucket, key, version_id, latest, delete_marker, file_id, size, etag, last_modified, "
    "storage_class, attrs, body";

ObjectRecord readObject(const Statement& st) {
  ObjectRecord o;
  o.seq = st.columnInt(0);
  o.bucket = std::string(st.columnText(1));
  o.key = std::string(st.columnText(2));
  o.versionId = std::string(st.columnText(3));
  o.latest = st.columnInt(4) != 0;
  o.deleteMarker = st.columnInt(5) != 0;
  o.fileId = st.columnOptionalText(6).value_or("");
  o.size = static_cast<uint64_t>(st.columnInt(7));
  o.etag = std::string(st.columnText(8));
  o.lastModified = fromEpochMicros(st.columnInt(9));
  o.storageClass = std::string(st.columnText(10));
  o.attrs = parseOr(st.columnText(11));
  if (st.columnCount() > 12 && !st.columnIsNull(12)) {
    auto body = st.columnBlob(12);
    o.inlineBody.emplace(reinterpret_cast<const char*>(body.data()), body.size());
  }
  return o;
}

BucketRecord readBucket(const Statement& st) {
  BucketRecord b;
  b.name = std::string(st.columnText(0));
  b.region = std::string(st.columnText(1));
  b.owner = std::string(st.columnText(2));
  b.created = fromEpochMicros(st.columnInt(3));
  b.versioning = std::string(st.columnText(4));
  b.config = parseOr(st.columnText(5));
  return b;
}

// Collects rows of a query into records.
template <typename T, typename Read>
Result<std::vector<T>> collect(Statement& st, Read read) {
  std::vector<T> out;
  while (true) {
    auto row = st.step();
    if (!row) return row.takeError();
    if (!*row) break;
    out.push_back(read(st));
  }
  return out;
}

Result<std::optional<ObjectRecord>> findVersion(Database& db, std::string_view bucket,
                                                std::string_view key, std::string_view versionId,
                                                bool withBody = false) {
  auto st = db.prepare(std::string("SELECT ") +
                       std::string(withBody ? kObjectColumnsWithBody : kObjectColumns) +
                       " FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?");
  if (!st) return st.takeError();
  st->bindAll(bucket, key, versionId);
  auto row = st->step();
  if (!row) return row.takeError();
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(readObject(*st));
}

Result<std::optional<BucketRecord>> findBucket(Database& db, std::string_view name) {
  auto st = db.prepare(
      "SELECT name, region, owner, created, versioning, config FROM s3_buckets WHERE name = ?");
  if (!st) return st.takeError();
  st->bindAll(name);
  auto row = st->step();
  if (!row) return row.takeError();
  if (!*row) return std::optional<BucketRecord>();
  return std::optional<BucketRecord>(readBucket(*st));
}

// Removes one version row, remembering its file.
Result<void> removeVersion(Database& db, const ObjectRecord& o, Orphans& orphans) {
  auto del = db.prepare("DELETE FROM s3_objects WHERE seq = ?");
  if (!del) return del.takeError();
  if (auto r = del->bindAll(o.seq).run(); !r) return r;
  if (!o.fileId.empty()) orphans.files.push_back(o.fileId);
  return {};
}

// Makes the newest remaining version of key current (after a removal).
Result<void> promoteNewest(Database& db, std::string_view bucket, std::string_view key) {
  auto st = db.prepare(
      "UPDATE s3_objects SET latest = 1 WHERE seq = (SELECT MAX(seq) FROM s3_objects WHERE "
      "bucket = ? AND key = ?) AND NOT EXISTS (SELECT 1 FROM s3_objects WHERE bucket = ? AND "
      "key = ? AND latest = 1)");
  if (!st) return st.takeError();
  return st->bindAll(bucket, key, bucket, key).run();
}

Result<void> insertVersion(Database& db, const ObjectRecord& o) {
  auto demote =
      db.prepare("UPDATE s3_objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1");
  if (!demote) return demote.takeError();
  if (auto r = demote->bindAll(o.bucket, o.key).run(); !r) return r;
  auto st = db.prepare(
      "INSERT INTO s3_objects(bucket, key, version_id, latest, delete_marker, file_id, size, etag,"
      " last_modified, storage_class, attrs, body) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return st.takeError();
  std::optional<std::string> file;
  if (!o.fileId.empty()) file = o.fileId;
  std::optional<Bytes> body;
  if (o.inlineBody) body = std::as_bytes(std::span(o.inlineBody->data(), o.inlineBody->size()));
  return st
      ->bindAll(o.bucket, o.key, o.versionId, o.deleteMarker ? 1 : 0, file,
                static_cast<int64_t>(o.size), o.etag, toEpochMicros(o.lastModified), o.storageClass,
                toJsonText(o.attrs), body)
      .run();
}

// The write half of DeleteObject (see S3Store::deleteObject).
Result<void> deleteIn(Database& db, std::string_view bucket, std::string_view key,
                      const std::optional<std::string>& versionId, const std::string& newVersionId,
                      TimePoint now, DeleteResult& out) {
  auto b = findBucket(db, bucket);
  if (!b) return b.takeError();
  if (!*b) return errors::noSuchBucket(bucket);
  if (versionId) {
    auto v = findVersion(db, bucket, key, *versionId);
    if (!v) return v.takeError();
    if (!*v) return {};  // deleting a missing version succeeds
    out.versionId = *versionId;
    out.deleteMarker = (*v)->deleteMarker;
    if (auto r = removeVersion(db, **v, out.orphans); !r) return r;
    return promoteNewest(db, bucket, key);
  }
  const std::string& status = (*b)->versioning;
  if (status.empty()) {
    auto v = findVersion(db, bucket, key, "null");
    if (!v) return v.takeError();
    if (!*v) return {};
    out.versionId = "null";
    return removeVersion(db, **v, out.orphans);
  }
  ObjectRecord marker;
  marker.bucket = std::string(bucket);
  marker.key = std::string(key);
  marker.deleteMarker = true;
  marker.lastModified = now;
  marker.etag = "";
  if (status == "Enabled") {
    marker.versionId = newVersionId;
  } else {  // Suspended: the marker takes the "null" version's place
    auto v = findVersion(db, bucket, key, "null");
    if (!v) return v.takeError();
    if (*v) {
      if (auto r = removeVersion(db, **v, out.orphans); !r) return r;
    }
    marker.versionId = "null";
  }
  out.versionId = marker.versionId;
  out.deleteMarker = true;
  return insertVersion(db, marker);
}

// A lifecycle transition of one version. NoSuchKey.
Result<void> setStorageClassIn(Database& db, std::string_view bucket, std::string_view key,
                               std::string_view versionId, std::string_view storageClass,
                               const Json& attrs) {
  auto st = db.prepare(
      "UPDATE s3_objects SET storage_class = ?, attrs = ? WHERE bucket = ? AND key = ? AND "
      "version_id = ?");
  if (!st) return st.takeError();
  if (auto r = st->bindAll(storageClass, toJsonText(attrs), bucket, key, versionId).run(); !r) {
    return r;
  }
  if (db.changes() == 0) return errors::noSuchKey(key);
  return {};
}

// The write half of PutObject / CompleteMultipartUpload.
Result<void> writeCurrent(Database& db, ObjectRecord& object, const std::string& newVersionId,
                          PutResult& out) {
  auto bucket = findBucket(db, object.bucket);
  if (!bucket) return bucket.takeError();
  if (!*bucket) return errors::noSuchBucket(object.bucket);
  if ((*bucket)->versioning == "Enabled") {
    object.versionId = newVersionId;
  } else {
    object.versionId = "null";
    auto existing = findVersion(db, object.bucket, object.key, "null");
    if (!existing) return existing.takeError();
    if (*existing) {
      if (auto r = removeVersion(db, **existing, out.orphans); !r) return r;
    }
  }
  out.versionId = object.versionId;
  return insertVersion(db, object);
}

}  // namespace

std::span<const store::sqlite::Migration> S3Store::migrations() {
  return kMigrations;
}

Result<std::optional<BucketRecord>> S3Store::bucket(std::string_view name) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  return findBucket(lease->db(), name);
}

Result<std::vector<BucketRecord>> S3Store::buckets() {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT name, region, owner, created, versioning, config FROM s3_buckets ORDER BY name");
  if (!st) return st.takeError();
  return collect<BucketRecord>(*st, readBucket);
}

Result<void> S3Store::createBucket(const BucketRecord& b) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto existing = findBucket(db, b.name);
    if (!existing) return existing.takeError();
    if (*existing) {
      return AwsError{"BucketAlreadyOwnedByYou",
                      "Your previous request to create the named bucket succeeded and you already "
                      "own it.",
                      409};
    }
    auto st = db.prepare(
        "INSERT INTO s3_buckets(name, region, owner, created, versioning, config) VALUES (?, ?, "
        "?, ?, ?, ?)");
    if (!st) return st.takeError();
    return st
        ->bindAll(b.name, b.region, b.owner, toEpochMicros(b.created), b.versioning,
                  toJsonText(b.config))
        .run();
  });
}

Result<void> S3Store::deleteBucket(std::string_view name) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto existing = findBucket(db, name);
    if (!existing) return existing.takeError();
    if (!*existing) return errors::noSuchBucket(name);
    auto any = db.prepare("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1");
    if (!any) return any.takeError();
    auto row = any->bindAll(name).step();
    if (!row) return row.takeError();
    if (*row) {
      return AwsError{"BucketNotEmpty", "The bucket you tried to delete is not empty", 409};
    }
    auto uploads = db.prepare(
        "DELETE FROM s3_parts WHERE upload_id IN (SELECT upload_id FROM s3_uploads WHERE bucket "
        "= ?)");
    if (!uploads) return uploads.takeError();
    if (auto r = uploads->bindAll(name).run(); !r) return r;
    auto up = db.prepare("DELETE FROM s3_uploads WHERE bucket = ?");
    if (!up) return up.takeError();
    if (auto r = up->bindAll(name).run(); !r) return r;
    auto st = db.prepare("DELETE FROM s3_buckets WHERE name = ?");
    if (!st) return st.takeError();
    return st->bindAll(name).run();
  });
}

Result<void> S3Store::setVersioning(std::string_view bucket, std::string_view status) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto st = db.prepare("UPDATE s3_buckets SET versioning = ? WHERE name = ?");
    if (!st) return st.takeError();
    if (auto r = st->bindAll(status, bucket).run(); !r) return r;
    if (db.changes() == 0) return errors::noSuchBucket(bucket);
    return {};
  });
}

Result<void> S3Store::setBucketConfig(std::string_view bucket, std::string_view name,
                                      const Json& value) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto existing = findBucket(db, bucket);
    if (!existing) return existing.takeError();
    if (!*existing) return errors::noSuchBucket(bucket);
    Json config = (*existing)->config;
    if (!config.is_object()) config = JsonObject{};
    if (value.is_null()) {
      config.as_object().erase(name);
    } else {
      config.as_object()[name] = value;
    }
    auto st = db.prepare("UPDATE s3_buckets SET config = ? WHERE name = ?");
    if (!st) return st.takeError();
    return st->bindAll(toJsonText(config), bucket).run();
  });
}

Result<std::optional<ObjectRecord>> S3Store::latest(std::string_view bucket, std::string_view key) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(std::string("SELECT ") + std::string(kObjectColumnsWithBody) +
                                " FROM s3_objects WHERE bucket = ? AND key = ? AND latest = 1");
  if (!st) return st.takeError();
  st->bindAll(bucket, key);
  auto row = st->step();
  if (!row) return row.takeError();
  if (!*row) return std::optional<ObjectRecord>();
  return std::optional<ObjectRecord>(readObject(*st));
}

Result<std::optional<ObjectRecord>> S3Store::version(std::string_view bucket, std::string_view key,
                                                     std::string_view versionId) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  return findVersion(lease->db(), bucket, key, versionId, /*withBody=*/true);
}

Result<std::vector<ObjectRecord>> S3Store::listLatest(std::string_view bucket,
                                                      std::string_view prefix,
                                                      std::string_view bound, bool inclusive,
                                                      size_t limit, bool withBodies) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  // Keys compare as bytes (BINARY collation): UTF-8 binary order, as S3 lists.
  std::string sql = std::string("SELECT ") +
                    std::string(withBodies ? kObjectColumnsWithBody : kObjectColumns) +
                    " FROM s3_objects WHERE bucket = ? AND latest = 1 AND delete_marker = 0 AND "
                    "key >= ? AND " +
                    (inclusive ? "key >= ?" : "key > ?") + " AND key < ?" + " ORDER BY key LIMIT ?";
  auto end = prefixEnd(prefix);
  if (!end) sql.replace(sql.find(" AND key < ?"), 12, " AND ?4 IS NULL");
  auto st = lease->db().prepare(sql);
  if (!st) return st.takeError();
  st->bindAll(bucket, prefix, bound, end, static_cast<int64_t>(limit));
  return collect<ObjectRecord>(*st, readObject);
}

Result<std::vector<ObjectRecord>> S3Store::listVersions(std::string_view bucket,
                                                        std::string_view prefix,
                                                        std::string_view key, int64_t seqBelow,
                                                        bool inclusiveKey, size_t limit) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  // Position: (key, seqBelow) — rows of `key` older than seqBelow, then later keys.
  std::string sql = std::string("SELECT ") + std::string(kObjectColumns) +
                    " FROM s3_objects WHERE bucket = ? AND key >= ? AND (" +
                    (inclusiveKey ? "key >= ?" : "key > ?") +
                    " OR (key = ? AND seq < ?)) AND key < ?"
                    " ORDER BY key, seq DESC LIMIT ?";
  auto end = prefixEnd(prefix);
  if (!end) sql.replace(sql.find(" AND key < ?"), 12, " AND ?6 IS NULL");
  auto st = lease->db().prepare(sql);
  if (!st) return st.takeError();
  st->bindAll(bucket, prefix, key, key, seqBelow, end, static_cast<int64_t>(limit));
  return collect<ObjectRecord>(*st, readObject);
}

Result<PutResult> S3Store::putObject(ObjectRecord object, const std::string& newVersionId,
                                     const PutHook& also) {
  PutResult out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    if (auto w = writeCurrent(db, object, newVersionId, out); !w || !also) return w;
    return also(db, object);
  });
  if (!r) return r.error();
  return out;
}

Result<DeleteResult> S3Store::deleteObject(std::string_view bucket, std::string_view key,
                                           std::optional<std::string> versionId,
                                           const std::string& newVersionId, TimePoint now,
                                           const DeleteHook& also) {
  DeleteResult out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    out = {};
    if (auto d = deleteIn(db, bucket, key, versionId, newVersionId, now, out); !d || !also) {
      return d;
    }
    return also(db, out);
  });
  if (!r) return r.error();
  return out;
}

Result<void> S3Store::setObjectAttrs(std::string_view bucket, std::string_view key,
                                     std::string_view versionId, const Json& attrs,
                                     const WriteHook& also) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto st = db.prepare(
        "UPDATE s3_objects SET attrs = ? WHERE bucket = ? AND key = ? AND version_id = ?");
    if (!st) return st.takeError();
    if (auto r = st->bindAll(toJsonText(attrs), bucket, key, versionId).run(); !r) return r;
    if (db.changes() == 0) return errors::noSuchKey(key);
    return also ? also(db) : Result<void>();
  });
}

Result<void> S3Store::setStorageClass(std::string_view bucket, std::string_view key,
                                      std::string_view versionId, std::string_view storageClass,
                                      const Json& attrs) {
  return db_.writer().write([&](Database& db) {
    return setStorageClassIn(db, bucket, key, versionId, storageClass, attrs);
  });
}

Result<std::vector<ObjectRecord>> S3Store::restoring() {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(std::string("SELECT ") + std::string(kObjectColumns) +
                                " FROM s3_objects WHERE json_extract(attrs, '$.RestoreDue') IS NOT "
                                "NULL OR json_extract(attrs, '$.RestoreExpiry') IS NOT NULL");
  if (!st) return st.takeError();
  return collect<ObjectRecord>(*st, readObject);
}

Result<void> S3Store::createUpload(const UploadRecord& u) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto b = findBucket(db, u.bucket);
    if (!b) return b.takeError();
    if (!*b) return errors::noSuchBucket(u.bucket);
    auto st = db.prepare(
        "INSERT INTO s3_uploads(upload_id, bucket, key, initiated, attrs) VALUES (?, ?, ?, ?, ?)");
    if (!st) return st.takeError();
    return st->bindAll(u.uploadId, u.bucket, u.key, toEpochMicros(u.initiated), toJsonText(u.attrs))
        .run();
  });
}

namespace {

UploadRecord readUpload(const Statement& st) {
  UploadRecord u;
  u.uploadId = std::string(st.columnText(0));
  u.bucket = std::string(st.columnText(1));
  u.key = std::string(st.columnText(2));
  u.initiated = fromEpochMicros(st.columnInt(3));
  u.attrs = parseOr(st.columnText(4));
  return u;
}

PartRecord readPart(const Statement& st) {
  PartRecord p;
  p.uploadId = std::string(st.columnText(0));
  p.partNumber = static_cast<int>(st.columnInt(1));
  p.fileId = std::string(st.columnText(2));
  p.size = static_cast<uint64_t>(st.columnInt(3));
  p.etag = std::string(st.columnText(4));
  p.lastModified = fromEpochMicros(st.columnInt(5));
  p.checksum = std::string(st.columnText(6));
  return p;
}

Result<std::optional<UploadRecord>> findUpload(Database& db, std::string_view id) {
  auto st = db.prepare(
      "SELECT upload_id, bucket, key, initiated, attrs FROM s3_uploads WHERE upload_id = ?");
  if (!st) return st.takeError();
  st->bindAll(id);
  auto row = st->step();
  if (!row) return row.takeError();
  if (!*row) return std::optional<UploadRecord>();
  return std::optional<UploadRecord>(readUpload(*st));
}

Result<void> dropUpload(Database& db, std::string_view id, Orphans& orphans) {
  auto files = db.prepare("SELECT file_id FROM s3_parts WHERE upload_id = ?");
  if (!files) return files.takeError();
  files->bindAll(id);
  while (true) {
    auto row = files->step();
    if (!row) return row.takeError();
    if (!*row) break;
    orphans.files.emplace_back(files->columnText(0));
  }
  auto parts = db.prepare("DELETE FROM s3_parts WHERE upload_id = ?");
  if (!parts) return parts.takeError();
  if (auto r = parts->bindAll(id).run(); !r) return r;
  auto up = db.prepare("DELETE FROM s3_uploads WHERE upload_id = ?");
  if (!up) return up.takeError();
  return up->bindAll(id).run();
}

}  // namespace

Result<std::optional<UploadRecord>> S3Store::upload(std::string_view uploadId) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  return findUpload(lease->db(), uploadId);
}

Result<std::vector<UploadRecord>> S3Store::uploads(std::string_view bucket) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT upload_id, bucket, key, initiated, attrs FROM s3_uploads WHERE bucket = ? ORDER BY "
      "key, initiated, upload_id");
  if (!st) return st.takeError();
  st->bindAll(bucket);
  return collect<UploadRecord>(*st, readUpload);
}

Result<std::vector<PartRecord>> S3Store::parts(std::string_view uploadId) {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  auto st = lease->db().prepare(
      "SELECT upload_id, part_number, file_id, size, etag, last_modified, checksum FROM s3_parts "
      "WHERE upload_id = ? ORDER BY part_number");
  if (!st) return st.takeError();
  st->bindAll(uploadId);
  return collect<PartRecord>(*st, readPart);
}

Result<Orphans> S3Store::putPart(const PartRecord& p) {
  Orphans out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    out = {};
    auto u = findUpload(db, p.uploadId);
    if (!u) return u.takeError();
    if (!*u) return errors::noSuchUpload(p.uploadId);
    auto old = db.prepare("SELECT file_id FROM s3_parts WHERE upload_id = ? AND part_number = ?");
    if (!old) return old.takeError();
    old->bindAll(p.uploadId, p.partNumber);
    auto row = old->step();
    if (!row) return row.takeError();
    if (*row) out.files.emplace_back(old->columnText(0));
    auto st = db.prepare(
        "INSERT OR REPLACE INTO s3_parts(upload_id, part_number, file_id, size, etag, "
        "last_modified, checksum) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return st.takeError();
    return st
        ->bindAll(p.uploadId, p.partNumber, p.fileId, static_cast<int64_t>(p.size), p.etag,
                  toEpochMicros(p.lastModified), p.checksum)
        .run();
  });
  if (!r) return r.error();
  return out;
}

Result<PutResult> S3Store::completeUpload(std::string_view uploadId, ObjectRecord object,
                                          const std::string& newVersionId, const PutHook& also) {
  PutResult out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    out = {};
    auto u = findUpload(db, uploadId);
    if (!u) return u.takeError();
    if (!*u) return errors::noSuchUpload(uploadId);
    if (auto rr = dropUpload(db, uploadId, out.orphans); !rr) return rr;
    if (auto w = writeCurrent(db, object, newVersionId, out); !w || !also) return w;
    return also(db, object);
  });
  if (!r) return r.error();
  return out;
}

Result<Orphans> S3Store::abortUpload(std::string_view uploadId) {
  Orphans out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    out = {};
    auto u = findUpload(db, uploadId);
    if (!u) return u.takeError();
    if (!*u) return errors::noSuchUpload(uploadId);
    return dropUpload(db, uploadId, out);
  });
  if (!r) return r.error();
  return out;
}

namespace {

// The current version's seq of key, or 0 when the key has none.
Result<int64_t> currentSeq(Database& db, std::string_view bucket, std::string_view key) {
  auto st = db.prepare("SELECT seq FROM s3_objects WHERE bucket = ? AND key = ? AND latest = 1");
  if (!st) return st.takeError();
  st->bindAll(bucket, key);
  auto row = st->step();
  if (!row) return row.takeError();
  return *row ? st->columnInt(0) : int64_t{0};
}

// One lifecycle change; `applied` false when there was nothing left to do.
Result<void> applyChange(Database& db, const LifecycleChange& c, TimePoint now,
                         LifecycleOutcome& out) {
  const ObjectRecord& o = c.object;
  switch (c.kind) {
    case LifecycleChange::Kind::ExpireCurrent: {
      auto seq = currentSeq(db, o.bucket, o.key);
      if (!seq) return seq.takeError();
      if (*seq != o.seq) return {};
      out.applied = true;
      return deleteIn(db, o.bucket, o.key, std::nullopt, c.newVersionId, now, out.deleted);
    }
    case LifecycleChange::Kind::RemoveVersion:
      if (auto r = deleteIn(db, o.bucket, o.key, o.versionId, c.newVersionId, now, out.deleted);
          !r) {
        return r;
      }
      out.applied = !out.deleted.versionId.empty();
      return {};
    case LifecycleChange::Kind::Transition:
      if (auto r = setStorageClassIn(db, o.bucket, o.key, o.versionId, c.storageClass, c.attrs);
          !r) {
        return r.error().code == "NoSuchKey" ? Result<void>() : r;
      }
      out.applied = true;
      return {};
    case LifecycleChange::Kind::AbortUpload: {
      auto u = findUpload(db, c.uploadId);
      if (!u) return u.takeError();
      if (!*u) return {};
      out.applied = true;
      return dropUpload(db, c.uploadId, out.deleted.orphans);
    }
  }
  return {};
}

}  // namespace

Result<std::vector<LifecycleOutcome>> S3Store::applyLifecycle(
    const std::vector<LifecycleChange>& changes, TimePoint now, const LifecycleHook& also) {
  std::vector<LifecycleOutcome> out;
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    out.assign(changes.size(), {});
    for (size_t i = 0; i < changes.size(); ++i) {
      auto sp = store::sqlite::Savepoint::begin(db);
      if (!sp) return sp.takeError();
      if (auto a = applyChange(db, changes[i], now, out[i]); !a) {
        out[i] = {};
        out[i].error = a.error();
        if (auto rb = sp->rollback(); !rb) return rb;
        continue;
      }
      if (auto rel = sp->release(); !rel) return rel;
    }
    return also ? also(db, out) : Result<void>();
  });
  if (!r) return r.error();
  return out;
}

Result<std::set<std::string>> S3Store::referencedFiles() {
  auto lease = db_.readers().acquire();
  if (!lease) return lease.takeError();
  std::set<std::string> out;
  for (const char* sql : {"SELECT file_id FROM s3_objects WHERE file_id IS NOT NULL",
                          "SELECT file_id FROM s3_parts"}) {
    auto st = lease->db().prepare(sql);
    if (!st) return st.takeError();
    while (true) {
      auto row = st->step();
      if (!row) return row.takeError();
      if (!*row) break;
      out.emplace(st->columnText(0));
    }
  }
  return out;
}

}  // namespace sluice::services::s3
