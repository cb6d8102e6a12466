// ListObjectsV2, ListObjects (v1) and ListObjectVersions: keys in UTF-8
// binary order, Delimiter roll-ups into CommonPrefixes (each counted once
// against MaxKeys), pagination by marker or opaque continuation token.
#include "core/encoding.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr int64_t kMaxKeys = 1000;

// Smallest string above every string starting with `s`; nullopt if none.
std::optional<std::string> successor(std::string_view s) {
  std::string out(s);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xFF) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

// The common prefix `key` rolls up into, or empty.
std::string rollUp(std::string_view key, std::string_view prefix, std::string_view delimiter) {
  if (delimiter.empty() || !key.starts_with(prefix)) return {};
  auto pos = key.find(delimiter, prefix.size());
  if (pos == std::string_view::npos) return {};
  return std::string(key.substr(0, pos + delimiter.size()));
}

// Where a listing resumes after `marker`: past every key of its common
// prefix when the marker is one, else just past the marker.
struct Position {
  std::string bound;
  bool inclusive = false;
  bool exhausted = false;
};

Position resumeAfter(std::string_view marker, std::string_view prefix, std::string_view delimiter) {
  Position p;
  if (marker.empty()) {
    p.inclusive = true;
    return p;
  }
  if (!delimiter.empty() && rollUp(marker, prefix, delimiter) == marker) {
    auto next = successor(marker);
    if (!next) {
      p.exhausted = true;
      return p;
    }
    p.bound = *next;
    p.inclusive = true;
    return p;
  }
  p.bound = std::string(marker);
  return p;
}

struct Page {
  std::vector<ObjectRecord> contents;
  std::vector<std::string> prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned
};

Json ownerOf(const std::string& account) {
  return JsonObject{{"DisplayName", "sluice"}, {"ID", account}};
}

std::string encodeIf(bool url, std::string_view s) {
  return url ? percentEncode(s, /*keepSlash=*/true) : std::string(s);
}

Result<int64_t> maxKeysOf(const Json& in) {
  int64_t max = optInt(in, "MaxKeys").value_or(kMaxKeys);
  if (max < 0) return errors::invalidArgument("max-keys cannot be negative");
  return std::min(max, kMaxKeys);
}

Result<bool> urlEncoding(const Json& in) {
  auto e = optStr(in, "EncodingType");
  if (!e) return false;
  if (*e != "url") return errors::invalidArgument("Invalid Encoding Method specified in Request");
  return true;
}

}  // namespace

// Lists current objects under `prefix` after `marker`.
static Result<Page> listPage(S3Store& meta, const std::string& bucket, const std::string& prefix,
                             const std::string& delimiter, const std::string& marker,
                             int64_t maxKeys) {
  Page page;
  Position pos = resumeAfter(marker, prefix, delimiter);
  if (pos.exhausted || maxKeys == 0) return page;
  int64_t count = 0;
  while (true) {
    size_t batch = static_cast<size_t>(maxKeys - count + 1);
    auto rows = meta.listLatest(bucket, prefix, pos.bound, pos.inclusive, batch);
    if (!rows) return rows.takeError();
    bool requery = false;
    for (auto& row : *rows) {
      if (count == maxKeys) {
        page.truncated = true;
        return page;
      }
      std::string cp = rollUp(row.key, prefix, delimiter);
      if (!cp.empty()) {
        page.prefixes.push_back(cp);
        ++count;
        page.last = cp;
        auto next = successor(cp);
        if (!next) return page;
        pos = {*next, true, false};
        requery = true;
        break;
      }
      page.last = row.key;
      pos = {row.key, false, false};
      page.contents.push_back(std::move(row));
      ++count;
    }
    if (!requery && rows->size() < batch) return page;
  }
}

static Json contentEntry(const ObjectRecord& o, bool url, bool owner, const std::string& account) {
  JsonObject e{{"Key", encodeIf(url, o.key)},
               {"LastModified", epoch(o.lastModified)},
               {"ETag", o.etag},
               {"Size", o.size},
               {"StorageClass", o.storageClass}};
  if (auto* a = o.attrs.as_object().if_contains("ChecksumAlgorithm")) {
    e["ChecksumAlgorithm"] = JsonArray{*a};
    if (auto* t = o.attrs.as_object().if_contains("ChecksumType")) e["ChecksumType"] = *t;
  }
  if (owner) e["Owner"] = ownerOf(account);
  return e;
}

