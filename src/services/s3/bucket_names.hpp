// Bucket naming rules for general purpose buckets, as S3 enforces them.
#pragma once

#include <string_view>

namespace sluice::services::s3 {

// 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a
// letter or digit, no "..", not an IPv4 address, none of the reserved
// prefixes (xn--, sthree-, amzn-s3-demo-) or suffixes (-s3alias, --ol-s3,
// .mrap, --x-s3, --table-s3).
bool isValidBucketName(std::string_view name);

}  // namespace sluice::services::s3
