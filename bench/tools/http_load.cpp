// A small HTTP/1.1 load generator for Sluice's API benchmarks: one request
// (method, target, headers, body) sent over keep-alive connections on
// loopback, either as fast as the server answers (closed loop: maximum
// sustained rate) or at a fixed rate (open loop: each request has a scheduled
// send time and its latency counts from that time, so a slow server cannot
// hide its queueing — no coordinated omission). Bounded by --seconds.
//
//   sluice_http_load --port P --header 'X-Amz-Target: ...' --body '{...}'
//                    [--connections 16] [--seconds 5] [--rate 1000] [--requests N]
//
// --requests stops after N requests in all (filling a server for a restart
// benchmark); --seconds still bounds the run.
//
// A "%N" in the body becomes a counter (unique execution names). Prints one JSON line: requests,
// errors (non-2xx), rate, latency percentiles in milliseconds.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 4566;
  int connections = 16;
  double seconds = 5;
  double rate = 0;        // 0: closed loop
  uint64_t requests = 0;  // 0: no limit
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::string> headers;
  std::string body;
};

struct Result {
  std::vector<double> latenciesMs;
  uint64_t errors = 0;
};

int connectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::string buildRequest(const Options& o, uint64_t n) {
  std::string body = o.body;
  if (auto p = body.find("%N"); p != std::string::npos) body.replace(p, 2, std::to_string(n));
  std::string r = o.method + " " + o.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& h : o.headers) r += h + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return r;
}

// Reads one response; returns its status (0 on a broken connection).
int readResponse(int fd, std::string& buf) {
  size_t headerEnd;
  while ((headerEnd = buf.find("\r\n\r\n")) == std::string::npos) {
    char tmp[16384];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) return 0;
    buf.append(tmp, static_cast<size_t>(n));
  }
  int status = std::atoi(buf.c_str() + 9);
  size_t length = 0;
  std::string head = buf.substr(0, headerEnd);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto p = head.find("content-length:"); p != std::string::npos) {
    length = std::strtoull(head.c_str() + p + 15, nullptr, 10);
  }
  size_t total = headerEnd + 4 + length;
  while (buf.size() < total) {
    char tmp[16384];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) return 0;
    buf.append(tmp, static_cast<size_t>(n));
  }
  buf.erase(0, total);
  return status;
}

void worker(const Options& o, int index, std::atomic<uint64_t>& counter,
            std::atomic<uint64_t>& issued, Clock::time_point start, Result& out) {
  int fd = connectTo(o.port);
  std::string buf;
  auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  // Open loop: this connection's share of the rate, offset so connections interleave.
  double interval = o.rate > 0 ? o.connections / o.rate : 0;
  auto next = start + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(interval * index / o.connections));
  while (true) {
    Clock::time_point scheduled = Clock::now();
    if (o.rate > 0) {
      if (next >= end) break;
      std::this_thread::sleep_until(next);
      scheduled = next;
      next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
    } else if (scheduled >= end) {
      break;
    }
    if (o.requests > 0 && issued.fetch_add(1) >= o.requests) break;
    std::string request = buildRequest(o, counter.fetch_add(1));
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) break;
    int status = readResponse(fd, buf);
    if (status == 0) break;
    if (status < 200 || status > 299) ++out.errors;
    out.latenciesMs.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count());
  }
  close(fd);
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      o.port = std::stoi(v);
    else if (k == "--connections")
      o.connections = std::stoi(v);
    else if (k == "--seconds")
      o.seconds = std::stod(v);
    else if (k == "--rate")
      o.rate = std::stod(v);
    else if (k == "--method")
      o.method = v;
    else if (k == "--target")
      o.target = v;
    else if (k == "--header")
      o.headers.push_back(v);
    else if (k == "--body")
      o.body = v;
    else if (k == "--requests")
      o.requests = std::stoull(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::atomic<uint64_t> counter{
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count())};
  std::atomic<uint64_t> issued{0};
  std::vector<Result> results(static_cast<size_t>(o.connections));
  std::vector<std::thread> threads;
  auto start = Clock::now() + std::chrono::milliseconds(50);
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back(worker, std::cref(o), i, std::ref(counter), std::ref(issued), start,
                         std::ref(results[static_cast<size_t>(i)]));
  }
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  uint64_t errors = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latenciesMs.begin(), r.latenciesMs.end());
    errors += r.errors;
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "{\"requests\": %zu, \"errors\": %llu, \"rate\": %.0f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
      "\"p99_ms\": %.3f, \"max_ms\": %.3f}\n",
      all.size(), static_cast<unsigned long long>(errors), static_cast<double>(all.size()) / wall,
      percentile(all, 50), percentile(all, 90), percentile(all, 99), all.empty() ? 0 : all.back());
  return 0;
}
