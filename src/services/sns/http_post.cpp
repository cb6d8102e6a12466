#include "services/sns/http_post.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "services/common/outbound.hpp"

namespace sluice::services::sns {

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
int exchange(Stream& stream, const Endpoint& e,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body) {
  http::request<http::string_body> req{http::verb::post, e.target, 11};
  req.set(http::field::host, e.authority);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return static_cast<int>(res.result_int());
}

}  // namespace

HttpPostResult httpPost(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        const std::string& body, std::chrono::seconds timeout,
                        asio::ssl::context* tls) {
  auto e = parseUrl(url);
  if (!e) return {0, "only http:// and https:// endpoints are delivered to"};
  if (e->tls && !tls) return {0, "no TLS client context"};
  try {
    asio::io_context io;
    tcp::socket socket(io);
    connectWithTimeout(socket, e->host, e->port, timeout);
    beast::error_code ec;
    if (!e->tls) {
      int status = exchange(socket, *e, headers, body);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      return {status, {}};
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
    verifyHostName(stream, e->host);
    stream.handshake(asio::ssl::stream_base::client);
    int status = exchange(stream, *e, headers, body);
    stream.shutdown(ec);  // the response is in: a failed close_notify changes nothing
    return {status, {}};
  } catch (const std::exception& ex) {
    return {0, ex.what()};
  }
}

}  // namespace sluice::services::sns
