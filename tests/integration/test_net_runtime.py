"""wifi, socketpool, ssl and ipaddress under `circuit9 run`, against real servers on loopback
started here (nginx, Python's http.server, mosquitto, openssl s_server). The programs are the
team's own (netlib/c9http.py, netlib/c9mqtt.py), shaped like Adafruit's Requests,
ConnectionManager and MiniMQTT's use of a socket pool. Connections are counted on the server
side. A test whose server program is missing skips and says why."""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
import peers  # noqa: E402

SETTINGS = 'CIRCUITPY_WIFI_SSID = "TestNet"\nCIRCUITPY_WIFI_PASSWORD = "correct horse"\n'


def run(drive, *args, timeout=120):
    """Runs the drive's code.py once (or as --runs says) and gives the console's text."""
    exe = os.path.join(BUILD, "circuit9")
    assert os.path.exists(exe), f"build the project first: {exe} is missing"
    runs = [] if "--runs" in args else ["--runs", "1"]
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    env.pop("DISPLAY", None)
    r = subprocess.run([exe, "run", str(drive), "--no-window", *runs, *args], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout, env=env)
    out = r.stdout.decode("utf-8", "replace").replace("\r", "")
    if "code.py output:" in out:
        out = out.split("code.py output:\n", 1)[1]
    return out


def make_drive(tmp_path, code, settings=SETTINGS, files=None):
    d = tmp_path / "CIRCUITPY"
    (d / "lib").mkdir(parents=True)
    for name in ("c9http.py", "c9mqtt.py"):
        shutil.copy(os.path.join(HERE, "netlib", name), d / "lib" / name)
    (d / "code.py").write_text(code)
    if settings is not None:
        (d / "settings.toml").write_text(settings)
    for name, data in (files or {}).items():
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return d


def peer(factory):
    try:
        return factory()
    except peers.Missing as e:
        pytest.skip(str(e))


@pytest.fixture
def certs(tmp_path):
    d = tmp_path / "certs"
    d.mkdir()
    peer(lambda: peers.make_certs(d))
    return d


@pytest.fixture
def nginx(tmp_path, certs):
    d = tmp_path / "nginx"
    d.mkdir()
    for f in ("server.crt", "server.key"):
        shutil.copy(certs / f, d / f)
    n = peer(lambda: peers.Nginx(d))
    n.file("small.txt", "hello from nginx\n")
    n.file("part.txt", "[part]")
    n.file("page.shtml", 'begin <!--# include file="part.txt" --> middle <!--# include file="part.txt" --> end\n')
    n.start()
    yield n
    n.stop()


@pytest.fixture
def echo():
    e = peers.EchoServer().start()
    yield e
    e.stop()


HTTP_PRELUDE = """\
import wifi, socketpool, ssl, c9http
pool = socketpool.SocketPool(wifi.radio)
ctx = ssl.create_default_context()
s = c9http.Session(pool, ctx)
"""


def test_keepalive_reuses_one_connection(tmp_path, nginx):
    code = HTTP_PRELUDE + f"""
for i in range(20):
    r = s.get("http://127.0.0.1:{nginx.port}/small.txt")
    assert r.status_code == 200 and r.text == "hello from nginx\\n", (r.status_code, r.text)
r = s.get("http://127.0.0.1:{nginx.port}/page.shtml")
print(r.status_code, r.headers.get("transfer-encoding"), r.text.strip())
r = s.request("HEAD", "http://127.0.0.1:{nginx.port}/small.txt")
print("HEAD", r.status_code, r.headers["content-length"], len(r.content))
r = s.get("http://127.0.0.1:{nginx.port}/nocontent")
print("204", r.status_code, len(r.content))
r = s.post("http://127.0.0.1:{nginx.port}/post", data="x=1")
print("POST", r.status_code, r.text)
print("opened", s.cache.opened)
"""
    out = run(make_drive(tmp_path, code))
    assert "200 chunked begin [part] middle [part] end" in out, out
    assert "HEAD 200 17 0" in out and "204 204 0" in out and "POST 200 posted" in out, out
    assert "opened 1" in out, out
    assert nginx.connections(nginx.port) == 1, nginx.log()
    assert len(nginx.requests(nginx.port)) == 24


