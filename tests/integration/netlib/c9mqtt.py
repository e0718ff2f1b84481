# A small MQTT 3.1.1 client for the board, written for circuit9's tests: it talks to the broker
# over a socketpool socket the way MiniMQTT does (send() in a loop, recv_into() into a
# memoryview for an exact number of bytes, settimeout() per wait, ETIMEDOUT/EAGAIN from the
# socket meaning "nothing yet").
import errno
import struct


def _string(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(b)) + b


def _length(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class MQTT:
    def __init__(self, pool, host, port, client_id, ssl_context=None, timeout=5):
        info = pool.getaddrinfo(host, port, 0, pool.SOCK_STREAM)[0]
        sock = pool.socket(info[0], info[1])
        target = info[-1][0]
        if ssl_context is not None:
            sock = ssl_context.wrap_socket(sock, server_hostname=host)
            target = host
        sock.settimeout(timeout)
        sock.connect((target, port))
        self.sock = sock
        self.timeout = timeout
        self.next_id = 1
        self.messages = []
        payload = _string("MQTT") + bytes([4, 2]) + struct.pack(">H", 60) + _string(client_id)
        self._send(0x10, payload)
        body = self._wait_for(0x20, timeout)
        if body is None or body[1] != 0:
            raise RuntimeError("connection refused: %r" % (body,))

    def _send(self, first, payload):
        data = bytes([first]) + _length(len(payload)) + payload
        view = memoryview(data)
        sent = 0
        while sent < len(data):
            try:
                sent += self.sock.send(view[sent:])
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise

    def _exact(self, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            r = self.sock.recv_into(view[got:], n - got)
            if r == 0:
                raise OSError(errno.ENOTCONN)
            got += r
        return buf

    def _handle(self, kind, body, first):
        if kind == 0x30:
            tl = struct.unpack(">H", body[:2])[0]
            topic = str(body[2:2 + tl], "utf-8")
            rest = body[2 + tl:]
            qos = (first >> 1) & 3
            if qos:
                pid = rest[:2]
                rest = rest[2:]
                self._send(0x40, bytes(pid))
            self.messages.append((topic, bytes(rest)))
            return True
        return False

    def _wait_for(self, want, timeout):
        while True:
            self.sock.settimeout(timeout)
            try:
                first = self._exact(1)[0]
            except OSError as e:
                if e.errno in (errno.ETIMEDOUT, errno.EAGAIN):
                    return None
                raise
            self.sock.settimeout(self.timeout)
            n, shift = 0, 0
            while True:
                b = self._exact(1)[0]
                n |= (b & 0x7F) << shift
                shift += 7
                if not b & 0x80:
                    break
            body = self._exact(n) if n else bytearray()
            kind = first & 0xF0
            if not self._handle(kind, body, first) and kind == want:
                return body

    def _id(self):
        pid = self.next_id
        self.next_id = pid % 65535 + 1
        return pid

    def subscribe(self, topic, qos=0):
        pid = self._id()
        self._send(0x82, struct.pack(">H", pid) + _string(topic) + bytes([qos]))
        body = self._wait_for(0x90, self.timeout)
        if body is None or body[2] == 0x80:
            raise RuntimeError("subscribe refused")
        return body[2]

    def publish(self, topic, payload, qos=0):
        if isinstance(payload, str):
            payload = payload.encode()
        if qos == 0:
            self._send(0x30, _string(topic) + payload)
            return
        pid = self._id()
        self._send(0x32, _string(topic) + struct.pack(">H", pid) + payload)
        if self._wait_for(0x40, self.timeout) is None:
            raise RuntimeError("no PUBACK")

    def ping(self):
        self._send(0xC0, b"")
        return self._wait_for(0xD0, self.timeout) is not None

    def loop(self, timeout):
        """Handles what arrives within timeout; returns the messages received so far."""
        self._wait_for(-1, timeout)
        return self.messages

    def disconnect(self):
        try:
            self._send(0xE0, b"")
        finally:
            self.sock.close()
