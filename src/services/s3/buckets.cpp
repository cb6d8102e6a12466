// CreateBucket, HeadBucket, ListBuckets, DeleteBucket, GetBucketLocation.
#include "services/s3/bucket_names.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

constexpr std::string_view kGlobalRegion = "us-east-1";

Json owner(const std::string& account) {
  return JsonObject{{"DisplayName", "sluice"}, {"ID", account}};
}

}  // namespace

Result<Json> S3Service::createBucket(const Json& in, const CallContext& ctx) {
  std::string name = str(in, "Bucket");
  if (!isValidBucketName(name)) {
    return AwsError{"InvalidBucketName", "The specified bucket is not valid.", 400};
  }
  const std::string& region = ctx.scope.region;
  std::optional<std::string> constraint;
  if (auto* cfg = in.as_object().if_contains("CreateBucketConfiguration");
      cfg && cfg->is_object()) {
    constraint = optStr(*cfg, "LocationConstraint");
  }
  if (region == kGlobalRegion) {
    if (constraint && *constraint == kGlobalRegion) {
      return AwsError{"InvalidLocationConstraint", "The specified location-constraint is not valid",
                      400};
    }
  }
  if (constraint.value_or(std::string(kGlobalRegion)) != region) {
    return AwsError{"IllegalLocationConstraintException",
                    "The " + constraint.value_or("unspecified") +
                        " location constraint is incompatible for the region specific endpoint "
                        "this request was sent to.",
                    400};
  }
  BucketRecord b;
  b.name = name;
  b.region = region;
  b.owner = ctx.scope.account;
  b.created = clock_.now();
  if (auto r = meta_->createBucket(b); !r) return r.error();
  JsonObject out;
  out["Location"] = region == kGlobalRegion ? "/" + name : "http://" + name + ".s3.amazonaws.com/";
  return Json(std::move(out));
}

Result<Json> S3Service::headBucket(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  return Json(JsonObject{{"BucketRegion", b->region}, {"AccessPointAlias", false}});
}

Result<Json> S3Service::listBuckets(const Json& in, const CallContext& ctx) {
  auto all = meta_->buckets();
  if (!all) return all.takeError();
  std::string prefix = str(in, "Prefix");
  std::string region = str(in, "BucketRegion");
  std::string after = str(in, "ContinuationToken");
  auto max = optInt(in, "MaxBuckets");
  if (max && (*max < 1 || *max > 10000)) {
    return errors::invalidArgument("Argument max-buckets must be an integer between 1 and 10000");
  }
  JsonArray buckets;
  std::string next;
  for (const auto& b : *all) {
    if (!b.name.starts_with(prefix) || (!region.empty() && b.region != region)) continue;
    if (!after.empty() && b.name <= after) continue;
    if (max && static_cast<int64_t>(buckets.size()) == *max) {
      next = buckets.back().as_object()["Name"].as_string().c_str();
      break;
    }
    buckets.push_back(JsonObject{
        {"Name", b.name}, {"CreationDate", epoch(b.created)}, {"BucketRegion", b.region}});
  }
  JsonObject out{{"Buckets", std::move(buckets)}, {"Owner", owner(ctx.scope.account)}};
  if (!prefix.empty()) out["Prefix"] = prefix;
  if (!next.empty()) out["ContinuationToken"] = next;
  return Json(std::move(out));
}

Result<Json> S3Service::deleteBucket(const Json& in, const CallContext&) {
  if (auto r = meta_->deleteBucket(str(in, "Bucket")); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketLocation(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  JsonObject out;
  // us-east-1 buckets report no constraint.
  if (b->region != kGlobalRegion) out["LocationConstraint"] = b->region;
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
