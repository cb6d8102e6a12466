// S3 browser uploads (POST Object, s3_post_form.hpp): the form's policy is
// checked, then the upload is the PutObject operation with the form's fields
// as its input, so it behaves as any other PUT (checksums, tags, storage
// class, versioning, events). The answer follows success_action_redirect /
// success_action_status as S3 does: 303 to the redirect, or 204 (default),
// 200, or 201 with a PostResponse document.
#include <strings.h>

#include "core/encoding.hpp"
#include "gateway/protocol_rest_xml.hpp"
#include "gateway/rest_xml_codec.hpp"
#include "gateway/s3_post_form.hpp"
#include "gateway/xml_reader.hpp"
#include "gateway/xml_writer.hpp"
#include "services/payload.hpp"

namespace sluice::gateway {

namespace {

// Form fields that become PutObject members as they are.
constexpr std::pair<std::string_view, std::string_view> kHeaderFields[] = {
    {"Content-Type", "ContentType"},
    {"Cache-Control", "CacheControl"},
    {"Content-Disposition", "ContentDisposition"},
    {"Content-Encoding", "ContentEncoding"},
    {"Content-Language", "ContentLanguage"},
    {"Content-MD5", "ContentMD5"},
    {"x-amz-storage-class", "StorageClass"},
    {"x-amz-checksum-algorithm", "ChecksumAlgorithm"},
    {"x-amz-checksum-crc32", "ChecksumCRC32"},
    {"x-amz-checksum-crc32c", "ChecksumCRC32C"},
    {"x-amz-checksum-crc64nvme", "ChecksumCRC64NVME"},
    {"x-amz-checksum-sha1", "ChecksumSHA1"},
    {"x-amz-checksum-sha256", "ChecksumSHA256"},
};

// <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...</TagSet></Tagging>
// as the x-amz-tagging header's "k=v&..." form PutObject takes.
Result<std::string> taggingHeader(std::string_view xml) {
  auto doc = parseXml(xml);
  if (!doc) return AwsError{"MalformedXML", "The tagging document is not well-formed.", 400};
  std::string out;
  const XmlElement* set = doc->child("TagSet");
  if (!set) return out;
  for (const XmlElement* tag : set->childrenNamed("Tag")) {
    const XmlElement* k = tag->child("Key");
    const XmlElement* v = tag->child("Value");
    if (!k) return AwsError{"MalformedXML", "A tag has no Key.", 400};
    if (!out.empty()) out += '&';
    out += percentEncode(k->text) + "=" + percentEncode(v ? v->text : "");
  }
  return out;
}

// The PutObject input the form describes.
Result<Json> putObjectInput(const S3PostForm& form, const std::string& bucket) {
  JsonObject in;
  in["Bucket"] = bucket;
  std::string key = *form.field("key");
  for (size_t at; (at = key.find("${filename}")) != std::string::npos;) {
    key.replace(at, 11, form.fileName);
  }
  in["Key"] = key;
  for (auto [field, member] : kHeaderFields) {
    if (const std::string* v = form.field(field)) in[member] = *v;
  }
  JsonObject metadata;
  for (const auto& f : form.fields) {
    if (f.name.size() > 11 && strncasecmp(f.name.c_str(), "x-amz-meta-", 11) == 0) {
      std::string name = f.name.substr(11);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      metadata[name] = f.value;
    }
  }
  if (!metadata.empty()) in["Metadata"] = std::move(metadata);
  if (const std::string* tagging = form.field("tagging")) {
    auto header = taggingHeader(*tagging);
    if (!header) return header.takeError();
    in["Tagging"] = *header;
  }
  return Json(std::move(in));
}

}  // namespace

void RestXmlProtocol::handleBrowserPost(RoutedRequest request, const std::string& bucket,
                                        HttpReply reply) const {
  HttpRequest& http = request.http;
  const std::string requestId = request.ctx.requestId;
  const std::string resource = "/" + bucket;
  auto fail = [&](const AwsError& e) {
    reply(restxml::encodeError(asS3Error(e), resource, requestId, false));
  };
  if (http.streamed) {  // a large form: parsed from memory all the same
    auto body = http.streamed->file.readAll();
    if (!body) return fail(body.error());
    http.body = std::move(*body);
    http.streamed.reset();
  }
  auto form = parseS3PostForm(http.header("Content-Type"), http.body);
  if (!form) return fail(form.error());
  auto signer = authorizeS3Post(*form, bucket, credentials_, clock_.now());
  if (!signer) return fail(signer.error());
  if (!signer->empty()) request.ctx.accessKeyId = *signer;
  auto input = putObjectInput(*form, bucket);
  if (!input) return fail(input.error());

  auto payload = std::make_shared<services::Payload>();
  payload->requestBody = std::move(form->file);
  request.ctx.payload = payload;
  std::string key(input->at("Key").as_string());
  std::string redirect, status;
  if (const std::string* r = form->field("success_action_redirect")) redirect = *r;
  if (redirect.empty()) {
    if (const std::string* r = form->field("redirect")) redirect = *r;
  }
  if (const std::string* s = form->field("success_action_status")) status = *s;
  std::string host(http.header("Host"));
  registry_.call(
      "s3", "PutObject", *input, request.ctx,
      [reply = std::move(reply), payload, requestId, resource, bucket, key, redirect, status,
       host](Result<Json> result) {
        if (!result) {
          return reply(restxml::encodeError(asS3Error(result.error()), resource, requestId, false));
        }
        std::string etag(result->at("ETag").as_string());
        std::string location = "http://" + host + "/" + bucket + "/" + percentEncode(key, true);
        HttpResponse r;
        r.headers = {{"x-amz-request-id", requestId}, {"ETag", etag}};
        if (const auto* v = result->as_object().if_contains("VersionId")) {
          r.headers.emplace_back("x-amz-version-id", std::string(v->as_string()));
        }
        if (!redirect.empty()) {
          std::string to = redirect + (redirect.find('?') == std::string::npos ? "?" : "&") +
                           "bucket=" + percentEncode(bucket) + "&key=" + percentEncode(key) +
                           "&etag=" + percentEncode(etag);
          r.status = 303;
          r.headers.emplace_back("Location", to);
          return reply(std::move(r));
        }
        r.headers.emplace_back("Location", location);
        if (status == "200") {
          r.status = 200;
        } else if (status == "201") {
          r.status = 201;
          XmlWriter x;
          x.open("PostResponse");
          x.element("Location", location);
          x.element("Bucket", bucket);
          x.element("Key", key);
          x.element("ETag", etag);
          x.close();
          r.body = x.finish();
          r.headers.emplace_back("Content-Type", "application/xml");
        } else {
          r.status = 204;
        }
        reply(std::move(r));
      });
}

}  // namespace sluice::gateway
