// The HTTP/1.1 front door: one port for every service. Keep-alive, pipelined
// requests answered in order, request size limits, graceful shutdown. It only
// moves bytes; what a request means is the gateway pipeline's business.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/file_region.hpp"
#include "gateway/body_spill.hpp"

namespace sluice::gateway {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as received (percent-encoded)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remoteAddress;
  // The body, when it was streamed to a file (then `body` is empty).
  std::optional<StreamedBody> streamed = std::nullopt;
  // Set when the body was refused or could not be read whole (too large,
  // broken aws-chunked framing, a spill file that cannot be written): the
  // answer is this error, and the connection closes after it.
  std::optional<AwsError> bodyError = std::nullopt;

  // First header with this name (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is this file region (streamed, never held in memory)
  // and `body` is ignored.
  std::optional<FileRegion> file;
  // An answer to HEAD: the headers (Content-Length included, when given)
  // describe a body that is not sent.
  bool headOnly = false;
};

using HttpReply = std::function<void(HttpResponse)>;
// Called on an I/O thread; `reply` may be called from any thread, once.
using HttpHandler = std::function<void(HttpRequest, HttpReply)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 4566;
  // Larger bodies (as sent) are not read: the request carries bodyError
  // EntityTooLarge. S3's largest single PUT (5 GiB) plus room for aws-chunked
  // framing.
  uint64_t maxBodyBytes = (5ull << 30) + (64ull << 20);
  // Larger bodies once decoded (x-amz-decoded-content-length for aws-chunked,
  // else Content-Length) are refused the same way: S3's largest single PUT.
  uint64_t maxDecodedBodyBytes = 5ull << 30;
  uint32_t maxHeaderBytes = 64 << 10;
  // Bodies whose Content-Length exceeds spillThreshold are written to a file
  // in spillDir as they arrive (aws-chunked framing decoded on the way)
  // rather than held in memory. Empty: every body is held in memory.
  std::filesystem::path spillDir;
  uint64_t spillThreshold = 8ull << 20;
  // Hash streamed bodies (each aws-chunked chunk, or the whole body when
  // x-amz-content-sha256 is a hash) so signatures can be checked afterwards:
  // worth its cost only when signatures are verified.
  bool hashStreamedBodies = false;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; returns an error message on failure.
  std::string start();
  // Stops accepting; open connections finish their current request and close.
  void stop();
  uint16_t port() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sluice::gateway
