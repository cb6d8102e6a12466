// `sluice deploy TEMPLATE`: `aws cloudformation package` and `deploy` in one
// command, against a running Sluice (or any CloudFormation endpoint).
//
// Local paths in the template — a function's Code or CodeUri, a layer's
// Content, a state machine's DefinitionS3Location or DefinitionUri, a Glue
// job's Command.ScriptLocation — are uploaded to an S3 bucket (a folder is
// zipped) and replaced by their S3 location; then the stack is created or
// updated through a change set, the deployment waited for, and the stack's
// outputs printed. The exit status is 0 when the stack is deployed (or was
// already up to date), 1 when the deployment failed, 2 for bad arguments.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "cli/aws_client.hpp"
#include "cli/commands.hpp"
#include "core/digest.hpp"
#include "core/json.hpp"
#include "services/cloudformation/template.hpp"
#include "services/lambda/zip_writer.hpp"

namespace sluice::cli {

namespace {

namespace fs = std::filesystem;

struct DeployArgs {
  std::string templatePath;
  std::string stackName;
  std::vector<std::string> parameterOverrides;
  std::vector<std::string> capabilities{"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"};
  std::string bucket = "sluice-deployments";
  std::string endpoint;
  std::string region;
};

constexpr const char* kVersion = "2010-05-15";

// Uploads local artifacts named in a template and rewrites their references.
class Packager {
 public:
  Packager(const AwsClient& client, std::string bucket, fs::path base)
      : client_(client), bucket_(std::move(bucket)), base_(std::move(base)) {}

  Result<void> package(Json& body) {
    Json* resources = body.as_object().if_contains("Resources");
    if (!resources || !resources->is_object()) return {};
    for (auto& kv : resources->as_object()) {
      if (!kv.value().is_object()) continue;
      std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
      Json* props = kv.value().as_object().if_contains("Properties");
      if (!props || !props->is_object()) continue;
      JsonObject& p = props->as_object();
      Result<void> done;
      if (type == "AWS::Lambda::Function") {
        done = replace(p, "Code", true, [](const std::string& b, const std::string& k) {
          return Json(JsonObject{{"S3Bucket", b}, {"S3Key", k}});
        });
      } else if (type == "AWS::Lambda::LayerVersion") {
        done = replace(p, "Content", true, [](const std::string& b, const std::string& k) {
          return Json(JsonObject{{"S3Bucket", b}, {"S3Key", k}});
        });
      } else if (type == "AWS::StepFunctions::StateMachine") {
        done = replace(p, "DefinitionS3Location", false,
                       [](const std::string& b, const std::string& k) {
                         return Json(JsonObject{{"Bucket", b}, {"Key", k}});
                       });
      } else if (type == "AWS::Serverless::Function") {
        done = replace(p, "CodeUri", true, [](const std::string& b, const std::string& k) {
          return Json("s3://" + b + "/" + k);
        });
      } else if (type == "AWS::Serverless::LayerVersion") {
        done = replace(p, "ContentUri", true, [](const std::string& b, const std::string& k) {
          return Json("s3://" + b + "/" + k);
        });
      } else if (type == "AWS::Serverless::StateMachine") {
        done = replace(p, "DefinitionUri", false, [](const std::string& b, const std::string& k) {
          return Json(JsonObject{{"Bucket", b}, {"Key", k}});
        });
      } else if (type == "AWS::Glue::Job") {
        if (Json* command = p.if_contains("Command"); command && command->is_object()) {
          done = replace(command->as_object(), "ScriptLocation", false,
                         [](const std::string& b, const std::string& k) {
                           return Json("s3://" + b + "/" + k);
                         });
        }
      }
      if (!done) return done;
    }
    return {};
  }

