// Server-side encryption as S3 records and reports it. S3 encrypts every
// object (SSE-S3, AES256, by default since January 2023); a write may ask for
// SSE-KMS (aws:kms, aws:kms:dsse, with a key id, an encryption context and a
// bucket key) or give its own key (SSE-C). Sluice stores bytes as they are —
// the data directory is the user's own — and records what was asked, so
// every response carries the x-amz-server-side-encryption* headers AWS sends,
// and an SSE-C object is readable only with its key (checked by its MD5; the
// key itself is never stored).
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

// What a write request asks for (PutObject, CreateMultipartUpload, and
// CopyObject's destination), as the attrs member "Encryption" records it;
// a request without encryption headers gets `bucketDefaults` (the bucket's
// default encryption as request members, bucketDefaultEncryption); InvalidArgument
// for what S3 refuses.
Result<Json> encryptionOf(const Json& in, const Scope& scope, const Json& bucketDefaults = {});

// A bucket configuration's default encryption (bucket_encryption.cpp) as the
// request members encryptionOf reads: empty for SSE-S3.
Json bucketDefaultEncryption(const Json& bucketConfig);

// A read of an object (GET, HEAD: prefix ""; a copy source: "CopySource")
// presents the key an SSE-C object was written with, and no key for any other.
Result<void> checkCustomerKey(const Json& in, const Json& attrs, std::string_view prefix = "");

// ServerSideEncryption, SSEKMSKeyId, BucketKeyEnabled, SSECustomerAlgorithm and
// SSECustomerKeyMD5 of an object or upload (AES256 for one written before
// they were recorded); SSEKMSEncryptionContext too when `withContext`.
void describeEncryption(JsonObject& out, const Json& attrs, bool withContext = false);

}  // namespace sluice::services::s3
