#include "gateway/http_server.hpp"

#include <strings.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <set>

namespace sluice::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServerOptions& options, HttpHandler handler,
          std::function<void(Session*)> onClose)
      : stream_(std::move(socket)),
        options_(options),
        handler_(std::move(handler)),
        onClose_(std::move(onClose)) {
    // Beast reads at most what the buffer can take without growing (from 512
    // bytes): room for 64 KiB makes a large body 64 KiB reads, not 512-byte ones.
    buffer_.reserve(kReadBufferBytes);
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Graceful shutdown: finish the request in flight, then close.
  void shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

 private:
  void read() {
    if (closing_) return close();
    header_.emplace();
    // The size is judged in onHeader (refused, in memory, or streamed).
    header_->body_limit(boost::none);
    header_->header_limit(options_.maxHeaderBytes);
    http::async_read_header(
        stream_, buffer_, *header_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onRead(ec);
    const auto& h = header_->get();
    auto length = header_->content_length();
    std::optional<AwsChunkedOptions> chunked =
        awsChunkedFraming(h["x-amz-content-sha256"], h[http::field::content_encoding]);
    // What the body will be once decoded: the size S3 limits.
    uint64_t proposed = length.value_or(0);
    if (auto decoded = h["x-amz-decoded-content-length"]; chunked && !decoded.empty()) {
      proposed = std::strtoull(std::string(decoded).c_str(), nullptr, 10);
    }
    if (proposed > options_.maxDecodedBodyBytes || length.value_or(0) > options_.maxBodyBytes) {
      // Refused before a byte of it is read; the unread body ends the connection.
      keepAlive_ = false;
      return dispatch(
          requestFromHeader(h),
          AwsError{"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400}
              .with("ProposedSize", std::to_string(proposed))
              .with("MaxSizeAllowed", std::to_string(options_.maxDecodedBodyBytes)));
    }
    bool spill = !options_.spillDir.empty() && length && proposed > options_.spillThreshold;
    continueThen([self = shared_from_this(), spill, chunked] {
      if (spill) return self->streamBody(chunked);
      self->parser_.emplace(std::move(*self->header_));
      self->header_.reset();
      self->parser_->body_limit(self->options_.maxBodyBytes);
      self->readBody();
    });
  }

  // Clients that send "Expect: 100-continue" (botocore, for uploads) wait for
  // the interim response before sending the body.
  template <typename Next>
  void continueThen(Next next) {
    auto expect = header_->get()[http::field::expect];
    if (expect.size() == 12 && strncasecmp(expect.data(), "100-continue", 12) == 0) {
      auto interim =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      return http::async_write(stream_, *interim,
                               [self = shared_from_this(), interim, next = std::move(next)](
                                   beast::error_code ec, size_t) mutable {
                                 if (ec) return self->close();
                                 next();
                               });
    }
    next();
  }

  void readBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof) return close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      HttpResponse r;
      r.status = 413;
      r.headers = {{"Content-Type", "text/plain"}};
      r.body = "Request entity too large";
      keepAlive_ = false;
      return write(std::move(r));
    }
    if (ec) return close();
    auto msg = parser_->release();
    parser_.reset();
    keepAlive_ = msg.keep_alive();
    HttpRequest req = requestFromHeader(msg);
    req.body = std::move(msg.body());
    dispatch(std::move(req));
  }

  template <typename Fields>
  HttpRequest requestFromHeader(const Fields& msg) {
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());
    beast::error_code ignored;
    auto ep = stream_.socket().remote_endpoint(ignored);
    if (!ignored) req.remoteAddress = ep.address().to_string();
    return req;
  }

  void dispatch(HttpRequest req, std::optional<AwsError> bodyError = std::nullopt) {
    req.bodyError = std::move(bodyError);
    header_.reset();
    busy_ = true;
    auto self = shared_from_this();
    handler_(std::move(req), [self](HttpResponse r) {
      // The reply may come from another thread: hop back onto the stream's strand.
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  // ---- a large body, streamed to a spill file as it arrives ----

  // A large body on its way to a spill file, and the parser reading it.
  struct Spill {
    Spill(http::request_parser<http::empty_body>&& header, store::SpilledBody file,
          const BodySpill::Options& options)
        : parser(std::move(header)), sink(std::move(file), options) {}
    http::request_parser<http::buffer_body> parser;
    BodySpill sink;  // not movable: its decoder writes into it
  };

  void streamBody(std::optional<AwsChunkedOptions> chunked) {
    auto file = store::SpilledBody::create(options_.spillDir);
    if (!file) {
      keepAlive_ = false;
      return dispatch(requestFromHeader(header_->get()), file.error());
    }
    BodySpill::Options o;
    o.chunked = chunked;
    o.hashChunks = options_.hashStreamedBodies;
    o.hashBody = options_.hashStreamedBodies && !chunked &&
                 header_->get()["x-amz-content-sha256"].size() == 64;
    auto s = std::make_shared<Spill>(std::move(*header_), std::move(*file), o);
    header_.reset();
    s->parser.body_limit(boost::none);
    readSpill(s);
  }

  void readSpill(const std::shared_ptr<Spill>& s) {
    auto target = s->sink.buffer();
    auto& body = s->parser.get().body();
    body.data = target.data();
    body.size = target.size();
    body.more = true;
    http::async_read_some(
        stream_, buffer_, s->parser,
        [self = shared_from_this(), s, offered = target.size()](beast::error_code ec, size_t) {
          if (ec == http::error::need_buffer) ec = {};
          if (ec) return self->close();  // the client went away: the spill file goes too
          auto r = s->sink.received(offered - s->parser.get().body().size);
          if (r && !s->parser.is_done()) return self->readSpill(s);
          self->onSpilled(*s, std::move(r));
        });
  }

  void onSpilled(Spill& s, Result<void> r) {
    bool done = s.parser.is_done();
    auto msg = s.parser.release();
    HttpRequest req = requestFromHeader(msg);
    // A body not read to its end leaves the connection unusable.
    keepAlive_ = done && msg.keep_alive();
    if (!r) return dispatch(std::move(req), r.error());
    auto streamed = s.sink.finish();
    if (!streamed) return dispatch(std::move(req), streamed.error());
    req.streamed = std::move(*streamed);
    dispatch(std::move(req));
  }

  void write(HttpResponse r) {
    if (r.file && !r.headOnly) return writeFile(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (auto& [k, v] : r.headers) res->insert(k, v);
    if (r.headOnly) {
      // Keep the Content-Length the handler gave; send no body.
      if (r.file) res->content_length(r.file->length);
    } else {
      // 1xx, 204 and 304 answers carry no body (Beast refuses one).
      bool bodiless = (r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304;
      if (!bodiless) res->body() = std::move(r.body);
      res->prepare_payload();
    }
    res->keep_alive(keepAlive_ && !closing_);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        if (ec || !res->keep_alive()) return self->close();
                        self->read();
                      });
  }

  // A body read from a file region in slices, so a 64 MiB object costs one
  // slice of memory rather than 64 MiB.
  struct FileTransfer {
    http::response<http::buffer_body> res;
    std::optional<http::response_serializer<http::buffer_body>> serializer;
    FileRegion region;
    uint64_t sent = 0;
    std::vector<char> slice;
  };

  void writeFile(HttpResponse r) {
    auto t = std::make_shared<FileTransfer>();
    t->res.version(11);
    t->res.result(static_cast<unsigned>(r.status));
    for (auto& [k, v] : r.headers) t->res.insert(k, v);
    t->region = std::move(*r.file);
    t->res.content_length(t->region.length);
    t->res.keep_alive(keepAlive_ && !closing_);
    t->res.body().data = nullptr;
    t->res.body().more = true;
    t->slice.resize(std::min<uint64_t>(t->region.length, 1 << 20));
    t->serializer.emplace(t->res);
    http::async_write_header(stream_, *t->serializer,
                             [self = shared_from_this(), t](beast::error_code ec, size_t) {
                               if (ec) return self->close();
                               self->writeSlice(t);
                             });
  }

  void writeSlice(const std::shared_ptr<FileTransfer>& t) {
    uint64_t remaining = t->region.length - t->sent;
    size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, t->slice.size()));
    ssize_t n = 0;
    if (want > 0) {
      n = ::pread(t->region.file->get(), t->slice.data(), want,
                  static_cast<off_t>(t->region.offset + t->sent));
      // A short file cannot honour the Content-Length already sent.
      if (n <= 0) return close();
    }
    t->sent += static_cast<uint64_t>(n);
    t->res.body().data = want > 0 ? t->slice.data() : nullptr;
    t->res.body().size = static_cast<size_t>(n);
    t->res.body().more = t->sent < t->region.length;
    http::async_write(stream_, *t->serializer,
                      [self = shared_from_this(), t](beast::error_code ec, size_t) {
                        if (ec == http::error::need_buffer) ec = {};
                        if (ec) return self->close();
                        if (!t->serializer->is_done()) return self->writeSlice(t);
                        self->busy_ = false;
                        if (!t->res.keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    if (onClose_) onClose_(this);
  }

  beast::tcp_stream stream_;
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServerOptions& options_;
  HttpHandler handler_;
  std::function<void(Session*)> onClose_;
  bool keepAlive_ = true;
  bool busy_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(net::io_context& io, HttpServerOptions o, HttpHandler h)
      : io(io), options(std::move(o)), handler(std::move(h)), acceptor(net::make_strand(io)) {}

  void accept() {
    acceptor.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec,
                                                                            tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
        return self->accept();
      }
      socket.set_option(tcp::no_delay(true));
      std::weak_ptr<Impl> weak = self;
      auto session = std::make_shared<Session>(std::move(socket), self->options, self->handler,
                                               [weak](Session* s) {
                                                 if (auto impl = weak.lock()) impl->forget(s);
                                               });
      {
        std::lock_guard lock(self->mu);
        self->sessions.insert(session);
      }
      session->start();
      self->accept();
    });
  }

  void forget(Session* s) {
    std::lock_guard lock(mu);
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->get() == s) {
        sessions.erase(it);
        return;
      }
    }
  }

  net::io_context& io;
  HttpServerOptions options;
  HttpHandler handler;
  tcp::acceptor acceptor;
  std::mutex mu;
  std::set<std::shared_ptr<Session>> sessions;
};

HttpServer::HttpServer(net::io_context& io, HttpServerOptions options, HttpHandler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
  stop();
}

std::string HttpServer::start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return "invalid address '" + impl_->options.address + "': " + ec.message();
  tcp::endpoint ep(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + impl_->options.address + ":" +
           std::to_string(impl_->options.port) + ": " + ec.message();
  impl_->accept();
  return {};
}

void HttpServer::stop() {
  if (!impl_) return;
  net::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  std::set<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(impl_->mu);
    sessions = impl_->sessions;
  }
  for (auto& s : sessions) s->shutdown();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace sluice::gateway
