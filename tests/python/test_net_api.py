"""wifi, socketpool, ssl and ipaddress in the Python package: CircuitPython 9.2.9's names,
constants, argument checks and messages, sockets against listeners of this process on
loopback, and the errno numbers against newlib's errno.h (what CircuitPython's builds use)."""
import os
import re
import socket
import threading

import pytest

import circuit9.ipaddress as ipaddress
import circuit9.socketpool as socketpool
import circuit9.ssl as ssl
import circuit9.wifi as wifi

NEWLIB_ERRNO = "/usr/lib/arm-none-eabi/include/sys/errno.h"


@pytest.fixture(scope="module")
def pool():
    return socketpool.SocketPool(wifi.radio)


@pytest.fixture
def server():
    """A listener of this process that accepts and keeps connections, answering what it is
    sent when asked to echo."""
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(8)
    conns = []
    state = {"echo": False}

    def serve():
        try:
            while True:
                c, _ = lsn.accept()
                conns.append(c)
                if state["echo"]:
                    threading.Thread(target=echo, args=(c,), daemon=True).start()
        except OSError:
            pass

    def echo(c):
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    break
                c.sendall(data)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield lsn.getsockname()[1], state, conns
    lsn.close()
    for c in conns:
        c.close()


def test_constants_and_types(pool):
    expected = {"AF_INET": 2, "AF_INET6": 10, "SOCK_STREAM": 1, "SOCK_DGRAM": 2, "SOCK_RAW": 3,
                "SOL_SOCKET": 0xFFF, "SO_REUSEADDR": 4, "TCP_NODELAY": 1, "IPPROTO_IP": 0, "IPPROTO_ICMP": 1,
                "IPPROTO_TCP": 6, "IPPROTO_UDP": 17, "IPPROTO_IPV6": 41, "IPPROTO_RAW": 255,
                "IP_MULTICAST_TTL": 5, "EAI_NONAME": -2}
    for name, value in expected.items():
        assert getattr(socketpool.SocketPool, name) == value, name
    assert issubclass(pool.gaierror, OSError)
    assert sorted(n for n in dir(socketpool) if not n.startswith("_")) == ["Socket", "SocketPool"]
    with pytest.raises(TypeError):
        socketpool.Socket()
    with pytest.raises(ValueError, match="SocketPool can only be used with wifi.radio"):
        socketpool.SocketPool(object())
    with pytest.raises(TypeError):
        wifi.Radio()
    with pytest.raises(NotImplementedError, match="Unsupported socket type"):
        pool.socket(99)
    s = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    assert s.type == pool.SOCK_DGRAM
    s.close()
    # What CircuitPython's Socket lacks, programs lack (libraries test hasattr(sock, "recv")).
    for missing in ("recv", "recvfrom", "makefile", "fileno", "getpeername"):
        assert not hasattr(s, missing), missing


def test_getaddrinfo_shape(pool):
    assert pool.getaddrinfo("127.0.0.1", 80) == [(2, 0, 0, "", ("127.0.0.1", 80))]
    assert pool.getaddrinfo("localhost", 443, 0, pool.SOCK_STREAM) == [(2, 1, 0, "", ("127.0.0.1", 443))]
    with pytest.raises(pool.gaierror) as e:
        pool.getaddrinfo("no.such.host.invalid", 80)
    assert e.value.args == (-2, "Name or service not known") and e.value.errno == -2
    with pytest.raises(TypeError, match="can't convert 'int' object to str implicitly"):
        pool.getaddrinfo(5, 80)
    with pytest.raises(TypeError, match="'port' argument required"):
        pool.getaddrinfo("localhost")


def test_stream_roundtrip_and_argument_checks(pool, server):
    port, state, _ = server
    state["echo"] = True
    with pool.socket() as s:
        s.settimeout(5)
        s.setsockopt(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)
        s.connect(("127.0.0.1", port))
        assert s.send(b"hello") == 5
        assert s.sendall(memoryview(b" world")) is None
        buf = bytearray(64)
        got = 0
        while got < 11:
            got += s.recv_into(memoryview(buf)[got:])
        assert bytes(buf[:11]) == b"hello world"
        with pytest.raises(ValueError, match="buffer too small for requested bytes"):
            s.recv_into(bytearray(4), 5)
        assert s.recv_into(bytearray(0)) == 0
        with pytest.raises(TypeError, match="object with buffer protocol required"):
            s.recv_into(5)
        with pytest.raises(TypeError, match="object 'str' isn't a tuple or list"):
            s.connect("127.0.0.1")
        with pytest.raises(ValueError, match="tuple/list has wrong length"):
            s.connect(("127.0.0.1", 80, 0, 0))
        with pytest.raises(ValueError, match="port must be >= 0"):
            s.connect(("127.0.0.1", -1))
        with pytest.raises(OSError) as e:
            s.setsockopt(pool.SOL_SOCKET, 0x77, 1)
        assert e.value.errno == 109  # ENOPROTOOPT in newlib's numbering
        with pytest.raises(ValueError, match="timeout must be >= 0"):
            s.settimeout(-1)
    with pytest.raises(OSError) as e:
        s.recv_into(bytearray(4))
    assert e.value.errno == 9
    with pytest.raises(OSError) as e:
        s.send(b"x")
    assert e.value.errno == 9


