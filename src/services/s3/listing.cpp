// ListObjectsV2, ListObjects (v1) and ListObjectVersions: keys in UTF-8
// binary order, Delimiter roll-ups into CommonPrefixes (each counted once
// against MaxKeys), pagination by marker or opaque continuation token.
// Both ListObjects versions are one walk (listPage) and one body
// (listingBody); each adds only its own pagination members.
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

// What every listing is asked, validated.
struct ListingRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  int64_t maxKeys = kMaxKeys;
  bool url = false;  // EncodingType=url
};

Result<ListingRequest> listingRequest(const Json& in) {
  ListingRequest r{str(in, "Bucket"), str(in, "Prefix"), str(in, "Delimiter")};
  int64_t max = optInt(in, "MaxKeys").value_or(kMaxKeys);
  if (max < 0) return errors::invalidArgument("max-keys cannot be negative");
  r.maxKeys = std::min(max, kMaxKeys);
  if (auto e = optStr(in, "EncodingType")) {
    if (*e != "url") return errors::invalidArgument("Invalid Encoding Method specified in Request");
    r.url = true;
  }
  return r;
}

}  // namespace

// The one walk of both ListObjects versions: current objects under the
// prefix after `marker`, rolled up by the delimiter.
static Result<Page> listPage(S3Store& meta, const ListingRequest& r, const std::string& marker) {
  const std::string& prefix = r.prefix;
  const std::string& delimiter = r.delimiter;
  const int64_t maxKeys = r.maxKeys;
  Page page;
  Position pos = resumeAfter(marker, prefix, delimiter);
  if (pos.exhausted || maxKeys == 0) return page;
  int64_t count = 0;
  while (true) {
    size_t batch = static_cast<size_t>(maxKeys - count + 1);
    auto rows = meta.listLatest(r.bucket, prefix, pos.bound, pos.inclusive, batch);
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

// The members both ListObjects versions answer with.
static JsonObject listingBody(const ListingRequest& r, const Page& page, bool owner,
                              const std::string& account) {
  JsonArray contents, prefixes;
  for (const auto& o : page.contents) contents.push_back(contentEntry(o, r.url, owner, account));
  for (const auto& p : page.prefixes)
    prefixes.push_back(JsonObject{{"Prefix", encodeIf(r.url, p)}});
  JsonObject out{{"Name", r.bucket},
                 {"Prefix", encodeIf(r.url, r.prefix)},
                 {"MaxKeys", r.maxKeys},
                 {"IsTruncated", page.truncated}};
  if (!contents.empty()) out["Contents"] = std::move(contents);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (!r.delimiter.empty()) out["Delimiter"] = encodeIf(r.url, r.delimiter);
  if (r.url) out["EncodingType"] = "url";
  return out;
}

Result<Json> S3Service::listObjectsV2(const Json& in, const CallContext& ctx) {
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto r = listingRequest(in);
  if (!r) return r.takeError();
  std::string marker = str(in, "StartAfter");
  auto token = optStr(in, "ContinuationToken");
  if (token) {
    auto decoded = base64Decode(*token);
    if (!decoded || decoded->empty()) {
      return errors::invalidArgument("The continuation token provided is incorrect");
    }
    marker = *decoded;
  }
  auto page = listPage(*meta_, *r, marker);
  if (!page) return page.takeError();
  JsonObject out = listingBody(*r, *page, flag(in, "FetchOwner"), ctx.scope.account);
  out["KeyCount"] = page->contents.size() + page->prefixes.size();
  if (token) out["ContinuationToken"] = *token;
  if (auto sa = optStr(in, "StartAfter")) out["StartAfter"] = encodeIf(r->url, *sa);
  if (page->truncated) out["NextContinuationToken"] = base64Encode(page->last);
  return Json(std::move(out));
}

Result<Json> S3Service::listObjects(const Json& in, const CallContext& ctx) {
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto r = listingRequest(in);
  if (!r) return r.takeError();
  std::string marker = str(in, "Marker");
  auto page = listPage(*meta_, *r, marker);
  if (!page) return page.takeError();
  // v1 always names owners.
  JsonObject out = listingBody(*r, *page, true, ctx.scope.account);
  out["Marker"] = encodeIf(r->url, marker);
  if (page->truncated) out["NextMarker"] = encodeIf(r->url, page->last);
  return Json(std::move(out));
}

Result<Json> S3Service::listObjectVersions(const Json& in, const CallContext& ctx) {
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto r = listingRequest(in);
  if (!r) return r.takeError();
  const std::string &bucket = r->bucket, &prefix = r->prefix, &delimiter = r->delimiter;
  const int64_t max = r->maxKeys;
  const bool url = r->url;
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
  bool done = max == 0;
  while (!done) {
    size_t batch = static_cast<size_t>(max - count + 1);
    auto rows = meta_->listVersions(bucket, prefix, key, seqBelow, inclusive, batch);
    if (!rows) return rows.takeError();
    bool requery = false;
    for (auto& row : *rows) {
      if (count == max) {
        truncated = true;
        done = true;
        break;
      }
      std::string cp = rollUp(row.key, prefix, delimiter);
      if (!cp.empty()) {
        prefixes.push_back(JsonObject{{"Prefix", encodeIf(url, cp)}});
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
      JsonObject e{{"Key", encodeIf(url, row.key)},
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
                 {"Prefix", encodeIf(url, prefix)},
                 {"KeyMarker", encodeIf(url, keyMarker)},
                 {"VersionIdMarker", versionMarker},
                 {"MaxKeys", max},
                 {"IsTruncated", truncated}};
  if (!versions.empty()) out["Versions"] = std::move(versions);
  if (!markers.empty()) out["DeleteMarkers"] = std::move(markers);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (!delimiter.empty()) out["Delimiter"] = encodeIf(url, delimiter);
  if (url) out["EncodingType"] = "url";
  if (truncated) {
    out["NextKeyMarker"] = encodeIf(url, nextKey);
    if (!nextVersion.empty()) out["NextVersionIdMarker"] = nextVersion;
  }
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