def test_fresh_connections_and_server_closes(tmp_path, nginx):
    code = HTTP_PRELUDE + f"""
for i in range(10):
    s.get("http://127.0.0.1:{nginx.port}/small.txt", close=True)
for i in range(10):
    s.get("http://127.0.0.1:{nginx.limited_port}/small.txt")
print("opened", s.cache.opened)
"""
    out = run(make_drive(tmp_path, code))
    assert "opened 14" in out, out
    assert nginx.connections(nginx.port) == 10
    # keepalive_requests 3: nginx says "Connection: close" on every third answer.
    assert nginx.connections(nginx.limited_port) == 4
    assert sorted(r[2] for r in nginx.requests(nginx.limited_port)) == [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_json_post_chunked_and_dead_connection_retry(tmp_path, echo):
    code = HTTP_PRELUDE + f"""
import json
base = "http://127.0.0.1:{echo.port}"
r = s.post(base + "/post", json={{"Date": "January 1, 1970", "n": [1, 2]}})
print("json", r.json()["json"])
r = s.post(base + "/post", data="This is an example of a JSON value")
print("data", r.json()["data"])
r = s.get(base + "/chunked")
print("chunked", r.text.count("chunk"), r.text[:16])
print("opened", s.cache.opened)
"""
    out = run(make_drive(tmp_path, code))
    assert "json {'Date': 'January 1, 1970', 'n': [1, 2]}" in out or \
        "json {'n': [1, 2], 'Date': 'January 1, 1970'}" in out, out
    assert "data This is an example of a JSON value" in out, out
    assert "chunked 20 chunk 0;chunk 1;" in out, out
    assert "opened 1" in out, out
    assert echo.connections() == 1


def test_https_with_a_ca_the_program_loads(tmp_path, nginx, certs):
    code = HTTP_PRELUDE + f"""
try:
    s.get("https://localhost:{nginx.tls_port()}/small.txt")
except OSError as e:
    print("bundle only:", e.args[0], e.args[1])
s.cache.close_all()
ctx.load_verify_locations(cadata=open("/ca.pem").read())
for i in range(10):
    r = s.get("https://localhost:{nginx.tls_port()}/small.txt")
print("tls", r.status_code, r.text.strip(), "opened", s.cache.opened)
"""
    out = run(make_drive(tmp_path, code, files={"ca.pem": (certs / "ca.crt").read_bytes()}))
    assert ("bundle only: -9984 X509 - Certificate verification failed, e.g. CRL, CA or signature check failed"
            in out), out
    assert "tls 200 hello from nginx opened 1" in out, out
    # Ten requests on one connection (the refused handshake sent no request to log).
    assert nginx.connections(nginx.tls_port()) == 1
    assert len(nginx.requests(nginx.tls_port())) == 10


def test_bad_certificates_are_errors(tmp_path, certs):
    servers = {}
    for cert in ("server", "unknown", "wronghost", "expired"):
        servers[cert] = peer(lambda c=cert: peers.SServer(certs, cert=c).start())
    try:
        code = """
import wifi, socketpool, ssl
pool = socketpool.SocketPool(wifi.radio)
ca = open("/ca.pem").read()

def attempt(name, port, check_hostname=True, cadata=ca):
    ctx = ssl.create_default_context()
    ctx.load_verify_locations(cadata=cadata)
    ctx.check_hostname = check_hostname
    sock = ctx.wrap_socket(pool.socket(), server_hostname="localhost")
    sock.settimeout(10)
    try:
        sock.connect(("localhost", port))
        sock.send(b"GET / HTTP/1.0\\r\\n\\r\\n")
        buf = bytearray(64)
        n = sock.recv_into(buf)
        print(name, "ok", bytes(buf[:n]).split(b"\\r\\n")[0])
    except OSError as e:
        print(name, "OSError", e.args[0])
    sock.close()
"""
        code += "".join("attempt(%r, %d)\n" % (c, s.port) for c, s in servers.items())
        code += "attempt('wronghost-nocheck', %d, check_hostname=False)\n" % servers["wronghost"].port
        code += "attempt('unknown-empty-cadata', %d, cadata='')\n" % servers["unknown"].port
        code += """
ctx = ssl.create_default_context()
for bad in ("-----BEGIN CERTIFICATE-----\\nnot base64\\n-----END CERTIFICATE-----\\n", "junk"):
    try:
        ctx.load_verify_locations(cadata=bad)
    except ValueError as e:
        print("ValueError", e)
try:
    ctx.load_verify_locations(cafile="/ca.pem")
except NotImplementedError as e:
    print("NotImplementedError", e)
try:
    ctx.wrap_socket(pool.socket())
except ValueError as e:
    print("ValueError", e)
"""
        out = run(make_drive(tmp_path, code, files={"ca.pem": (certs / "ca.crt").read_bytes()}))
    finally:
        for s in servers.values():
            s.stop()
    assert "server ok b'HTTP/1.0 200 ok'" in out, out
    for name in ("unknown", "wronghost", "expired"):
        assert f"{name} OSError -9984" in out, out
    # No CA at all: mbedTLS's "SSL - No CA Chain is set, but required to operate".
    assert "unknown-empty-cadata OSError -30336" in out, out
    assert "wronghost-nocheck ok b'HTTP/1.0 200 ok'" in out, out
    assert out.count("ValueError invalid cert") == 2, out
    assert "NotImplementedError cafile" in out, out
    assert "ValueError check_hostname requires server_hostname" in out, out


def test_mqtt_publish_subscribe_plain_and_tls(tmp_path, certs):
    d = tmp_path / "mq"
    d.mkdir()
    for f in ("ca.crt", "server.crt", "server.key"):
        shutil.copy(certs / f, d / f)
    broker = peer(lambda: peers.Mosquitto(d, tls=True).start())
    try:
        code = f"""
import wifi, socketpool, ssl, c9mqtt
pool = socketpool.SocketPool(wifi.radio)
ctx = ssl.create_default_context()
ctx.load_verify_locations(cadata=open("/ca.pem").read())
for port, tls in (({broker.port}, None), ({broker.tls_port}, ctx)):
    name = "tls" if tls else "plain"
    c = c9mqtt.MQTT(pool, "localhost", port, "c9-" + name, ssl_context=tls)
    print(name, "granted", c.subscribe("c9/test/#", qos=1))
    c.publish("c9/test/a", "zero " + name)
    c.publish("c9/test/b", "one " + name, qos=1)
    got = []
    for i in range(20):
        got = c.loop(0.5)
        if len(got) >= 2:
            break
    print(name, sorted(got))
    print(name, "ping", c.ping())
    c.disconnect()
"""
        out = run(make_drive(tmp_path, code, files={"ca.pem": (certs / "ca.crt").read_bytes()}))
    finally:
        broker.stop()
    for name in ("plain", "tls"):
        assert f"{name} granted 1" in out, out
        assert f"{name} [('c9/test/a', b'zero {name}'), ('c9/test/b', b'one {name}')]" in out, out
        assert f"{name} ping True" in out, out
    assert "c9-tls" in broker.log() and "c9-plain" in broker.log()


def test_reuseaddr_is_explicit(tmp_path):
    port = peers.free_port()
    code = f"""
import wifi, socketpool, errno
pool = socketpool.SocketPool(wifi.radio)
srv = pool.socket()
srv.bind(("127.0.0.1", {port}))
srv.listen(1)
cli = pool.socket()
cli.connect(("127.0.0.1", {port}))
conn, peer = srv.accept()
print("peer", peer[0], conn.type)
conn.close()
cli.close()
srv.close()
again = pool.socket()
try:
    again.bind(("127.0.0.1", {port}))
    print("rebound without SO_REUSEADDR")
except OSError as e:
    print("OSError", e.errno, e.errno == errno.EADDRINUSE)
again.close()
reuse = pool.socket()
reuse.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
reuse.bind(("127.0.0.1", {port}))
reuse.listen(1)
print("rebound with SO_REUSEADDR")
"""
    out = run(make_drive(tmp_path, code))
    assert "peer 127.0.0.1 1" in out, out
    assert "OSError 112 True" in out, out
    assert "rebound with SO_REUSEADDR" in out, out


def test_out_of_sockets_and_recovery(tmp_path, nginx):
    code = HTTP_PRELUDE + f"""
socks = [pool.socket() for i in range(3)]
try:
    pool.socket()
except RuntimeError as e:
    print("RuntimeError", e)
try:
    s.get("http://127.0.0.1:{nginx.port}/small.txt")
except RuntimeError as e:
    print("request:", e)
socks.pop().close()
print(s.get("http://127.0.0.1:{nginx.port}/small.txt").status_code)
"""
    out = run(make_drive(tmp_path, code), "--sockets", "3")
    assert "RuntimeError Out of sockets" in out and "request: Out of sockets" in out, out
    assert "\n200\n" in out, out


def test_timeouts_and_errno_numbers(tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    held = []

    def accept():
        try:
            while True:
                held.append(listener.accept()[0])  # accepted, never answered
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    refused = peers.free_port()
    code = f"""
import wifi, socketpool, errno
pool = socketpool.SocketPool(wifi.radio)
print("numbers", errno.ETIMEDOUT, errno.EAGAIN, errno.EADDRINUSE, errno.ENOTCONN, errno.ECONNREFUSED)
s = pool.socket()
s.settimeout(0.2)
s.connect(("127.0.0.1", {port}))
buf = bytearray(10)
try:
    s.recv_into(buf)
except OSError as e:
    print("timeout", e.errno, e.errno == errno.ETIMEDOUT)
s.setblocking(False)
try:
    s.recv_into(buf)
except OSError as e:
    print("nonblocking", e.errno, e.errno == errno.EAGAIN)
try:
    s.recv_into(buf, 11)
except ValueError as e:
    print("ValueError", e)
s.close()
try:
    s.recv_into(buf)
except OSError as e:
    print("closed", e.errno)
r = pool.socket()
try:
    r.connect(("127.0.0.1", {refused}))
except OSError as e:
    print("refused", e.errno)
try:
    pool.socket().send(b"x")
except BrokenPipeError as e:
    print("BrokenPipeError")
try:
    pool.getaddrinfo("no.such.name.invalid", 80)
except pool.gaierror as e:
    print("gaierror", e.args)
s = pool.socket()
s.settimeout(0.2)
s.connect(("127.0.0.1", {port}))
s.recv_into(buf)
"""
    try:
        out = run(make_drive(tmp_path, code))
    finally:
        listener.close()
        for c in held:
            c.close()
    assert "numbers 116 11 112 128 111" in out, out
    assert "timeout 116 True" in out and "nonblocking 11 True" in out, out
    assert "ValueError buffer too small for requested bytes" in out, out
    assert "closed 9" in out and "refused 111" in out and "BrokenPipeError" in out, out
    assert "gaierror (-2, 'Name or service not known')" in out, out
    # An uncaught timeout prints as on the board.
    assert "OSError: [Errno 116] ETIMEDOUT" in out, out


def test_station_auto_connect_and_errors(tmp_path):
    code = """
import wifi, socketpool, ipaddress
r = wifi.radio
print("start", r.enabled, r.connected, r.ap_info.ssid if r.ap_info else None)
print("addr", r.ipv4_address is not None, isinstance(r.ipv4_address, ipaddress.IPv4Address))
print("ping", type(r.ping(ipaddress.ip_address("127.0.0.1"), timeout=10)).__name__)
for ssid, pw in (("TestNet", "wrong password"), ("Elsewhere", "whatever1")):
    try:
        r.connect(ssid, pw)
    except ConnectionError as e:
        print("ConnectionError", e)
print("after", r.connected)
pool = socketpool.SocketPool(wifi.radio)
try:
    pool.getaddrinfo("example.com", 80)
except OSError as e:
    print("offline name", e.args[0])
try:
    pool.socket().connect(("192.0.2.33", 80))
except OSError as e:
    print("offline", e)
print("loopback", pool.getaddrinfo("localhost", 8080)[0][4])
r.connect("TestNet", "correct horse")
print("connected", r.connected, len(r.addresses))
nets = [(n.ssid, n.authmode) for n in r.start_scanning_networks()]
r.stop_scanning_networks()
print("scan", nets)
"""
    out = run(make_drive(tmp_path, code))
    assert "start True True TestNet" in out, out
    assert "addr True True" in out and "ping float" in out, out
    assert "ConnectionError No network with that ssid" in out, out
    assert "after False" in out, out
    assert "offline name -2" in out and "offline [Errno 118] EHOSTUNREACH" in out, out
    assert "loopback ('127.0.0.1', 8080)" in out, out
    assert "connected True 1" in out, out
    assert "scan [('TestNet', [wifi.AuthMode.WPA2, wifi.AuthMode.PSK])]" in out, out

    # Without credentials the station starts unconnected; a wrong password is refused.
    code = """
import wifi
print("start", wifi.radio.enabled, wifi.radio.connected, wifi.radio.ipv4_address)
try:
    wifi.radio.connect("circuit9", "")
    print("joined", wifi.radio.connected)
except ConnectionError as e:
    print(e)
"""
    out = run(make_drive(tmp_path / "plain", code, settings=None))
    assert "start True False None" in out and "joined True" in out, out
    out = run(make_drive(tmp_path / "auth", "import wifi\nwifi.radio.connect('TestNet', 'nope nope')\n"))
    assert "ConnectionError: Authentication failure" not in out  # already connected to it: nothing asked
    code = "import wifi\nwifi.radio.enabled = False\nwifi.radio.enabled = True\nwifi.radio.connect('TestNet', 'nope nope')\n"
    out = run(make_drive(tmp_path / "auth2", code))
    assert "ConnectionError: Authentication failure" in out, out


def test_soft_reload_closes_the_programs_sockets(tmp_path):
    code = """
import wifi, socketpool, supervisor
pool = socketpool.SocketPool(wifi.radio)
keep = [pool.socket() for i in range(8)]
print("run", supervisor.runtime.run_reason, len(keep))
if supervisor.runtime.run_reason == supervisor.RunReason.STARTUP:
    supervisor.reload()
"""
    out = run(make_drive(tmp_path, code), "--runs", "2")
    assert out.count(" 8\n") == 2, out
    assert "supervisor.RunReason.SUPERVISOR_RELOAD 8" in out, out


def test_board_host_table_and_ca_file(tmp_path, certs):
    # A certificate for a name that only the board's host table knows.
    d = certs
    subprocess.run(["sh", "-c", "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out api.key && "
                    "openssl req -new -key api.key -subj /CN=api.example.test -out api.csr && "
                    "printf 'subjectAltName=DNS:api.example.test\\n' > api.ext && "
                    "openssl x509 -req -in api.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 "
                    "-extfile api.ext -out api.crt"], cwd=d, check=True, capture_output=True)
    server = peer(lambda: peers.SServer(d, cert="api").start())
    try:
        settings = SETTINGS + 'CIRCUIT9_HOSTS = "api.example.test=127.0.0.1"\nCIRCUIT9_CA_FILE = "/certs/ca.pem"\n'
        code = f"""
import wifi, socketpool, ssl
pool = socketpool.SocketPool(wifi.radio)
print("resolves", pool.getaddrinfo("api.example.test", 443)[0][4])
ctx = ssl.create_default_context()
sock = ctx.wrap_socket(pool.socket(), server_hostname="api.example.test")
sock.settimeout(10)
sock.connect(("api.example.test", {server.port}))
sock.send(b"GET / HTTP/1.0\\r\\n\\r\\n")
buf = bytearray(20)
print("answer", bytes(buf[:sock.recv_into(buf)]).split(b"\\r\\n")[0])
"""
        drive = make_drive(tmp_path, code, settings=settings)
        (drive / "certs").mkdir()
        shutil.copy(d / "ca.crt", drive / "certs" / "ca.pem")
        out = run(drive)
    finally:
        server.stop()
    assert "resolves ('127.0.0.1', 443)" in out, out
    assert "answer b'HTTP/1.0 200 ok'" in out, out


@pytest.mark.parametrize("board", ["feather_esp32c6", "samd21_oled"])
def test_which_boards_have_a_network(tmp_path, board):
    # Every ESP32 build of CircuitPython has wifi and 8 lwIP sockets, the C6 Feather too; a
    # SAMD21 build has no socketpool at all.
    port = peers.free_port()
    code = f"""
try:
    import wifi, socketpool
except ImportError as e:
    print("ImportError", e)
else:
    pool = socketpool.SocketPool(wifi.radio)
    srv = pool.socket()
    srv.bind(("127.0.0.1", {port}))
    srv.listen(1)
    socks = []
    try:
        while True:
            socks.append(pool.socket())
    except RuntimeError as e:
        print(len(socks) + 1, "sockets then", e)
"""
    out = run(make_drive(tmp_path, code), "--board", board)
    if board == "samd21_oled":
        assert out.startswith("ImportError no module named 'wifi'"), out
    else:
        assert out.startswith("8 sockets then Out of sockets"), out