def test_timeouts_nonblocking_and_not_connected(pool, server):
    port, _, _ = server
    s = pool.socket()
    with pytest.raises(BrokenPipeError):
        s.send(b"x")
    s.settimeout(0.1)
    s.connect(("127.0.0.1", port))
    with pytest.raises(OSError) as e:
        s.recv_into(bytearray(4))
    assert e.value.errno == 116 and e.value.args == (116, "ETIMEDOUT")
    s.setblocking(False)
    with pytest.raises(OSError) as e:
        s.recv_into(bytearray(4))
    assert e.value.errno == 11
    s.settimeout(0.0001)  # rounded up to 1 ms, not truncated to non-blocking
    with pytest.raises(OSError) as e:
        s.recv_into(bytearray(4))
    assert e.value.errno == 116
    s.close()
    s.close()  # twice is fine


def test_nonblocking_end_of_stream_is_enotconn(pool, server):
    port, _, conns = server
    s = pool.socket()
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    while not conns:
        threading.Event().wait(0.01)
    conns[-1].sendall(b"bye")
    conns[-1].close()
    buf = bytearray(8)
    got = 0
    while got < 3:
        got += s.recv_into(memoryview(buf)[got:])
    assert s.recv_into(buf) == 0  # blocking: the end of the stream is 0 bytes
    s.setblocking(False)
    with pytest.raises(OSError) as e:
        s.recv_into(buf)  # the espressif port's non-blocking end of stream
    assert e.value.errno == 128
    s.close()


def test_udp_and_accept(pool):
    a = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    b = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    assert b.sendto(b"datagram", ("127.0.0.1", probe.getsockname()[1])) == 8
    data, src = probe.recvfrom(64)
    assert data == b"datagram"
    probe.sendto(b"reply", src)
    buf = bytearray(16)
    b.settimeout(5)
    n, addr = b.recvfrom_into(buf)
    assert (bytes(buf[:n]), addr) == (b"reply", ("127.0.0.1", probe.getsockname()[1]))
    probe.close()
    a.close()
    b.close()

    lsn = pool.socket()
    lsn.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
    lsn.bind(("", 0))  # "" is every interface
    lsn.listen(1)
    lsn.settimeout(0.05)
    with pytest.raises(OSError) as e:
        lsn.accept()
    assert e.value.errno == 116
    lsn.close()


def test_out_of_sockets(pool):
    socks = []
    with pytest.raises(RuntimeError, match="^Out of sockets$"):
        for _ in range(64):
            socks.append(pool.socket())
    assert len(socks) == 8  # the default board's lwIP limit
    socks.pop().close()
    socks.append(pool.socket())
    for s in socks:
        s.close()


def test_ipaddress():
    a = ipaddress.ip_address("192.168.1.10")
    assert str(a) == repr(a) == "192.168.1.10"
    assert a.packed == bytes([192, 168, 1, 10])
    assert a == ipaddress.IPv4Address(bytes([192, 168, 1, 10])) and a != "192.168.1.10"
    assert hash(a) == hash(ipaddress.IPv4Address("192.168.1.10"))
    assert str(ipaddress.ip_address(0x0100007F)) == "127.0.0.1"  # an int is a little-endian word
    for bad in ("256.1.1.1", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "-1.2.3.4", ""):
        with pytest.raises(ValueError, match="Not a valid IP string"):
            ipaddress.ip_address(bad)
    with pytest.raises(ValueError, match="Only int or string supported for ip"):
        ipaddress.ip_address(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="Address must be 4 bytes long"):
        ipaddress.IPv4Address(b"\x01\x02\x03")
    assert not hasattr(a, "version")  # CircuitPython defines it but leaves it out of the class


