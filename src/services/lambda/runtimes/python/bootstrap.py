"""Sluice's Python runtime for Lambda functions: a Runtime API client.

Started by the Lambda service with the function's environment and its code
as the working directory; serves invocations one at a time through AWS's
Runtime API (AWS_LAMBDA_RUNTIME_API) until the server stops answering. Only
the standard library is used, so any python3 on the machine serves any
python3.x runtime name.

With --fork-server it is instead the warm interpreter sandboxes are forked
from (services/lambda/fork_server.hpp has the protocol): each child takes on
its sandbox's environment, directory and output, then runs main() as a
started bootstrap would.
"""
import importlib
import json
import os
import socket
import sys
import time

BASE = "/2018-06-01/runtime"


class Response:
    def __init__(self, status, headers):
        self.status = status
        self.headers = headers

    def getheaders(self):
        return list(self.headers.items())


class RuntimeApi:
    """HTTP/1.1 on one keep-alive socket: the Runtime API is a handful of
    small requests, and http.client's imports alone cost a cold start more
    than all of this."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        # Resolved once here (the name service's libraries load on the first
        # lookup; a fork server has paid for that before forking).
        family, kind, proto, _, where = socket.getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM)[0]
        self.sock = socket.socket(family, kind, proto)
        self.sock.connect(where)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _read_until(self, marker):
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                sys.exit(0)  # the server went away
            self.buf += chunk
        head, _, self.buf = self.buf.partition(marker)
        return head

    def _read_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                sys.exit(0)
            self.buf += chunk
        body, self.buf = self.buf[:n], self.buf[n:]
        return body

    def call(self, method, path, body=None, headers=None):
        if isinstance(body, str):
            body = body.encode()
        body = body or b""
        lines = [f"{method} {BASE}{path} HTTP/1.1", "Host: runtime",
                 f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {}
        for line in head[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().title()] = v.strip()
        data = self._read_exactly(int(fields.get("Content-Length", "0")))
        return Response(status, fields), data

    def next(self):
        response, body = self.call("GET", "/invocation/next")
        if response.status != 200:
            sys.exit(0)  # the sandbox is being retired
        return response, body

    def post(self, path, payload, error_type=None):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.call("POST", path, payload, headers)


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        client_context = headers.get("Lambda-Runtime-Client-Context")
        self.client_context = json.loads(client_context) if client_context else None
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        self.identity = json.loads(identity) if identity else None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def user_frames(exc):
    """The traceback of the function's code, paths as the function sees them
    on AWS: the runtime's own frames dropped, the code directory shown as
    /var/task and layers as /opt."""
    import traceback
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "")
    layers = [p for p in os.environ.get("SLUICE_LAYER_ROOTS", "").split(":") if p]
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == __file__:
            continue
        for root, shown in [(task_root, "/var/task")] + [(l, "/opt") for l in layers]:
            if root and frame.filename.startswith(root + "/"):
                frame.filename = shown + frame.filename[len(root):]
                break
        frames.append(frame)
    return traceback.StackSummary.from_list(frames)


def error_object(exc, error_type=None, request_id=""):
    frames = user_frames(exc).format()
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": frames,
    }


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(spec):
    module_name, _, function_name = spec.rpartition(".")
    if not module_name or not function_name:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError",
                        f"Syntax error in module '{module_name}': {e}") from e
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError",
                        f"Unable to import module '{module_name}': {e}") from e
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound",
                        f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


class LogState:
    request_id = ""
    configured = False


def configure_logging():
    """Sets the root logger up as AWS's runtime does, once the function's code
    has imported logging (importing it ourselves would cost every cold start)."""
    if LogState.configured or "logging" not in sys.modules:
        return
    LogState.configured = True
    import logging

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = LogState.request_id
            return True

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    # The function's own handlers are replaced (a basicConfig() of its own is
    # a no-op on AWS, whose runtime configured logging first); its level stays.
    root.handlers = [handler]


def botocore_older_than_endpoint_env(version):
    """botocore before 1.31.57 (Debian 12 ships 1.29) ignores AWS_ENDPOINT_URL."""
    try:
        return tuple(int(p) for p in version.split(".")[:3]) < (1, 31, 57)
    except ValueError:
        return False


class EndpointDefault:
    """An import hook: when the function imports botocore.session and that
    botocore predates AWS_ENDPOINT_URL, clients it creates default to that
    endpoint, so boto3 inside a function reaches Sluice with no code change,
    as with a newer botocore. Nothing is imported unless the function does."""

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            import botocore
            if botocore_older_than_endpoint_env(botocore.__version__):
                default_endpoint(module.Session)
        spec.loader.exec_module = exec_module
        return spec


def default_endpoint(session_class):
    create = session_class.create_client

    def create_client(self, service_name, region_name=None, api_version=None, use_ssl=True,
                      verify=None, endpoint_url=None, *args, **kwargs):
        if endpoint_url is None:
            endpoint_url = os.environ.get("AWS_ENDPOINT_URL")
        return create(self, service_name, region_name, api_version, use_ssl, verify,
                      endpoint_url, *args, **kwargs)
    session_class.create_client = create_client


def main():
    if os.environ.get("AWS_ENDPOINT_URL"):
        sys.meta_path.insert(0, EndpointDefault())
    # Output is the function's log: unbuffered, so it is complete when the
    # response is posted.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except InitError as e:
        print(f"[ERROR] {e.error_type}: {e}", flush=True)
        body = {"errorMessage": str(e), "errorType": e.error_type, "requestId": "",
                "stackTrace": []}
        api.post("/init/error", json.dumps(body), e.error_type)
        sys.exit(1)
    configure_logging()
    while True:
        response, body = api.next()
        headers = {k: v for k, v in response.getheaders()}
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id", "")
        LogState.request_id = request_id
        configure_logging()
        try:
            event = json.loads(body) if body else {}
            result = handler(event, LambdaContext(headers))
        except Exception as e:  # the function's error goes back to its caller
            err = error_object(e, None, request_id)
            lines = ("Traceback (most recent call last):\n" + "".join(err["stackTrace"])).rstrip()
            print(f"[ERROR] {err['errorType']}: {err['errorMessage']}\n{lines}", flush=True)
            api.post(f"/invocation/{request_id}/error", json.dumps(err), "Unhandled")
            continue
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as e:
            err = {"errorMessage": f"Unable to marshal response: {e}",
                   "errorType": "Runtime.MarshalError", "requestId": request_id,
                   "stackTrace": []}
            print(f"[ERROR] Runtime.MarshalError: {err['errorMessage']}", flush=True)
            api.post(f"/invocation/{request_id}/error", json.dumps(err), "Runtime.MarshalError")
            continue
        api.post(f"/invocation/{request_id}/response", payload)


def serve_forks(control_fd):
    """The fork server's loop: a fork per request, an exit report per child."""
    import ctypes
    import select
    import signal
    libc = ctypes.CDLL(None, use_errno=True)
    control = socket.socket(fileno=control_fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    own_fds = [control_fd, wake_r, wake_w]
    socket.getaddrinfo("127.0.0.1", 9, type=socket.SOCK_STREAM)  # loads what lookups need, once

    def report_exits():
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            control.send(f"exit {pid} {code if code >= 0 else 128 - code}".encode())

    # Objects made so far are left out of collections: a child's collector
    # would otherwise touch (and so copy) every page the fork server shares.
    import gc
    gc.collect()
    gc.freeze()
    while True:
        ready, _, _ = select.select([control, wake_r], [], [])
        if wake_r in ready:
            os.read(wake_r, 4096)
            report_exits()
        if control not in ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 1 << 20, 1)
        if not message:
            os._exit(0)  # the Sluice server closed its end
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            control.send(b"error a fork request carries one descriptor")
            continue
        request = json.loads(message)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            become_sandbox(request, fds[0], own_fds, libc, parent)
        os.close(fds[0])
        control.send(f"pid {pid}".encode())


