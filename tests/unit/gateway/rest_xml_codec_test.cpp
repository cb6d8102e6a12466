#include "gateway/rest_xml_codec.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway::restxml {
namespace {

const services::model::ServiceModel& s3() {
  return *services::model::ServiceModel::get("s3");
}

std::string match(std::string method, std::string target,
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  auto q = target.find('?');
  auto a = address(target.substr(0, q), q == std::string::npos ? "" : target.substr(q + 1),
                   std::nullopt);
  auto m = matchOperation(s3(), method, a, r, [](std::string_view n) {
    return n != "ListDirectoryBuckets" && n != "GetBucketLifecycle" && n != "PutBucketLifecycle" &&
           n != "GetBucketNotification" && n != "PutBucketNotification" && n != "PutObjectAcl" &&
           n != "DeleteBucketPolicy" && n != "GetBucketPolicy" && n != "PutBucketEncryption";
  });
  if (!m.addressed) return "";
  return m.op ? m.op->name : "unbuilt:" + m.addressed->name;
}

TEST(RestXmlRouting, PicksTheOperationFromMethodPathQueryAndHeaders) {
  EXPECT_EQ(match("GET", "/"), "ListBuckets");
  EXPECT_EQ(match("PUT", "/b"), "CreateBucket");
  EXPECT_EQ(match("PUT", "/b/"), "CreateBucket");
  EXPECT_EQ(match("GET", "/b"), "ListObjects");
  EXPECT_EQ(match("GET", "/b?list-type=2&prefix=x"), "ListObjectsV2");
  EXPECT_EQ(match("GET", "/b?versions"), "ListObjectVersions");
  EXPECT_EQ(match("GET", "/b?location"), "GetBucketLocation");
  EXPECT_EQ(match("POST", "/b?delete"), "DeleteObjects");
  EXPECT_EQ(match("PUT", "/b/k"), "PutObject");
  EXPECT_EQ(match("PUT", "/b/k?x-id=PutObject"), "PutObject");
  EXPECT_EQ(match("PUT", "/b/k", {{"x-amz-copy-source", "b/o"}}), "CopyObject");
  EXPECT_EQ(match("PUT", "/b/k?partNumber=1&uploadId=u"), "UploadPart");
  EXPECT_EQ(match("PUT", "/b/k?partNumber=1&uploadId=u", {{"x-amz-copy-source", "b/o"}}),
            "UploadPartCopy");
  EXPECT_EQ(match("POST", "/b/k?uploads"), "CreateMultipartUpload");
  EXPECT_EQ(match("POST", "/b/k?uploadId=u"), "CompleteMultipartUpload");
  EXPECT_EQ(match("GET", "/b/k?uploadId=u"), "ListParts");
  EXPECT_EQ(match("GET", "/b/k"), "GetObject");
  EXPECT_EQ(match("GET", "/b/k?tagging"), "GetObjectTagging");
  EXPECT_EQ(match("DELETE", "/b/k?uploadId=u"), "AbortMultipartUpload");
  EXPECT_EQ(match("HEAD", "/b/k"), "HeadObject");
  EXPECT_EQ(match("DELETE", "/"), "");
}

// A subresource that is not built is named as such; the request never falls
// through to the plain object or bucket operation (which would overwrite the
// object with the ACL document or delete the bucket).
TEST(RestXmlRouting, UnbuiltSubresourcesNeverFallThrough) {
  EXPECT_EQ(match("PUT", "/b/k?acl"), "unbuilt:PutObjectAcl");
  EXPECT_EQ(match("DELETE", "/b?policy"), "unbuilt:DeleteBucketPolicy");
  EXPECT_EQ(match("GET", "/b?policy"), "unbuilt:GetBucketPolicy");
  EXPECT_EQ(match("PUT", "/b?encryption"), "unbuilt:PutBucketEncryption");
  // Among equally specific operations a built one still wins.
  EXPECT_EQ(match("GET", "/b?lifecycle"), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(match("PUT", "/b?notification"), "PutBucketNotificationConfiguration");
  // Query parameters that are not subresources leave the plain operation.
  EXPECT_EQ(match("GET", "/b/k?versionId=v&response-content-type=text/plain"), "GetObject");
}

TEST(RestXmlAddressing, PathStyleKeysAreDecodedNotNormalised) {
  auto a = address("/bucket/a/../b%20c/%E6%96%87", "", std::nullopt);
  EXPECT_EQ(a.bucket, "bucket");
  EXPECT_EQ(*a.key, "a/../b c/\xE6\x96\x87");
  auto root = address("/bucket/", "", std::nullopt);
  EXPECT_FALSE(root.key.has_value());
  auto vh = address("/dir/key", "", std::string("bkt"));
  EXPECT_EQ(vh.bucket, "bkt");
  EXPECT_EQ(*vh.key, "dir/key");
}

TEST(RestXmlAddressing, VirtualHostBuckets) {
  EXPECT_EQ(virtualHostBucket("bkt.localhost:4566"), "bkt");
  EXPECT_EQ(virtualHostBucket("my.dotted.bkt.s3.localhost"), "my.dotted.bkt");
  EXPECT_EQ(virtualHostBucket("bkt.s3.us-east-1.amazonaws.com"), "bkt");
  EXPECT_EQ(virtualHostBucket("127.0.0.1:4566"), std::nullopt);
  EXPECT_EQ(virtualHostBucket("localhost:4566"), std::nullopt);
  EXPECT_EQ(virtualHostBucket("s3.localhost"), std::nullopt);
  EXPECT_EQ(virtualHostBucket("[::1]:4566"), std::nullopt);
}

TEST(RestXmlQuery, DecodesNamesAndValues) {
  auto q = parseQuery("prefix=a%2Fb+c&uploads&max-keys=5&");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"prefix", "a/b c"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"uploads", ""}));
  EXPECT_EQ(q[2].second, "5");
}

