// S3's error codes, messages and statuses, built in one place, with the
// extra elements S3 puts in the <Error> body (<BucketName>, <Key>, ...).
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::s3::errors {

inline AwsError noSuchBucket(std::string_view bucket) {
  return AwsError{"NoSuchBucket", "The specified bucket does not exist", 404}.with(
      "BucketName", std::string(bucket));
}
inline AwsError noSuchKey(std::string_view key) {
  return AwsError{"NoSuchKey", "The specified key does not exist.", 404}.with("Key",
                                                                              std::string(key));
}
inline AwsError noSuchVersion(std::string_view key, std::string_view versionId) {
  return AwsError{"NoSuchVersion", "The specified version does not exist.", 404}
      .with("Key", std::string(key))
      .with("VersionId", std::string(versionId));
}
inline AwsError noSuchUpload(std::string_view uploadId) {
  return AwsError{"NoSuchUpload",
                  "The specified upload does not exist. The upload ID may be invalid, or the "
                  "upload may have been aborted or completed.",
                  404}
      .with("UploadId", std::string(uploadId));
}
// GET / HEAD / CopyObject of an archived version without a restored copy.
inline AwsError invalidObjectState(std::string_view message, std::string_view storageClass) {
  return AwsError{"InvalidObjectState", std::string(message), 403}.with("StorageClass",
                                                                        std::string(storageClass));
}
inline AwsError invalidArgument(std::string message) {
  return {"InvalidArgument", std::move(message), 400};
}
inline AwsError invalidRequest(std::string message) {
  return {"InvalidRequest", std::move(message), 400};
}
inline AwsError malformedXml() {
  return {"MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published "
          "schema",
          400};
}
// Content-MD5 mismatch; both digests in base64, as the header carries them.
inline AwsError badDigest(std::string_view expected, std::string_view calculated) {
  return AwsError{"BadDigest", "The Content-MD5 you specified did not match what we received.", 400}
      .with("ExpectedDigest", std::string(expected))
      .with("CalculatedDigest", std::string(calculated));
}
inline AwsError invalidDigest() {
  return {"InvalidDigest", "The Content-MD5 you specified is not valid.", 400};
}
inline AwsError checksumMismatch(std::string_view algorithm) {
  return {"BadDigest",
          "The " + std::string(algorithm) + " you specified did not match the calculated checksum.",
          400};
}
inline AwsError methodNotAllowed() {
  return {"MethodNotAllowed", "The specified method is not allowed against this resource.", 405};
}
inline AwsError keyTooLong() {
  return {"KeyTooLongError", "Your key is too long", 400};
}
inline AwsError noSuchTagSet() {
  return {"NoSuchTagSet", "The TagSet does not exist", 404};
}
inline AwsError invalidTag(std::string message) {
  return {"InvalidTag", std::move(message), 400};
}
inline AwsError invalidStorageClass() {
  return {"InvalidStorageClass", "The storage class you specified is not valid", 400};
}

}  // namespace sluice::services::s3::errors
