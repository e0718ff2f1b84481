#!/usr/bin/python3
"""An HTTP/1.1 server (Python's http.server) that answers badly on purpose, for the HTTP
client's tests. It listens on 127.0.0.1, on a port the kernel picks, prints "PORT <n>" and
serves until killed. Each path is one behaviour:

  /ok            200, Content-Length, keep-alive
  /stats         connections accepted so far (this one included) and requests on this one
  /arm-drop      200; the next request on this connection is read and answered by closing it
  /close-after   200 with Content-Length, then the server closes without saying so
  /truncated     Content-Length: 100, 50 bytes, close
  /badchunk      chunked with a chunk size that is not hex
  /hugechunk     chunked with a chunk size beyond 2^64
  /trailers      chunked body with two trailer fields
  /headerflood   100 header fields (fewer bytes than the buffer, more than the field array)
  /longheader    one 20000-byte header field
  /drip          the head one byte at a time, forever (slowloris)
  /stall         nothing at all until the client gives up
  /stallbody     a head and half the body, then nothing
  /nolength      no Content-Length, not chunked: the body runs to the close
  /http10        an HTTP/1.0 answer without keep-alive
  /interim       100 Continue and 103 Early Hints before the 200
  /bothlength    Transfer-Encoding: chunked and Content-Length
  /duplength     two different Content-Length fields
  /badstatus     "HTTP/1.1 2OO OK"
  /fold          a folded (obs-fold) header field
  /lf            every line ended by a bare LF
  /nocontent     204, then garbage bytes on the connection
  /big?n=N       N bytes of a known pattern, chunked or not (&chunked=1)
"""
import http.server
import socketserver
import sys
import threading
import time
import urllib.parse


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    connections = 0
    lock = threading.Lock()


def pattern(n):
    block = bytes(range(256))
    return (block * (n // 256 + 1))[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1
        self.requests_here = 0
        self.drop_next = False

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def do_GET(self):
        self.requests_here += 1
        if self.drop_next:
            self.close_connection = True
            return
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        path = url.path
        if path == "/ok":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        elif path == "/stats":
            body = b"connections=%d requests=%d" % (self.server.connections, self.requests_here)
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        elif path == "/arm-drop":
            self.drop_next = True
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\narmed")
        elif path == "/close-after":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbye!")
            self.close_connection = True
        elif path == "/truncated":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"t" * 50)
            self.close_connection = True
        elif path == "/badchunk":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n")
            self.close_connection = True
        elif path == "/hugechunk":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n")
            self.close_connection = True
        elif path == "/trailers":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Note\r\n\r\n"
                     b"6;name=value\r\nchunk1\r\n6\r\nchunk2\r\n0\r\nX-Checksum: 1234\r\nX-Note: done\r\n\r\n")
        elif path == "/headerflood":
            head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Flood-%d: v\r\n" % i for i in range(100))
            self.raw(head + b"Content-Length: 0\r\n\r\n")
        elif path == "/longheader":
            self.raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 20000 + b"\r\nContent-Length: 0\r\n\r\n")
        elif path == "/drip":
            self.close_connection = True
            try:
                self.raw(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while True:
                    self.raw(b"d")
                    time.sleep(0.05)
            except OSError:
                pass
        elif path in ("/stall", "/stallbody"):
            self.close_connection = True
            if path == "/stallbody":
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"s" * 50)
            # Wait for the client to give up (its close ends this read).
            try:
                self.rfile.read(1)
            except OSError:
                pass
        elif path == "/nolength":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until the connection closes")
            self.close_connection = True
        elif path == "/http10":
            self.raw(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhttp10")
            self.close_connection = True
        elif path == "/interim":
            self.raw(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
        elif path == "/bothlength":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        elif path == "/duplength":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
            self.close_connection = True
        elif path == "/badstatus":
            self.raw(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
            self.close_connection = True
        elif path == "/fold":
            self.raw(b"HTTP/1.1 200 OK\r\nX-Folded: part one\r\n  part two\r\nContent-Length: 1\r\n\r\nf")
        elif path == "/lf":
            self.raw(b"HTTP/1.1 200 OK\nContent-Length: 2\nX-Lf: yes\n\nlf")
        elif path == "/nocontent":
            self.raw(b"HTTP/1.1 204 No Content\r\n\r\nGARBAGE")
        elif path == "/big":
            n = int(q.get("n", ["0"])[0])
            data = pattern(n)
            if q.get("chunked", ["0"])[0] == "1":
                self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                step = 1000
                for i in range(0, n, step):
                    part = data[i:i + step]
                    self.raw(b"%x\r\n" % len(part) + part + b"\r\n")
                self.raw(b"0\r\n\r\n")
            else:
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + data)
        else:
            self.raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
