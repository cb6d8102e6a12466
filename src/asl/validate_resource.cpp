// Task `Resource`: the integration pattern suffix (.sync, .sync:2,
// .waitForTaskToken) and whether the ARN names something Step Functions can
// call — a Lambda function, an activity, an optimized service integration or
// an AWS SDK integration.
#include <array>
#include <string_view>

#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

struct Integration {
  std::string_view service;
  std::string_view action;
};

// Optimized integrations (arn:<partition>:states:::<service>:<action>).
constexpr std::array kIntegrations = {
    Integration{"lambda", "invoke"},
    Integration{"sns", "publish"},
    Integration{"sqs", "sendMessage"},
    Integration{"dynamodb", "getItem"},
    Integration{"dynamodb", "putItem"},
    Integration{"dynamodb", "deleteItem"},
    Integration{"dynamodb", "updateItem"},
    Integration{"events", "putEvents"},
    Integration{"states", "startExecution"},
    Integration{"glue", "startJobRun"},
    Integration{"athena", "startQueryExecution"},
    Integration{"athena", "stopQueryExecution"},
    Integration{"athena", "getQueryExecution"},
    Integration{"athena", "getQueryResults"},
    Integration{"batch", "submitJob"},
    Integration{"ecs", "runTask"},
    Integration{"codebuild", "startBuild"},
    Integration{"codebuild", "stopBuild"},
    Integration{"codebuild", "batchDeleteBuilds"},
    Integration{"codebuild", "batchGetReports"},
    Integration{"codebuild", "startBuildBatch"},
    Integration{"databrew", "startJobRun"},
    Integration{"apigateway", "invoke"},
    Integration{"http", "invoke"},
    Integration{"bedrock", "invokeModel"},
    Integration{"bedrock", "createModelCustomizationJob"},
    Integration{"mediaconvert", "createJob"},
    Integration{"eks", "createCluster"},
    Integration{"eks", "deleteCluster"},
    Integration{"eks", "createNodegroup"},
    Integration{"eks", "deleteNodegroup"},
    Integration{"eks", "createFargateProfile"},
    Integration{"eks", "deleteFargateProfile"},
    Integration{"eks", "runJob"},
    Integration{"eks", "call"},
    Integration{"elasticmapreduce", "createCluster"},
    Integration{"elasticmapreduce", "terminateCluster"},
    Integration{"elasticmapreduce", "addStep"},
    Integration{"elasticmapreduce", "cancelStep"},
    Integration{"elasticmapreduce", "setClusterTerminationProtection"},
    Integration{"elasticmapreduce", "modifyInstanceFleetByName"},
    Integration{"elasticmapreduce", "modifyInstanceGroupByName"},
    Integration{"emr-containers", "startJobRun"},
    Integration{"emr-containers", "createVirtualCluster"},
    Integration{"emr-containers", "deleteVirtualCluster"},
    Integration{"emr-serverless", "createApplication"},
    Integration{"emr-serverless", "startApplication"},
    Integration{"emr-serverless", "stopApplication"},
    Integration{"emr-serverless", "deleteApplication"},
    Integration{"emr-serverless", "startJobRun"},
    Integration{"emr-serverless", "cancelJobRun"},
    Integration{"sagemaker", "createTrainingJob"},
    Integration{"sagemaker", "createTransformJob"},
    Integration{"sagemaker", "createHyperParameterTuningJob"},
    Integration{"sagemaker", "createLabelingJob"},
    Integration{"sagemaker", "createProcessingJob"},
    Integration{"sagemaker", "createModel"},
    Integration{"sagemaker", "createEndpointConfig"},
    Integration{"sagemaker", "createEndpoint"},
    Integration{"sagemaker", "updateEndpoint"},
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool knownPartition(std::string_view p) {
  return p == "aws" || p == "aws-cn" || p == "aws-us-gov" || p == "aws-iso" || p == "aws-iso-b";
}

bool isValidResource(std::string_view arn) {
  auto parts = split(arn, ':');
  if (parts.size() < 6 || parts[0] != "arn" || !knownPartition(parts[1])) return false;
  std::string_view service = parts[2];
  if (service == "lambda") {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    return parts.size() >= 7 && parts.size() <= 8 && parts[5] == "function" && !parts[3].empty() &&
           !parts[4].empty() && !parts[6].empty();
  }
  if (service != "states") return false;
  if (!parts[3].empty() || !parts[4].empty()) {
    // arn:aws:states:region:account:activity:name
    return parts.size() == 7 && parts[5] == "activity" && !parts[6].empty();
  }
  if (parts[5] == "aws-sdk") {
    // arn:aws:states:::aws-sdk:<service>:<action>
    return parts.size() == 8 && !parts[6].empty() && !parts[7].empty();
  }
  if (parts.size() != 7) return false;
  for (const auto& i : kIntegrations) {
    if (i.service == parts[5] && i.action == parts[6]) return true;
  }
  return false;
}

}  // namespace

void checkTaskResource(CompileContext& ctx, const std::string& resource, const std::string& loc,
                       TaskSpec& spec) {
  spec.resourceAsWritten = resource;
  spec.resource = resource;
  std::string_view suffix;
  auto strip = [&](std::string_view s, IntegrationPattern pattern) {
    if (spec.resource.size() > s.size() &&
        std::string_view(spec.resource).substr(spec.resource.size() - s.size()) == s) {
      spec.resource.resize(spec.resource.size() - s.size());
      spec.pattern = pattern;
      suffix = s;
      return true;
    }
    return false;
  };
  if (resource.rfind("arn:", 0) == 0 && resource.find(":states:::") != std::string::npos) {
    strip(".sync:2", IntegrationPattern::Sync2) || strip(".sync", IntegrationPattern::Sync) ||
        strip(".waitForTaskToken", IntegrationPattern::WaitForTaskToken);
  }
  if (!isValidResource(spec.resource)) {
    ctx.schema("The resource provided " + resource +
                   " is not recognized. The value is not a valid resource ARN, or the resource "
                   "is not available in this region.",
               loc);
    return;
  }
  if (ctx.options.express && !suffix.empty()) {
    std::string_view shown = suffix == ".sync:2" ? ".sync" : suffix;
    ctx.schema(
        "Express state machine does not support '" + std::string(shown) + "' service integration ",
        loc);
  }
}

}  // namespace sluice::asl::detail