def read_only_view(libc, paths):
    """The function's code and layers read-only for this process alone, as
    /var/task and /opt are on AWS (sandbox_process.cpp does the same for
    started sandboxes); left writable where the machine refuses."""
    if not paths or libc.unshare(0x00020000) != 0:  # CLONE_NEWNS
        return
    import ctypes
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_void_p]
    ms_rdonly, ms_remount, ms_bind, ms_rec, ms_private = 1, 32, 4096, 16384, 1 << 18
    if libc.mount(None, b"/", None, ms_rec | ms_private, None) != 0:
        return
    for path in paths:
        p = path.encode()
        if libc.mount(p, p, None, ms_bind | ms_rec, None) == 0:
            libc.mount(None, p, None, ms_bind | ms_remount | ms_rdonly, None)


def become_sandbox(request, output_fd, own_fds, libc, parent):
    """In a forked child: take on the sandbox, run the runtime, never return."""
    import signal
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in own_fds:
            os.close(fd)
        os.setpgid(0, 0)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the fork server
        if os.getppid() != parent:
            os._exit(127)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        read_only_view(libc, request.get("readOnly", []))
        os.chdir(request["cwd"])
        env = dict(item.split("=", 1) for item in request["env"])
        os.environ.clear()
        os.environ.update(env)
        time.tzset()
        # What PYTHONPATH would have put first had the interpreter started now
        # (the runtime directory is already there: the fork server had it).
        own = sys.path[0]
        extra = [p for p in env.get("PYTHONPATH", "").split(":") if p and p != own]
        sys.path[1:1] = [p for p in extra if p not in sys.path]
        sys.argv = [__file__]
        main()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fork-server"]:
        serve_forks(3)
    else:
        main()