 private:
  template <typename Location>
  Result<void> replace(JsonObject& props, const char* member, bool zip, Location location) {
    Json* v = props.if_contains(member);
    if (!v || !v->is_string()) return {};
    std::string given(v->as_string());
    if (given.starts_with("s3://") || given.starts_with("https://")) return {};
    fs::path path = base_ / given;
    std::error_code ec;
    std::string bytes, error;
    if (fs::is_directory(path, ec)) {
      auto packed = services::lambda::zipDirectory(path);
      if (!packed) return packed.takeError();
      bytes = std::move(*packed);
    } else if (!readFile(path.string(), bytes, error)) {
      return AwsError{"InvalidArgument", std::string(member) + ": " + error, 2};
    } else if (zip && path.extension() != ".zip" && path.extension() != ".jar") {
      auto packed = services::lambda::zipEntries({{path.filename().string(), bytes, false}});
      if (!packed) return packed.takeError();
      bytes = std::move(*packed);
    }
    std::string key = *hexDigest("SHA-256", bytes);
    if (zip) key += ".zip";
    if (!path.extension().empty() && !zip) key += path.extension().string();
    if (auto put = client_.putObject(bucket_, key, bytes); !put) return put;
    std::cout << "Uploaded " << given << " to s3://" << bucket_ << "/" << key << "\n";
    *v = location(bucket_, key);
    return {};
  }

  const AwsClient& client_;
  std::string bucket_;
  fs::path base_;
};

void addList(QueryParams& params, const std::string& name, const std::vector<std::string>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    params.emplace_back(name + ".member." + std::to_string(i + 1), items[i]);
  }
}

bool deploying(const std::string& status) {
  return status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS";
}

int fail(const AwsError& e) {
  std::cerr << "sluice deploy: " << (e.code.empty() ? "" : e.code + ": ") << e.message << "\n";
  return 1;
}

int deploy(const DeployArgs& args) {
  AwsClientOptions options = AwsClientOptions::fromEnvironment();
  if (!args.endpoint.empty()) options.endpoint = args.endpoint;
  if (!args.region.empty()) options.region = args.region;
  AwsClient client(options);

  std::string text, error;
  if (!readFile(args.templatePath, text, error)) {
    std::cerr << "sluice deploy: " << error << "\n";
    return 2;
  }
  auto body = services::cloudformation::parseTemplateText(text);
  if (!body) return fail(body.error());
  std::map<std::string, std::string> overrides;
  for (const auto& o : args.parameterOverrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) {
      std::cerr << "sluice deploy: --parameter-overrides takes KEY=VALUE, not " << o << "\n";
      return 2;
    }
    overrides[o.substr(0, eq)] = o.substr(eq + 1);
  }
  std::string stack = args.stackName;
  if (stack.empty()) stack = fs::path(args.templatePath).stem().string();

  if (auto b = client.ensureBucket(args.bucket); !b) return fail(b.error());
  Packager packager(client, args.bucket, fs::path(args.templatePath).parent_path());
  if (auto p = packager.package(*body); !p) return fail(p.error());

  // CREATE, or UPDATE keeping the values of parameters not overridden.
  std::string changeSetType = "CREATE";
  std::set<std::string> previous;
  if (auto described =
          client.query("cloudformation", kVersion, "DescribeStacks", {{"StackName", stack}})) {
    const gateway::XmlElement* members = described->child("Stacks");
    const gateway::XmlElement* s = members ? members->child("member") : nullptr;
    if (s && xmlText(*s, {"StackStatus"}) != "REVIEW_IN_PROGRESS") {
      changeSetType = "UPDATE";
      if (const gateway::XmlElement* ps = s->child("Parameters")) {
        for (const auto* m : ps->childrenNamed("member")) {
          previous.insert(xmlText(*m, {"ParameterKey"}));
        }
      }
    }
  } else if (described.error().message.find("does not exist") == std::string::npos) {
    return fail(described.error());
  }
  QueryParams params{
      {"StackName", stack},
      {"ChangeSetName",
       "sluice-deploy-" + std::to_string(std::chrono::system_clock::now().time_since_epoch() /
                                         std::chrono::milliseconds(1))},
      {"ChangeSetType", changeSetType},
      {"TemplateBody", toJsonText(*body)}};
  addList(params, "Capabilities", args.capabilities);
  size_t n = 0;
  if (const Json* declared = jsonAt(*body, {"Parameters"}); declared && declared->is_object()) {
    for (const auto& kv : declared->as_object()) {
      std::string key(kv.key());
      std::string prefix = "Parameters.member." + std::to_string(++n) + ".";
      params.emplace_back(prefix + "ParameterKey", key);
      if (auto o = overrides.find(key); o != overrides.end()) {
        params.emplace_back(prefix + "ParameterValue", o->second);
        overrides.erase(o);
      } else if (previous.count(key)) {
        params.emplace_back(prefix + "UsePreviousValue", "true");
      } else {
        --n;
        params.resize(params.size() - 1);
      }
    }
  }
  if (!overrides.empty()) {
    std::cerr << "sluice deploy: the template has no parameter " << overrides.begin()->first
              << "\n";
    return 2;
  }
  auto created = client.query("cloudformation", kVersion, "CreateChangeSet", params);
  if (!created) return fail(created.error());
  std::string changeSet = xmlText(*created, {"Id"});
  auto cs =
      client.query("cloudformation", kVersion, "DescribeChangeSet", {{"ChangeSetName", changeSet}});
  if (!cs) return fail(cs.error());
  if (xmlText(*cs, {"Status"}) == "FAILED") {
    std::string reason = xmlText(*cs, {"StatusReason"});
    if (reason.find("didn't contain changes") != std::string::npos) {
      (void)client.query("cloudformation", kVersion, "DeleteChangeSet",
                         {{"ChangeSetName", changeSet}});
      std::cout << "No changes to deploy. Stack " << stack << " is up to date\n";
      return 0;
    }
    std::cerr << "sluice deploy: the change set failed: " << reason << "\n";
    return 1;
  }
  auto executed =
      client.query("cloudformation", kVersion, "ExecuteChangeSet", {{"ChangeSetName", changeSet}});
  if (!executed) return fail(executed.error());

