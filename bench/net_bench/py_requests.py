#!/usr/bin/python3
"""Requests per second at the Python level: a program on the virtual board (`circuit9 run`)
fetching a small file from nginx on loopback through socketpool and ssl with a requests-shaped
client (tests/integration/netlib/c9http.py: a ConnectionManager-style socket cache, send() in a
loop, recv_into() in 256-byte chunks), keeping its connection and opening one per request
(Connection: close), over HTTP and HTTPS; and curl on the same nginx the same way (one process
for all URLs, so it reuses its connection; "Connection: close" for fresh ones). nginx's log
counts the connections. Figures are measurements, not assertions.

    bench/net_bench/py_requests.py [BUILD_DIR] [REQUESTS]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "net"))
import peers  # noqa: E402

CODE = """
import time, wifi, socketpool, ssl, c9http
pool = socketpool.SocketPool(wifi.radio)
ctx = ssl.create_default_context()
ctx.load_verify_locations(cadata=open("/ca.pem").read())
N = {n}
FRESH_TLS = {fresh_tls}
for name, url, close, n in (("HTTP keep-alive", "http://127.0.0.1:{port}/small.txt", False, N),
                            ("HTTP fresh", "http://127.0.0.1:{port}/small.txt", True, N),
                            ("HTTPS keep-alive", "https://localhost:{tls}/small.txt", False, N),
                            ("HTTPS fresh", "https://localhost:{tls}/small.txt", True, FRESH_TLS)):
    s = c9http.Session(pool, ctx)
    s.get(url)  # warm-up: the connection (kept for keep-alive runs), the code paths
    t0 = time.monotonic_ns()
    for i in range(n):
        r = s.get(url, close=close)
        if r.status_code != 200:
            raise RuntimeError(r.status_code)
    dt = time.monotonic_ns() - t0
    s.cache.close_all()
    print("RESULT %s|%d|%d|%d" % (name, n, dt, s.cache.opened))
"""


def curl_rate(urls, close):
    cfg = tempfile.NamedTemporaryFile("w", suffix=".curl", delete=False)
    for u in urls:
        cfg.write('url = "%s"\noutput = "/dev/null"\n' % u)
    cfg.close()
    args = ["curl", "-s", "--cacert", CA, "-K", cfg.name]
    if close:
        args += ["-H", "Connection: close"]
    t0 = time.monotonic()
    subprocess.run(args, check=True)
    dt = time.monotonic() - t0
    os.unlink(cfg.name)
    return len(urls) / dt


def main():
    global CA
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    fresh_tls = max(20, n // 10)
    exe = os.path.join(build, "circuit9")
    if not os.path.exists(exe):
        sys.exit("build %s first" % exe)
    work = tempfile.mkdtemp(prefix="c9pybench.")
    try:
        try:
            peers.make_certs(work)
            nginx = peers.Nginx(work)
        except peers.Missing as e:
            print("skipped: %s" % e)
            return
        CA = os.path.join(work, "ca.crt")
        nginx.file("small.txt", "hello from nginx\n")
        nginx.start()
        drive = os.path.join(work, "CIRCUITPY")
        os.makedirs(os.path.join(drive, "lib"))
        shutil.copy(os.path.join(ROOT, "tests", "integration", "netlib", "c9http.py"), os.path.join(drive, "lib"))
        shutil.copy(CA, os.path.join(drive, "ca.pem"))
        with open(os.path.join(drive, "code.py"), "w") as f:
            f.write(CODE.format(n=n, fresh_tls=fresh_tls, port=nginx.port, tls=nginx.tls_port()))
        with open(os.path.join(drive, "settings.toml"), "w") as f:
            f.write('CIRCUITPY_WIFI_SSID = "bench"\n')
        before = len(nginx.requests())
        out = subprocess.run([exe, "run", drive, "--no-window", "--runs", "1"], stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=3600).stdout.decode()
        rows = []
        for m in re.finditer(r"RESULT (.+)\|(\d+)\|(\d+)\|(\d+)", out):
            name, count, ns, opened = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
            # The keep-alive runs use the connection their warm-up request opened.
            rows.append(("circuit9 socketpool, " + name, count / (ns / 1e9), opened))
        if len(rows) != 4:
            print(out)
            sys.exit("the board's program did not finish")
        logged = len(nginx.requests()) - before
        for name, url, close, count in (("HTTP keep-alive", "http://127.0.0.1:%d/small.txt" % nginx.port, False, n),
                                        ("HTTP fresh", "http://127.0.0.1:%d/small.txt" % nginx.port, True, n),
                                        ("HTTPS keep-alive", "https://localhost:%d/small.txt" % nginx.tls_port(),
                                         False, n),
                                        ("HTTPS fresh", "https://localhost:%d/small.txt" % nginx.tls_port(), True,
                                         fresh_tls)):
            c0 = nginx.connections()
            rate = curl_rate([url] * count, close)
            rows.append(("curl, " + name, rate, nginx.connections() - c0))
        nginx.stop()
        print("%-44s %10s %12s" % ("run", "req/s", "connections"))
        for name, rate, conns in rows:
            print("%-44s %10.0f %12d" % (name, rate, conns))
        print("(nginx logged %d requests from the board's program, warm-ups included)" % logged)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
