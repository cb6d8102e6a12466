// `sluice server`: every service on one HTTP port.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "engine/event_loop.hpp"
#include "gateway/admin.hpp"
#include "gateway/gateway.hpp"
#include "gateway/http_server.hpp"
#include "gateway/runtime_api_server.hpp"
#include "services/builtin.hpp"
#include "services/glue/glue_service.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/s3/restore_delays.hpp"
#include "store/data_dir.hpp"
#include "store/sqlite/settings.hpp"

namespace sluice::cli {

namespace {

struct ServerArgs {
  std::string address = "127.0.0.1";
  uint16_t port = 4566;
  std::string dataDir = ".sluice";
  std::string clock = "real";
  std::string credentialsFile;
  std::string s3RestoreDelays;
  int executionRetentionDays = 90;
  std::string smtp;    // host:port of the SMTP relay for SNS email; empty: the outbox
  std::string caFile;  // PEM CAs trusted for outbound TLS besides the system's
  std::string account = "000000000000";
};

// An AWS shared-credentials style file: [profile] sections with
// aws_access_key_id / aws_secret_access_key; every profile's keys are accepted.
bool loadCredentials(const std::string& path, gateway::CredentialStore& store, std::string& err) {
  std::ifstream in(path);
  if (!in) {
    err = "cannot read credentials file '" + path + "'";
    return false;
  }
  std::string line, id, secret;
  auto flush = [&] {
    if (!id.empty() && !secret.empty()) store.add({id, secret});
    id.clear();
    secret.clear();
  };
  auto trim = [](std::string s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      flush();
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") id = value;
    if (key == "aws_secret_access_key") secret = value;
  }
  flush();
  if (store.empty()) {
    err = "no aws_access_key_id / aws_secret_access_key pair in '" + path + "'";
    return false;
  }
  return true;
}

constexpr std::string_view kVirtualClockKey = "clock.virtual";  // epoch microseconds

std::optional<TimePoint> storedVirtualTime(store::sqlite::SqliteStore& store) {
  auto lease = store.readers().acquire();
  if (!lease) return std::nullopt;
  auto value = store::sqlite::readSetting(lease->db(), kVirtualClockKey);
  if (!value || !*value) return std::nullopt;
  return TimePoint(Duration(std::stoll(**value)));
}

int runServer(const ServerArgs& args) {
  gateway::GatewayOptions options;
  options.defaultAccount = args.account;
  std::string err;
  if (!args.credentialsFile.empty() &&
      !loadCredentials(args.credentialsFile, options.credentials, err)) {
    std::cerr << "sluice server: " << err << "\n";
    return 2;
  }
  const char* envId = std::getenv("SLUICE_ACCESS_KEY_ID");
  const char* envSecret = std::getenv("SLUICE_SECRET_ACCESS_KEY");
  if (envId && envSecret && *envId && *envSecret) options.credentials.add({envId, envSecret});

  auto dataDir = store::DataDir::open(args.dataDir);
  if (!dataDir) {
    std::cerr << "sluice server: data directory '" << args.dataDir
              << "': " << dataDir.error().message << "\n";
    return 1;
  }
  auto components = services::builtinStoreComponents();
  components.push_back(store::sqlite::settingsComponent());
  auto store = store::sqlite::SqliteStore::open(dataDir->databasePath(), components);
  if (!store) {
    std::cerr << "sluice server: " << store.error().message << "\n";
    return 1;
  }

  std::unique_ptr<Clock> clock;
  ManualClock* manual = nullptr;
  if (args.clock == "virtual") {
    // The virtual time never runs backwards across a restart.
    TimePoint start = SystemClock().now();
    if (auto stored = storedVirtualTime(**store); stored && *stored > start) start = *stored;
    auto m = std::make_unique<ManualClock>(start);
    manual = m.get();
    clock = std::move(m);
  } else {
    clock = std::make_unique<SystemClock>();
  }
  engine::EventLoop loop(
      *clock,
      [manual](TimePoint t) {
        if (manual) manual->set(t);
      },
      /*autoAdvance=*/false);
  IdGenerator ids;
  engine::IntegrationRegistry integrations;
  engine::TaskTokens tokens(ids);
  services::OperationRegistry registry;
  if (auto delays = services::s3::RestoreDelays::parse(args.s3RestoreDelays); !delays) {
    std::cerr << "sluice server: " << delays.error().message << "\n";
    return 1;
  }
  auto builtins = services::registerBuiltinServices(
      registry, {{loop, integrations, ids, &tokens},
                 *clock,
                 store->get(),
                 dataDir->root(),
                 args.s3RestoreDelays,
                 {args.smtp, args.caFile},
                 std::chrono::hours(24 * args.executionRetentionDays)});
  if (!builtins) {
    std::cerr << "sluice server: cannot load the data directory: " << builtins.error().message
              << "\n";
    return 1;
  }

  boost::asio::io_context io(1);
  store::sqlite::WriteQueue& writer = (*store)->writer();
  auto clockMoved = [&writer, &loop](TimePoint now, std::function<void()> done) {
    std::string value = std::to_string(now.time_since_epoch().count());
    writer.submit(
        [value](store::sqlite::Database& db) {
          return store::sqlite::writeSetting(db, kVirtualClockKey, value);
        },
        [&loop, done](Result<void>) { loop.post(done); });
  };
  gateway::Gateway gw(registry, *clock, ids, options,
                      gateway::makeAdminHandler(*clock, loop, clockMoved, &writer,
                                                dataDir->root() / "lambda" / "code"));
  gateway::HttpServerOptions httpOptions;
  httpOptions.address = args.address;
  httpOptions.port = args.port;
  // Large request bodies stream to disk beside the object files.
  httpOptions.spillDir = dataDir->spillDir();
  httpOptions.hashStreamedBodies = !options.credentials.empty();
  gateway::HttpServer http(io, httpOptions,
                           [&gw](gateway::HttpRequest req, gateway::HttpReply reply) {
                             gw.handle(std::move(req), std::move(reply));
                           });
  if (auto e = http.start(); !e.empty()) {
    std::cerr << "sluice server: " << e << "\n";
    return 1;
  }

  // Functions run as local processes that reach this server as their AWS
  // endpoint, and its Runtime API on loopback.
  services::lambda::LambdaRuntimeOptions lambdaOptions;
  lambdaOptions.endpoints = gateway::runtimeEndpointFactory(io);
  std::string reachable =
      args.address == "0.0.0.0" || args.address == "::" ? "127.0.0.1" : args.address;
  lambdaOptions.endpointUrl = "http://" + reachable + ":" + std::to_string(http.port());
  if (const auto* keys = options.credentials.any()) {
    lambdaOptions.accessKeyId = keys->accessKeyId;
    lambdaOptions.secretAccessKey = keys->secretAccessKey;
  }
  // Glue's Python shell jobs reach it the same way.
  services::glue::ScriptRuntime scripts;
  scripts.endpointUrl = lambdaOptions.endpointUrl;
  scripts.accessKeyId = lambdaOptions.accessKeyId;
  scripts.secretAccessKey = lambdaOptions.secretAccessKey;
  (*builtins)->glue->setScriptRuntime(std::move(scripts));
  (*builtins)->lambda->startRuntime(std::move(lambdaOptions));

  // The engine loop runs until shutdown; the server counts as outside work so
  // an idle loop waits instead of returning.
  bool stopping = false;
  loop.beginExternal();
  std::thread engineThread([&] { loop.runUntil([&] { return stopping; }); });

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    http.stop();
    loop.post([&] { stopping = true; });
    loop.endExternal();
    io.stop();
  });
  std::cout << "sluice server listening on http://" << args.address << ":" << http.port()
            << " (clock: " << args.clock
            << (options.credentials.empty() ? ", any signature accepted" : ", signatures verified")
            << ")" << std::endl;
  // A bug that throws out of a request handler is reported and the server
  // goes on serving; it never takes the other requests down with it.
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      std::cerr << "sluice server: a request handler failed: " << e.what() << std::endl;
    }
  }
  engineThread.join();
  (*builtins)->lambda->stopRuntime();
  return 0;
}

}  // namespace