Result<Json> S3Service::listObjectsV2(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  auto max = maxKeysOf(in);
  if (!max) return max.takeError();
  auto url = urlEncoding(in);
  if (!url) return url.takeError();
  std::string prefix = str(in, "Prefix"), delimiter = str(in, "Delimiter");
  std::string marker = str(in, "StartAfter");
  auto token = optStr(in, "ContinuationToken");
  if (token) {
    auto decoded = base64Decode(*token);
    if (!decoded || decoded->empty()) {
      return errors::invalidArgument("The continuation token provided is incorrect");
    }
    marker = *decoded;
  }
  auto page = listPage(*meta_, bucket, prefix, delimiter, marker, *max);
  if (!page) return page.takeError();
  bool owner = flag(in, "FetchOwner");
  JsonArray contents, prefixes;
  for (const auto& o : page->contents) {
    contents.push_back(contentEntry(o, *url, owner, ctx.scope.account));
  }
  for (const auto& p : page->prefixes)
    prefixes.push_back(JsonObject{{"Prefix", encodeIf(*url, p)}});
  JsonObject out{{"Name", bucket},
                 {"Prefix", encodeIf(*url, prefix)},
                 {"MaxKeys", *max},
                 {"KeyCount", contents.size() + prefixes.size()},
                 {"IsTruncated", page->truncated}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (!delimiter.empty()) out["Delimiter"] = encodeIf(*url, delimiter);
  if (*url) out["EncodingType"] = "url";
  if (token) out["ContinuationToken"] = *token;
  if (auto sa = optStr(in, "StartAfter")) out["StartAfter"] = encodeIf(*url, *sa);
  if (page->truncated) out["NextContinuationToken"] = base64Encode(page->last);
  return Json(std::move(out));
}

Result<Json> S3Service::listObjects(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  auto max = maxKeysOf(in);
  if (!max) return max.takeError();
  auto url = urlEncoding(in);
  if (!url) return url.takeError();
  std::string prefix = str(in, "Prefix"), delimiter = str(in, "Delimiter");
  std::string marker = str(in, "Marker");
  auto page = listPage(*meta_, bucket, prefix, delimiter, marker, *max);
  if (!page) return page.takeError();
  JsonArray contents, prefixes;
  for (const auto& o : page->contents) {
    contents.push_back(contentEntry(o, *url, true, ctx.scope.account));
  }
  for (const auto& p : page->prefixes)
    prefixes.push_back(JsonObject{{"Prefix", encodeIf(*url, p)}});
  JsonObject out{{"Name", bucket},
                 {"Prefix", encodeIf(*url, prefix)},
                 {"Marker", encodeIf(*url, marker)},
                 {"MaxKeys", *max},
                 {"IsTruncated", page->truncated}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (!delimiter.empty()) out["Delimiter"] = encodeIf(*url, delimiter);
  if (*url) out["EncodingType"] = "url";
  if (page->truncated) out["NextMarker"] = encodeIf(*url, page->last);
  return Json(std::move(out));
}

Result<Json> S3Service::listObjectVersions(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  auto max = maxKeysOf(in);
  if (!max) return max.takeError();
  auto url = urlEncoding(in);
  if (!url) return url.takeError();
  std::string prefix = str(in, "Prefix"), delimiter = str(in, "Delimiter");
  std::string keyMarker = str(in, "KeyMarker");
  std::string versionMarker = str(in, "VersionIdMarker");
  if (!versionMarker.empty() && keyMarker.empty()) {
    return errors::invalidArgument("A version-id marker cannot be specified without a key marker.");
  }
  // Position: (key, seq below, key inclusive).
  std::string key;
  int64_t seqBelow = 0;
  bool inclusive = true;
  if (!keyMarker.empty()) {
    Position p = resumeAfter(keyMarker, prefix, delimiter);
    key = p.bound;
    inclusive = p.inclusive;
    if (p.exhausted) key = std::string(1, '\xFF'), inclusive = false;
    if (!versionMarker.empty() && !p.inclusive) {
      auto v = meta_->version(bucket, keyMarker, versionMarker);
      if (!v) return v.takeError();
      if (!*v) return errors::invalidArgument("Invalid version id specified");
      seqBelow = (*v)->seq;
    }
  }
  JsonArray versions, markers, prefixes;
  std::string nextKey, nextVersion;
  bool truncated = false;
  int64_t count = 0;
  bool done = *max == 0;
  while (!done) {
    size_t batch = static_cast<size_t>(*max - count + 1);
    auto rows = meta_->listVersions(bucket, prefix, key, seqBelow, inclusive, batch);
    if (!rows) return rows.takeError();
    bool requery = false;
    for (auto& row : *rows) {
      if (count == *max) {
        truncated = true;
        done = true;
        break;
      }
      std::string cp = rollUp(row.key, prefix, delimiter);
      if (!cp.empty()) {
        prefixes.push_back(JsonObject{{"Prefix", encodeIf(*url, cp)}});
        ++count;
        nextKey = cp;
        nextVersion.clear();
        auto next = successor(cp);
        if (!next) {
          done = true;
          break;
        }
        key = *next;
        inclusive = true;
        seqBelow = 0;
        requery = true;
        break;
      }
      JsonObject e{{"Key", encodeIf(*url, row.key)},
                   {"VersionId", row.versionId},
                   {"IsLatest", row.latest},
                   {"LastModified", epoch(row.lastModified)},
                   {"Owner", ownerOf(ctx.scope.account)}};
      if (row.deleteMarker) {
        markers.push_back(std::move(e));
      } else {
        e["ETag"] = row.etag;
        e["Size"] = row.size;
        e["StorageClass"] = row.storageClass;
        if (auto* a = row.attrs.as_object().if_contains("ChecksumAlgorithm")) {
          e["ChecksumAlgorithm"] = JsonArray{*a};
        }
        versions.push_back(std::move(e));
      }
      ++count;
      nextKey = row.key;
      nextVersion = row.versionId;
      key = row.key;
      seqBelow = row.seq;
      inclusive = false;
    }
    if (!done && !requery && rows->size() < batch) done = true;
  }
  JsonObject out{{"Name", bucket},
                 {"Prefix", encodeIf(*url, prefix)},
                 {"KeyMarker", encodeIf(*url, keyMarker)},
                 {"VersionIdMarker", versionMarker},
                 {"MaxKeys", *max},
                 {"IsTruncated", truncated}};
  if (!versions.empty()) out["Versions"] = std::move(versions);
  if (!markers.empty()) out["DeleteMarkers"] = std::move(markers);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (!delimiter.empty()) out["Delimiter"] = encodeIf(*url, delimiter);
  if (*url) out["EncodingType"] = "url";
  if (truncated) {
    out["NextKeyMarker"] = encodeIf(*url, nextKey);
    if (!nextVersion.empty()) out["NextVersionIdMarker"] = nextVersion;
  }
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