def test_wifi_radio_api():
    r = wifi.radio
    assert r.enabled is True
    assert r.hostname.startswith("cpy-") and len(r.hostname) <= 32
    with pytest.raises(ValueError, match="hostname length must be 1-253"):
        r.hostname = ""
    with pytest.raises(ValueError, match="invalid hostname"):
        r.hostname = "bad_name"
    r.hostname = "my-board"
    assert r.hostname == "my-board"
    assert len(r.mac_address) == 6 and r.mac_address_ap[:5] == r.mac_address[:5]
    with pytest.raises(ValueError, match="Invalid MAC address"):
        r.mac_address = b"\x02"
    with pytest.raises(ValueError, match="ssid length must be 1-32"):
        r.connect("")
    with pytest.raises(ValueError, match="password length must be 8-64"):
        r.connect("circuit9", "short")
    with pytest.raises(ValueError, match="Invalid hex password"):
        r.connect("circuit9", "z" * 64)
    with pytest.raises(ValueError, match="Invalid BSSID"):
        r.connect("circuit9", bssid=b"\x01")
    with pytest.raises(ValueError, match="start_channel must be 1-14"):
        r.start_scanning_networks(start_channel=0)
    nets = list(r.start_scanning_networks())
    with pytest.raises(RuntimeError, match="Already scanning for wifi networks"):
        r.start_scanning_networks()
    r.stop_scanning_networks()
    assert [(n.ssid, n.channel, n.authmode) for n in nets] == [("circuit9", 6, [wifi.AuthMode.OPEN])]
    assert repr(wifi.AuthMode.WPA2) == "wifi.AuthMode.WPA2"
    with pytest.raises(ConnectionError, match="No network with that ssid"):
        r.connect("elsewhere")
    assert r.connected is False and r.ipv4_address is None and r.ap_info is None and r.dns == ()
    r.connect("circuit9")
    assert r.connected is True and isinstance(r.ipv4_address, ipaddress.IPv4Address)
    assert r.ap_info.ssid == "circuit9" and r.ap_info.bssid != r.mac_address
    assert len(r.addresses) == 1 and r.addresses[0] == str(r.ipv4_address)
    r.ipv4_dns = ipaddress.ip_address("9.9.9.9")
    assert str(r.ipv4_dns) == "9.9.9.9" and r.dns == ("9.9.9.9",)
    with pytest.raises(ValueError, match="Only IPv4 addresses supported"):
        r.ipv4_dns = "9.9.9.9"
    with pytest.raises(NotImplementedError):
        r.start_ap("myap", "password123")
    with pytest.raises(ValueError, match="AuthMode.OPEN is not used with password"):
        r.start_ap("myap", "password123", authmode=(wifi.AuthMode.OPEN,))
    assert r.ap_active is False and r.ipv4_address_ap is None and r.stations_ap is None
    t = r.ping(ipaddress.ip_address("127.0.0.1"), timeout=10)
    assert isinstance(t, float) and 0 <= t < 10
    r.enabled = False
    assert r.connected is False
    with pytest.raises(RuntimeError, match="wifi is not enabled"):
        r.connect("circuit9")
    r.enabled = True


def test_ssl_context_api(pool, tmp_path):
    ctx = ssl.create_default_context()
    assert isinstance(ctx, ssl.SSLContext) and ctx.check_hostname is True
    assert sorted(n for n in dir(ssl) if not n.startswith("_")) == ["SSLContext", "create_default_context"]
    with pytest.raises(NotImplementedError, match="cafile"):
        ctx.load_verify_locations(cafile="x.pem")
    with pytest.raises(NotImplementedError, match="capath"):
        ctx.load_verify_locations(capath="certs")
    with pytest.raises(TypeError, match="can't convert 'NoneType' object to str implicitly"):
        ctx.load_verify_locations()
    with pytest.raises(ValueError, match="invalid cert"):
        ctx.load_verify_locations(cadata="not a certificate")
    with pytest.raises(ValueError, match="Server side context cannot have hostname"):
        ctx.wrap_socket(pool.socket(), server_side=True, server_hostname="x")
    udp = pool.socket(pool.AF_INET, pool.SOCK_DGRAM)
    with pytest.raises(RuntimeError, match="Invalid socket for TLS"):
        ctx.wrap_socket(udp, server_hostname="x")
    udp.close()
    with pytest.raises(TypeError, match="sock must be of type Socket, not int"):
        ctx.wrap_socket(1)
    raw = pool.socket()
    tls = ctx.wrap_socket(raw, server_hostname="localhost")
    with pytest.raises(OSError) as e:  # the socket now belongs to the TLS socket
        raw.settimeout(1) or raw.connect(("127.0.0.1", 1))
    assert e.value.errno == 9
    tls.close()
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(ValueError, match="invalid cert"):
        ctx.load_cert_chain(str(tmp_path / "junk.pem"))


@pytest.mark.skipif(not os.path.exists(NEWLIB_ERRNO), reason="newlib's errno.h (gcc-arm-none-eabi) is missing")
def test_errno_numbers_are_newlibs(pool, server):
    """The OSError numbers of socket failures are those of newlib's errno.h, which CircuitPython's
    builds use, not Linux's."""
    newlib = {}
    with open(NEWLIB_ERRNO) as f:
        for line in f:
            m = re.match(r"#define\s+(E[A-Z0-9]+)\s+(\d+)\b", line)
            if m:
                newlib[m.group(1)] = int(m.group(2))
    port, _, _ = server
    s = pool.socket()
    s.settimeout(0.05)
    s.connect(("127.0.0.1", port))
    with pytest.raises(OSError) as e:
        s.recv_into(bytearray(1))
    assert e.value.errno == newlib["ETIMEDOUT"]
    s.close()
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    refused_port = free.getsockname()[1]
    free.close()
    with pytest.raises(OSError) as e:
        c = pool.socket()
        c.settimeout(5)
        c.connect(("127.0.0.1", refused_port))
    assert e.value.errno == newlib["ECONNREFUSED"]
    c.close()
    a = pool.socket()
    a.bind(("127.0.0.1", 0))
    a.listen(1)
    with pytest.raises(OSError) as e:
        b = pool.socket()
        b.bind(("127.0.0.1", port))  # the test's own listener holds it
    assert e.value.errno == newlib["EADDRINUSE"]
    a.close()
    b.close()
