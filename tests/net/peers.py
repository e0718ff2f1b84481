"""Real network peers for the Python-side tests and benchmarks (the Python half of peers.h):
nginx, mosquitto, openssl s_server and small Python HTTP servers on free loopback ports, in
temporary directories, started and stopped by the caller. Waits are for events (a port
accepting, a line printed); their limits only guard against hangs. A peer whose program is
missing raises Missing with the reason, which tests turn into a printed skip."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUARD_S = 20


class Missing(Exception):
    """A peer's program is not installed (the message says which)."""


def find(program):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin"
    return shutil.which(program, path=path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, host="127.0.0.1", guard=GUARD_S):
    end = time.monotonic() + guard
    nap = 0.002
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(nap)
        nap = min(nap * 2, 0.05)
    return False


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def make_certs(directory):
    """The TLS test material of make_certs.sh (test CA, server for localhost/127.0.0.1, a
    certificate for another name, one from an unknown CA, expired, client)."""
    if not find("openssl"):
        raise Missing("openssl is not installed")
    r = subprocess.run(["sh", os.path.join(HERE, "make_certs.sh"), str(directory)], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("make_certs.sh failed: " + r.stderr.decode(errors="replace"))


class Nginx:
    """nginx 1.22 with a plain server (keep-alive, SSI pages come chunked, /nocontent, /post),
    one with keepalive_requests 3, and a TLS server for extra names (hostname -> certificate
    name in the directory). The access log records the connection serial number of every
    request: connections() counts the distinct ones."""

    def __init__(self, directory, tls_certs=("server",), listen="127.0.0.1", ports=None):
        self.bin = find("nginx")
        if not self.bin:
            raise Missing("nginx is not installed")
        self.dir = str(directory)
        self.www = os.path.join(self.dir, "www")
        os.makedirs(self.www, exist_ok=True)
        for sub in ("tmp_body", "tmp_proxy", "tmp_fcgi", "tmp_uwsgi", "tmp_scgi"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.listen = listen
        self.tls_certs = tls_certs
        self.fixed_ports = ports
        self.proc = None

    def file(self, name, data):
        with open(os.path.join(self.www, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def start(self):
        for _ in range(3):
            n = 2 + len(self.tls_certs)
            self.ports = list(self.fixed_ports) if self.fixed_ports else [free_port() for _ in range(n)]
            tls = ""
            for port, cert in zip(self.ports[2:], self.tls_certs):
                tls += ("  server { listen %s:%d ssl; root %s; ssl_certificate %s/%s.crt;\n"
                        "    ssl_certificate_key %s/%s.key; ssl_protocols TLSv1.2 TLSv1.3;\n"
                        "    location = /post { return 200 \"posted\"; } }\n"
                        % (self.listen, port, self.www, self.dir, cert, self.dir, cert))
            d = self.dir
            conf = (
                "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n"
                "error_log %s/error.log warn;\nevents { worker_connections 256; }\n"
                "http {\n"
                "  log_format c9 '$server_port $connection $connection_requests $request_method $request_uri "
                "$status';\n"
                "  access_log %s/access.log c9;\n"
                "  client_body_temp_path %s/tmp_body; proxy_temp_path %s/tmp_proxy;\n"
                "  fastcgi_temp_path %s/tmp_fcgi; uwsgi_temp_path %s/tmp_uwsgi; scgi_temp_path %s/tmp_scgi;\n"
                "  default_type application/octet-stream; keepalive_timeout 60s; keepalive_requests 100000;\n"
                "  server { listen %s:%d; root %s;\n"
                "    location ~ \\.shtml$ { ssi on; default_type text/html; }\n"
                "    location = /nocontent { return 204; }\n"
                "    location = /post { return 200 \"posted\"; }\n"
                "  }\n"
                "  server { listen %s:%d; root %s; keepalive_requests 3; }\n"
                "%s}\n" % (d, d, d, d, d, d, d, d, self.listen, self.ports[0], self.www, self.listen,
                          self.ports[1], self.www, tls))
            with open(os.path.join(d, "nginx.conf"), "w") as f:
                f.write(conf)
            log = open(os.path.join(d, "nginx.out"), "ab")
            self.proc = subprocess.Popen([self.bin, "-p", d + "/", "-c", os.path.join(d, "nginx.conf"), "-e",
                                          os.path.join(d, "error.log")], stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
            log.close()
            if all(wait_port(p, self.proc, self.listen) for p in self.ports):
                return self
            stop(self.proc)
            if self.fixed_ports:
                break
        raise RuntimeError("nginx did not start:\n" + self.log("error.log"))

    @property
    def port(self):
        return self.ports[0]

    @property
    def limited_port(self):
        return self.ports[1]

    def tls_port(self, i=0):
        return self.ports[2 + i]

    def log(self, name="access.log"):
        try:
            with open(os.path.join(self.dir, name)) as f:
                return f.read()
        except OSError:
            return ""

    def requests(self, port=None):
        """(port, connection, request number on it, method, uri, status) of every logged request."""
        out = []
        for line in self.log().splitlines():
            f = line.split()
            if len(f) == 6 and (port is None or int(f[0]) == port):
                out.append((int(f[0]), int(f[1]), int(f[2]), f[3], f[4], int(f[5])))
        return out

    def connections(self, port=None):
        return len({r[1] for r in self.requests(port)})

    def stop(self):
        stop(self.proc)


class Mosquitto:
    """mosquitto 2.0 with an anonymous listener and, given certificates, a TLS one."""

    def __init__(self, directory, tls=False):
        self.bin = find("mosquitto")
        if not self.bin:
            raise Missing("mosquitto is not installed")
        self.dir = str(directory)
        self.tls = tls
        self.proc = None

    def start(self):
        import pwd

        user = pwd.getpwuid(os.getuid()).pw_name
        for _ in range(3):
            self.port, self.tls_port = free_port(), free_port()
            tls = ""
            if self.tls:
                tls = ("listener %d 127.0.0.1\nallow_anonymous true\ncafile %s/ca.crt\ncertfile %s/server.crt\n"
                       "keyfile %s/server.key\ntls_version tlsv1.2\n" % (self.tls_port, self.dir, self.dir, self.dir))
            conf = os.path.join(self.dir, "mosquitto.conf")
            with open(conf, "w") as f:
                f.write("user %s\nper_listener_settings true\nlog_dest file %s/mosquitto.log\n"
                        "log_type all\nconnection_messages true\n"
                        "listener %d 127.0.0.1\nallow_anonymous true\n%s" % (user, self.dir, self.port, tls))
            self.proc = subprocess.Popen([self.bin, "-c", conf], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            ports = [self.port] + ([self.tls_port] if self.tls else [])
            if all(wait_port(p, self.proc) for p in ports):
                return self
            stop(self.proc)
        raise RuntimeError("mosquitto did not start")

    def log(self):
        try:
            with open(os.path.join(self.dir, "mosquitto.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        stop(self.proc)


class SServer:
    """openssl s_server on a free port with a certificate of the directory (-www: a status page
    over HTTP/1.0). Extra arguments choose protocol versions, client certificates, ..."""

    def __init__(self, directory, cert="server", extra=()):
        self.bin = find("openssl")
        if not self.bin:
            raise Missing("openssl is not installed")
        self.dir = str(directory)
        self.cert = cert
        self.extra = list(extra)
        self.proc = None

    def start(self):
        for _ in range(3):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [self.bin, "s_server", "-accept", "127.0.0.1:%d" % self.port, "-cert",
                 os.path.join(self.dir, self.cert + ".crt"), "-key", os.path.join(self.dir, self.cert + ".key"),
                 "-www", "-naccept", "1000"] + self.extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL)
            if wait_port(self.port, self.proc):
                return self
            stop(self.proc)
        raise RuntimeError("openssl s_server did not start")

    def stop(self):
        stop(self.proc)


ECHO_SERVER = r'''
import http.server, json, socketserver, sys, threading
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    connections = 0
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        super().setup()
        with lock:
            S.connections += 1
    def log_message(self, *a):
        pass
    def answer(self, body, ctype="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == "/stats":
            self.answer(json.dumps({"connections": S.connections}).encode())
        elif self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for i in range(20):
                part = ("chunk %d;" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.answer(json.dumps({"path": self.path, "headers": dict(self.headers)}).encode())
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        data = self.rfile.read(n)
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        self.answer(json.dumps({"data": data.decode("latin-1"), "json": parsed}).encode())
lock = threading.Lock()
srv = S(("127.0.0.1", 0), H)
print("PORT", srv.server_address[1], flush=True)
srv.serve_forever()
'''


class EchoServer:
    """Python's http.server speaking HTTP/1.1 with keep-alive: GET answers its path as JSON,
    POST echoes the body ("data") and its JSON ("json"), /chunked answers in 20 chunks,
    /stats counts the connections accepted so far."""

    def start(self):
        self.proc = subprocess.Popen([sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("PORT "):
            stop(self.proc)
            raise RuntimeError("the echo server did not start")
        self.port = int(line.split()[1])
        return self

    def connections(self):
        import json
        import urllib.request

        with urllib.request.urlopen("http://127.0.0.1:%d/stats" % self.port, timeout=10) as r:
            return json.load(r)["connections"] - 1  # not this question's own

    def stop(self):
        stop(self.proc)