TEST(RestXmlDecode, HeadersQueryAndXmlPayloadBecomeModelMembers) {
  const auto* op = s3().operation("DeleteObjects");
  HttpRequest r;
  r.method = "POST";
  auto a = address("/bkt", "delete", std::nullopt);
  services::Payload payload;
  auto in = decodeInput(*op, a, r,
                        "<Delete><Object><Key>k1</Key></Object><Object><Key>k2</Key>"
                        "<VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>",
                        payload);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(toJsonText(*in),
            R"({"Bucket":"bkt","Delete":{"Objects":[{"Key":"k1"},{"Key":"k2","VersionId":"v"}],)"
            R"("Quiet":true}})");

  const auto* put = s3().operation("PutObject");
  HttpRequest p;
  p.headers = {{"Content-Type", "text/plain"},
               {"X-Amz-Meta-Color", "red"},
               {"Content-Length", "3"},
               {"If-None-Match", "*"}};
  auto pa = address("/bkt/key", "", std::nullopt);
  auto pin = decodeInput(*put, pa, p, "abc", payload);
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(payload.requestBody, "abc");
  EXPECT_EQ(pin->at("ContentType"), "text/plain");
  EXPECT_EQ(pin->at("ContentLength"), 3);
  EXPECT_EQ(pin->at("Metadata").at("color"), "red");
  EXPECT_FALSE(pin->as_object().contains("Body"));
}

TEST(RestXmlEncode, HeadersTimestampsAndRootElements) {
  services::Payload payload;
  auto out = encodeOutput(*s3().operation("HeadObject"),
                          Json(JsonObject{{"ContentLength", 5},
                                          {"LastModified", 1445412480.0},
                                          {"ETag", "\"e\""},
                                          {"Metadata", JsonObject{{"a", "b"}}}}),
                          payload, "rid");
  auto header = [&](std::string_view name) {
    for (const auto& [k, v] : out.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header("Last-Modified"), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(header("Content-Length"), "5");
  EXPECT_EQ(header("x-amz-meta-a"), "b");
  EXPECT_TRUE(out.body.empty());

  auto list = encodeOutput(
      *s3().operation("ListObjectsV2"),
      Json(JsonObject{{"Name", "b"},
                      {"IsTruncated", false},
                      {"Contents", JsonArray{JsonObject{{"Key", "k"}, {"LastModified", 0.5}}}}}),
      payload, "rid");
  EXPECT_NE(list.body.find("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
            std::string::npos);
  EXPECT_NE(list.body.find("<Contents><Key>k</Key><LastModified>1970-01-01T00:00:00.500Z"
                           "</LastModified></Contents>"),
            std::string::npos);
  EXPECT_NE(list.body.find("<IsTruncated>false</IsTruncated>"), std::string::npos);
}

TEST(RestXmlErrors, S3ErrorDocument) {
  auto r =
      encodeError({"NoSuchKey", "The specified key does not exist.", 404}, "/b/k", "id1", false);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
            "specified key does not exist.</Message><Resource>/b/k</Resource><RequestId>id1"
            "</RequestId></Error>");
  auto head = encodeError({"NoSuchKey", "x", 404}, "/b/k", "id1", true);
  EXPECT_TRUE(head.body.empty());
  EXPECT_TRUE(head.headOnly);
}

TEST(RestXmlErrors, FieldsFollowTheMessageInOrderEscaped) {
  AwsError e = AwsError{"NoSuchVersion", "m", 404}.with("Key", "a&b").with("VersionId", "v1");
  auto r = encodeError(e, "/b/a&b", "id1", false);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchVersion</Code>"
            "<Message>m</Message><Key>a&amp;b</Key><VersionId>v1</VersionId><Resource>/b/a&amp;b"
            "</Resource><RequestId>id1</RequestId></Error>");
}

}  // namespace
}  // namespace sluice::gateway::restxml
