#include "services/s3/object_attrs.hpp"
#include "services/s3/object_encryption.hpp"

#include <set>

#include "core/encoding.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"

namespace sluice::services::s3 {

namespace {

constexpr std::string_view kContentMembers[] = {"ContentType",        "ContentEncoding",
                                                "ContentDisposition", "CacheControl",
                                                "ContentLanguage",    "Expires"};

std::string formDecode(std::string_view s) {
  return percentDecode(s, /*plusAsSpace=*/true);
}

size_t utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Result<void> checkTag(std::string_view key, std::string_view value) {
  if (key.empty() || utf8Length(key) > 128) {
    return errors::invalidTag("The TagKey you have provided is invalid");
  }
  if (utf8Length(value) > 256)
    return errors::invalidTag("The TagValue you have provided is invalid");
  return {};
}

}  // namespace

Json contentAttrs(const Json& in) {
  JsonObject a;
  for (auto name : kContentMembers) {
    if (name == "Expires") {
      if (auto t = optTime(in, name)) a["Expires"] = epoch(*t);
      continue;
    }
    if (auto v = optStr(in, name)) a[name] = *v;
  }
  if (!a.contains("ContentType")) a["ContentType"] = "binary/octet-stream";
  if (auto* m = in.as_object().if_contains("Metadata"); m && m->is_object()) {
    JsonObject meta;
    for (const auto& kv : m->as_object()) {
      std::string k(kv.key());
      for (char& c : k) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      meta[k] = kv.value();
    }
    a["Metadata"] = std::move(meta);
  }
  return a;
}

void copyContentAttrs(const Json& from, Json& to) {
  if (!from.is_object() || !to.is_object()) return;
  for (auto name : kContentMembers) {
    if (auto* v = from.as_object().if_contains(name)) to.as_object()[name] = *v;
  }
  if (auto* m = from.as_object().if_contains("Metadata")) to.as_object()["Metadata"] = *m;
}

Result<Json> parseTaggingHeader(std::string_view header) {
  JsonObject tags;
  size_t start = 0;
  while (start < header.size()) {
    auto amp = header.find('&', start);
    std::string_view pair = header.substr(start, amp - start);
    start = amp == std::string_view::npos ? header.size() : amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = formDecode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : formDecode(pair.substr(eq + 1));
    if (auto r = checkTag(key, value); !r) return r.error();
    if (tags.contains(key)) {
      return errors::invalidTag("Cannot provide multiple Tags with the same key");
    }
    tags[key] = value;
  }
  if (tags.size() > 10) return errors::invalidTag("Object tags cannot be greater than 10");
  return Json(std::move(tags));
}

Result<Json> tagsFromTagSet(const Json& tagging, size_t maxTags) {
  JsonObject tags;
  const Json* set = tagging.is_object() ? tagging.as_object().if_contains("TagSet") : nullptr;
  if (set && set->is_array()) {
    for (const Json& t : set->as_array()) {
      std::string key = str(t, "Key"), value = str(t, "Value");
      if (auto r = checkTag(key, value); !r) return r.error();
      if (tags.contains(key)) {
        return errors::invalidTag("Cannot provide multiple Tags with the same key");
      }
      tags[key] = value;
    }
  }
  if (tags.size() > maxTags) {
    return errors::invalidTag(maxTags == 10 ? "Object tags cannot be greater than 10"
                                            : "Bucket tag count cannot be greater than 50");
  }
  return Json(std::move(tags));
}

Json tagSet(const Json& tags) {
  JsonArray out;
  if (tags.is_object()) {
    for (const auto& kv : tags.as_object()) {
      out.push_back(JsonObject{{"Key", kv.key()}, {"Value", kv.value()}});
    }
  }
  return out;
}

Result<std::optional<RecordedChecksum>> checkIntegrity(const Json& in, std::string_view body,
                                                       std::optional<ChecksumAlgorithm> fallback) {
  BodyDigests digests{[body] { return md5Raw(body); },
                      [body](ChecksumAlgorithm a) { return checksumBase64(a, body); }};
  return checkIntegrity(in, digests, fallback);
}

Result<std::optional<RecordedChecksum>> checkIntegrity(const Json& in, const BodyDigests& body,
                                                       std::optional<ChecksumAlgorithm> fallback) {
  if (auto md5 = optStr(in, "ContentMD5")) {
    auto raw = base64Decode(*md5);
    if (!raw || raw->size() != 16) return errors::invalidDigest();
    if (std::string actual = body.md5Raw(); *raw != actual) {
      return errors::badDigest(*md5, base64Encode(actual));
    }
  }
  std::optional<RecordedChecksum> recorded;
  for (auto a : kChecksumAlgorithms) {
    auto given = optStr(in, checksumMember(a));
    if (!given) continue;
    auto decoded = base64Decode(*given);
    if (!decoded || decoded->size() != checksumSize(a)) {
      return errors::invalidRequest("Value for " + checksumHeader(a) + " header is invalid.");
    }
    std::string actual = body.checksumBase64(a);
    if (actual != base64Encode(*decoded)) {
      return errors::checksumMismatch(checksumName(a));
    }
    recorded = RecordedChecksum{a, actual};
  }
  if (recorded) return recorded;
  std::optional<ChecksumAlgorithm> algorithm = fallback;
  if (auto name = optStr(in, "ChecksumAlgorithm")) {
    algorithm = parseChecksumAlgorithm(*name);
    if (!algorithm) {
      return errors::invalidRequest("Checksum algorithm provided is unsupported.");
    }
  }
  if (!algorithm) return std::optional<RecordedChecksum>();
  return std::optional<RecordedChecksum>(
      RecordedChecksum{*algorithm, body.checksumBase64(*algorithm)});
}

void describeObject(JsonObject& out, const ObjectRecord& o) {
  out["AcceptRanges"] = "bytes";
  out["LastModified"] = epoch(o.lastModified);
  out["ContentLength"] = o.size;
  out["ETag"] = o.etag;
  if (o.versionId != "null") out["VersionId"] = o.versionId;
  const auto& a = o.attrs.as_object();
  for (auto name : kContentMembers) {
    if (auto* v = a.if_contains(name)) out[name] = *v;
  }
  if (auto* m = a.if_contains("Metadata")) out["Metadata"] = *m;
  if (o.storageClass != "STANDARD") out["StorageClass"] = o.storageClass;
  if (auto* t = a.if_contains("Tags"); t && t->is_object() && !t->as_object().empty()) {
    out["TagCount"] = t->as_object().size();
  }
  if (auto* r = a.if_contains("Restore"); r && r->is_string()) out["Restore"] = *r;
  if (auto tier = accessTierOf(o); !tier.empty()) out["ArchiveStatus"] = tier;
  describeEncryption(out, o.attrs);
}

void describeChecksum(JsonObject& out, const ObjectRecord& o) {
  const auto& a = o.attrs.as_object();
  auto* alg = a.if_contains("ChecksumAlgorithm");
  auto* value = a.if_contains("ChecksumValue");
  if (!alg || !value || !alg->is_string()) return;
  auto parsed = parseChecksumAlgorithm(alg->as_string());
  if (!parsed) return;
  out[checksumMember(*parsed)] = *value;
  if (auto* type = a.if_contains("ChecksumType")) out["ChecksumType"] = *type;
}

bool isStorageClass(std::string_view s) {
  static const std::set<std::string_view> kClasses = {
      "STANDARD",        "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
      "GLACIER",         "DEEP_ARCHIVE",       "OUTPOSTS",    "GLACIER_IR", "SNOW",
      "EXPRESS_ONEZONE", "FSX_OPENZFS",        "FSX_ONTAP"};
  return kClasses.count(s) > 0;
}

bool isArchived(const ObjectRecord& o) {
  // Restoring moves it back to the frequent access tier: no copy to look for.
  if (o.storageClass == "INTELLIGENT_TIERING") return !accessTierOf(o).empty();
  if (o.storageClass != "GLACIER" && o.storageClass != "DEEP_ARCHIVE") return false;
  auto* r = o.attrs.as_object().if_contains("Restore");
  return !(r && r->is_string() &&
           r->as_string().find("ongoing-request=\"false\"") != json::string::npos);
}

std::string accessTierOf(const ObjectRecord& o) {
  if (o.storageClass != "INTELLIGENT_TIERING") return {};
  auto* t = o.attrs.as_object().if_contains("AccessTier");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

TimePoint lastAccessOf(const ObjectRecord& o) {
  auto* t = o.attrs.as_object().if_contains("LastAccess");
  if (!t || !isNumber(*t)) return o.lastModified;
  return std::max(o.lastModified, fromEpochMicros(t->to_number<int64_t>()));
}

AwsError archivedError(const ObjectRecord& o, std::string_view message) {
  AwsError e = errors::invalidObjectState(message, o.storageClass);
  if (auto tier = accessTierOf(o); !tier.empty()) e = std::move(e).with("AccessTier", tier);
  return e;
}

}  // namespace sluice::services::s3
