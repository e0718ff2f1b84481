# A small HTTP/1.1 client for the board, written for circuit9's tests: it uses a socketpool
# the way Adafruit's Requests and ConnectionManager do (getaddrinfo()[0], pool.socket(family,
# type), ssl_context.wrap_socket(sock, server_hostname=host) and a connect to the host name for
# TLS, settimeout before connect, send() in a loop, recv_into() into a small buffer), keeps one
# socket per (host, port, scheme) for reuse once a response was read to its end, and sends a
# request again on a fresh connection when a kept one turns out to be dead.
import errno
import json as json_module


class ConnectionCache:
    def __init__(self, pool, ssl_context=None):
        self.pool = pool
        self.ssl_context = ssl_context
        self.free = {}
        self.opened = 0

    def get(self, host, port, proto, timeout):
        key = (host, port, proto)
        sock = self.free.pop(key, None)
        if sock is not None:
            return key, sock, True
        info = self.pool.getaddrinfo(host, port, 0, self.pool.SOCK_STREAM)[0]
        sock = self.pool.socket(info[0], info[1])
        target = info[-1][0]
        if proto == "https:":
            sock = self.ssl_context.wrap_socket(sock, server_hostname=host)
            target = host
        sock.settimeout(timeout)
        try:
            sock.connect((target, port))
        except Exception:
            sock.close()
            raise
        self.opened += 1
        return key, sock, False

    def keep(self, key, sock):
        self.free[key] = sock

    def close_all(self):
        for sock in self.free.values():
            sock.close()
        self.free = {}


class Response:
    def __init__(self, status, reason, headers, body):
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self.content = body

    @property
    def text(self):
        return str(self.content, "utf-8")

    def json(self):
        return json_module.loads(self.content)


class _Reader:
    def __init__(self, sock, size=256):
        self.sock = sock
        self.buf = bytearray(size)
        self.view = memoryview(self.buf)
        self.start = 0
        self.end = 0

    def _fill(self):
        if self.start == self.end:
            self.start = self.end = 0
        n = self.sock.recv_into(self.view[self.end:], len(self.buf) - self.end)
        if n == 0:
            raise OSError(errno.ENOTCONN)
        self.end += n

    def line(self):
        out = b""
        while True:
            i = self.buf.find(b"\n", self.start, self.end)
            if i >= 0:
                out += bytes(self.buf[self.start:i + 1])
                self.start = i + 1
                return out.rstrip(b"\r\n")
            out += bytes(self.buf[self.start:self.end])
            self.start = self.end = 0
            self._fill()

    def exactly(self, n):
        out = bytearray()
        while len(out) < n:
            if self.start == self.end:
                self._fill()
            take = min(n - len(out), self.end - self.start)
            out += self.view[self.start:self.start + take]
            self.start += take
        return bytes(out)


def _send_all(sock, data):
    view = memoryview(data)
    sent = 0
    while sent < len(data):
        try:
            n = sock.send(view[sent:])
        except OSError as e:
            if e.errno == errno.EAGAIN:
                continue
            raise
        sent += n


class Session:
    def __init__(self, pool, ssl_context=None):
        self.cache = ConnectionCache(pool, ssl_context)

    def request(self, method, url, data=None, json=None, headers=None, timeout=5, close=False):
        proto, rest = url.split("//", 1)
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        port = int(port) if port else (443 if proto == "https:" else 80)
        if json is not None:
            data = json_module.dumps(json)
        if isinstance(data, str):
            data = data.encode()
        head = "%s /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: c9http\r\n" % (method, path, host)
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        if json is not None:
            head += "Content-Type: application/json\r\n"
        if data is not None:
            head += "Content-Length: %d\r\n" % len(data)
        if close:
            head += "Connection: close\r\n"
        message = head.encode() + b"\r\n" + (data or b"")
        last = None
        for _ in range(2):
            key, sock, reused = self.cache.get(host, port, proto, timeout)
            try:
                _send_all(sock, message)
                reader = _Reader(sock)
                status_line = reader.line()
                break
            except OSError as e:
                sock.close()
                last = e
                if not reused:
                    raise
        else:
            raise last
        version, status, reason = (status_line.decode().split(" ", 2) + [""])[:3]
        fields = {}
        while True:
            line = reader.line()
            if not line:
                break
            k, _, v = line.decode().partition(":")
            fields[k.strip().lower()] = v.strip()
        if method == "HEAD" or status in ("204", "304"):
            body = b""
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(reader.line().split(b";")[0], 16)
                if size == 0:
                    while reader.line():
                        pass
                    break
                body += reader.exactly(size)
                reader.line()
        else:
            body = reader.exactly(int(fields.get("content-length", "0")))
        keep = fields.get("connection", "").lower() != "close" and not close and version == "HTTP/1.1"
        if keep and reader.start == reader.end:
            self.cache.keep(key, sock)
        else:
            sock.close()
        return Response(int(status), reason, fields, body)

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)
