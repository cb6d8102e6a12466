// S3's error codes, messages and statuses, built in one place.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::s3::errors {

inline AwsError noSuchBucket() {
  return {"NoSuchBucket", "The specified bucket does not exist", 404};
}
inline AwsError noSuchKey() {
  return {"NoSuchKey", "The specified key does not exist.", 404};
}
inline AwsError noSuchVersion() {
  return {"NoSuchVersion", "The specified version does not exist.", 404};
}
inline AwsError noSuchUpload() {
  return {"NoSuchUpload",
          "The specified upload does not exist. The upload ID may be invalid, or the upload may "
          "have been aborted or completed.",
          404};
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
inline AwsError badDigest() {
  return {"BadDigest", "The Content-MD5 you specified did not match what we received.", 400};
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
