#include "services/common/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "services/common/outbound.hpp"

namespace sluice::services {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Endpoint {
  bool tls = false;
  std::string authority, host, port, target;
};

std::optional<Endpoint> parseUrl(const std::string& url) {
  Endpoint e;
  std::string rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
    e.tls = true;
  } else {
    return std::nullopt;
  }
  auto slash = rest.find('/');
  e.authority = rest.substr(0, slash);
  e.target = slash == std::string::npos ? "/" : rest.substr(slash);
  e.host = e.authority;
  e.port = e.tls ? "443" : "80";
  if (auto colon = e.authority.rfind(':');
      colon != std::string::npos && e.authority.find(']', colon) == std::string::npos) {
    e.host = e.authority.substr(0, colon);
    e.port = e.authority.substr(colon + 1);
  }
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
    e.host = e.host.substr(1, e.host.size() - 2);  // an IPv6 literal
  }
  return e;
}

template <typename Stream>
HttpResult exchange(Stream& stream, const std::string& method, const Endpoint& e,
                    const HttpHeaders& headers, const std::string& body) {
  http::request<http::string_body> req{http::string_to_verb(method), e.target, 11};
  req.set(http::field::host, e.authority);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024ull * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto res = parser.release();
  return {static_cast<int>(res.result_int()), {}, std::move(res.body())};
}

}  // namespace

HttpResult httpRequest(const std::string& method, const std::string& url,
                       const HttpHeaders& headers, const std::string& body,
                       std::chrono::seconds timeout, asio::ssl::context* tls) {
  auto e = parseUrl(url);
  if (!e) return {0, "only http:// and https:// endpoints can be reached", {}};
  if (e->tls && !tls) return {0, "no TLS client context", {}};
  try {
    asio::io_context io;
    tcp::socket socket(io);
    connectWithTimeout(socket, e->host, e->port, timeout);
    beast::error_code ec;
    if (!e->tls) {
      HttpResult r = exchange(socket, method, *e, headers, body);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      return r;
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
    verifyHostName(stream, e->host);
    stream.handshake(asio::ssl::stream_base::client);
    HttpResult r = exchange(stream, method, *e, headers, body);
    stream.shutdown(ec);  // the response is in: a failed close_notify changes nothing
    return r;
  } catch (const std::exception& ex) {
    return {0, ex.what(), {}};
  }
}

}  // namespace sluice::services
