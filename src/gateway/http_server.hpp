// The HTTP/1.1 front door: one port for every service. Keep-alive, pipelined
// requests answered in order, request size limits, graceful shutdown. It only
// moves bytes; what a request means is the gateway pipeline's business.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/file_region.hpp"

namespace sluice::gateway {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as received (percent-encoded)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remoteAddress;

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
  // Larger bodies get 413. Bodies are buffered in memory; the limit is S3's
  // largest single PUT (5 GiB) plus room for aws-chunked framing.
  uint64_t maxBodyBytes = (5ull << 30) + (64ull << 20);
  uint32_t maxHeaderBytes = 64 << 10;
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
