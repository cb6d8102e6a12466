// S3Store's writes for Intelligent-Tiering: configurations updated in place,
// archive moves, and recorded reads. Each touches only what it owns (a
// config sub-resource; attrs AccessTier / LastAccess through json_set), so
// it never overwrites what another writer changed meanwhile.
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

using store::sqlite::Database;

Result<void> S3Store::updateBucketConfig(std::string_view bucket, std::string_view name,
                                         const std::function<Result<Json>(const Json&)>& update) {
  return db_.writer().write([&](Database& db) -> Result<void> {
    auto read = db.prepare("SELECT config FROM s3_buckets WHERE name = ?");
    if (!read) return read.takeError();
    read->bindAll(bucket);
    auto row = read->step();
    if (!row) return row.takeError();
    if (!*row) return errors::noSuchBucket(bucket);
    auto parsed = parseJson(read->columnText(0));
    Json config = parsed && parsed->is_object() ? std::move(*parsed) : Json(JsonObject{});
    const Json* current = config.as_object().if_contains(name);
    auto next = update(current ? *current : Json(nullptr));
    if (!next) return next.takeError();
    if (next->is_null()) {
      config.as_object().erase(name);
    } else {
      config.as_object()[name] = std::move(*next);
    }
    auto write = db.prepare("UPDATE s3_buckets SET config = ? WHERE name = ?");
    if (!write) return write.takeError();
    return write->bindAll(toJsonText(config), bucket).run();
  });
}

namespace {

int64_t recordedMicros(const ObjectRecord& o, std::string_view name) {
  const Json* v = o.attrs.as_object().if_contains(name);
  return v && isNumber(*v) ? v->to_number<int64_t>() : 0;
}

std::string recordedText(const ObjectRecord& o, std::string_view name) {
  const Json* v = o.attrs.as_object().if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

Result<std::vector<bool>> S3Store::applyTiering(const std::vector<TieringMove>& moves,
                                                const TieringHook& also) {
  std::vector<bool> applied(moves.size(), false);
  auto r = db_.writer().write([&](Database& db) -> Result<void> {
    auto st = db.prepare(
        "UPDATE s3_objects SET attrs = json_set(attrs, '$.AccessTier', ?)"
        " WHERE bucket = ? AND key = ? AND version_id = ? AND storage_class = "
        "'INTELLIGENT_TIERING'"
        " AND coalesce(json_extract(attrs, '$.AccessTier'), '') = ?"
        " AND coalesce(json_extract(attrs, '$.LastAccess'), 0) = ?"
        " AND json_extract(attrs, '$.RestoreDue') IS NULL");
    if (!st) return st.takeError();
    for (size_t i = 0; i < moves.size(); ++i) {
      const ObjectRecord& o = moves[i].object;
      if (auto run = st->bindAll(moves[i].accessTier, o.bucket, o.key, o.versionId,
                                 recordedText(o, "AccessTier"), recordedMicros(o, "LastAccess"))
                         .run();
          !run) {
        return run;
      }
      applied[i] = db.changes() > 0;
      st->reset();
    }
    return also ? also(db, applied) : Result<void>{};
  });
  if (!r) return r.error();
  return applied;
}

void S3Store::recordAccess(std::vector<AccessRecord> records,
                           std::function<void(Result<void>)> done) {
  db_.writer().submit(
      [records = std::move(records)](Database& db) -> Result<void> {
        auto st = db.prepare(
            "UPDATE s3_objects SET attrs = json_set(attrs, '$.LastAccess', ?1)"
            " WHERE bucket = ?2 AND key = ?3 AND version_id = ?4 AND storage_class = "
            "'INTELLIGENT_TIERING' AND coalesce(json_extract(attrs, '$.LastAccess'), 0) < ?1");
        if (!st) return st.takeError();
        for (const auto& a : records) {
          if (auto run = st->bindAll(toEpochMicros(a.at), a.bucket, a.key, a.versionId).run();
              !run) {
            return run;
          }
          st->reset();
        }
        return {};
      },
      std::move(done));
}

}  // namespace sluice::services::s3