Action addServerCommand(CLI::App& app) {
  auto args = std::make_shared<ServerArgs>();
  auto* cmd = app.add_subcommand("server", "Serve the AWS APIs on one HTTP port");
  cmd->add_option("--address", args->address, "Address to listen on");
  cmd->add_option("--port", args->port, "Port to listen on (0: any free port)");
  cmd->add_option("--data-dir", args->dataDir, "Directory for all state");
  cmd->add_option("--clock", args->clock, "real, or virtual (moved by POST /_sluice/clock/advance)")
      ->check(CLI::IsMember({"real", "virtual"}));
  cmd->add_option("--s3-restore-delays", args->s3RestoreDelays,
                  "S3 restore times in seconds, e.g. GLACIER.Expedited=60,DEEP_ARCHIVE.Bulk=3600, "
                  "ARCHIVE_ACCESS.Standard=60 (default: AWS's upper bounds)");
  cmd->add_option("--execution-retention-days", args->executionRetentionDays,
                  "Days closed Step Functions executions are kept before they are deleted "
                  "(default 90, as on AWS)")
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--account", args->account,
                  "The 12-digit account id requests act in (default 000000000000)")
      ->check([](const std::string& v) {
        return v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos
                   ? std::string()
                   : std::string("an account id is 12 digits");
      });
  cmd->add_option("--credentials", args->credentialsFile,
                  "AWS credentials file whose keys are accepted; signatures are then verified");
  cmd->add_option("--smtp", args->smtp,
                  "HOST:PORT of an SMTP relay for SNS email subscriptions (default: write "
                  "<data-dir>/outbox/*.eml)")
      ->envname("SLUICE_SMTP");
  cmd->add_option("--ca-file", args->caFile,
                  "PEM file of CA certificates to trust (besides the system's) for https "
                  "endpoints and SMTP STARTTLS")
      ->envname("SLUICE_CA_FILE");
  return [args] { return runServer(*args); };
}

}  // namespace sluice::cli