  std::string status;
  gateway::XmlElement stackXml;
  for (;;) {
    auto described =
        client.query("cloudformation", kVersion, "DescribeStacks", {{"StackName", stack}});
    if (!described) return fail(described.error());
    const gateway::XmlElement* stacks = described->child("Stacks");
    const gateway::XmlElement* s = stacks ? stacks->child("member") : nullptr;
    if (!s) return fail({"ValidationError", "the stack vanished", 0});
    status = xmlText(*s, {"StackStatus"});
    stackXml = *s;
    if (!deploying(status)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (status != "CREATE_COMPLETE" && status != "UPDATE_COMPLETE") {
    std::cerr << "sluice deploy: stack " << stack << " is " << status << "\n";
    auto events =
        client.query("cloudformation", kVersion, "DescribeStackEvents", {{"StackName", stack}});
    if (events) {
      if (const gateway::XmlElement* list = events->child("StackEvents")) {
        for (const auto* e : list->childrenNamed("member")) {
          std::string s = xmlText(*e, {"ResourceStatus"});
          if (s.ends_with("_FAILED")) {
            std::cerr << "  " << xmlText(*e, {"LogicalResourceId"}) << " " << s << ": "
                      << xmlText(*e, {"ResourceStatusReason"}) << "\n";
          }
        }
      }
    }
    return 1;
  }
  std::cout << "Successfully created/updated stack - " << stack << "\n";
  if (const gateway::XmlElement* outputs = stackXml.child("Outputs")) {
    for (const auto* o : outputs->childrenNamed("member")) {
      std::cout << "  " << xmlText(*o, {"OutputKey"}) << " = " << xmlText(*o, {"OutputValue"})
                << "\n";
    }
  }
  return 0;
}

}  // namespace

Action addDeployCommand(CLI::App& app) {
  auto args = std::make_shared<DeployArgs>();
  auto* cmd = app.add_subcommand(
      "deploy", "Package a CloudFormation template's local code and deploy it as a stack");
  cmd->add_option("template", args->templatePath, "Template file (JSON or YAML)")->required();
  cmd->add_option("--stack-name", args->stackName, "Stack name (default: the template's name)");
  cmd->add_option("--parameter-overrides", args->parameterOverrides, "KEY=VALUE ...");
  cmd->add_option("--capabilities", args->capabilities,
                  "Capabilities acknowledged (default: CAPABILITY_IAM CAPABILITY_NAMED_IAM)");
  cmd->add_option("--s3-bucket", args->bucket, "Bucket for packaged artifacts")
      ->default_val("sluice-deployments");
  cmd->add_option("--endpoint-url", args->endpoint,
                  "Server (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)");
  cmd->add_option("--region", args->region, "Region (default: $AWS_REGION, us-east-1)");
  return [args]() -> int { return deploy(*args); };
}

}  // namespace sluice::cli
