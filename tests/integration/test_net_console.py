"""A program waiting on the network stays a board's program: Ctrl-C and auto-reload stop a
blocking recv_into or accept at once (the wait runs in slices with the console and the file
watcher heard in between), and the sockets it left open are closed for the next run."""
import socket



def write(path, text):
    path.write_text(text)


WAIT_RECV = """\
import wifi, socketpool
pool = socketpool.SocketPool(wifi.radio)
s = pool.socket()
s.connect(("127.0.0.1", {port}))
print("waiting")
s.recv_into(bytearray(10))
"""


def test_ctrl_c_stops_a_blocking_recv(drive, board):
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(1)
    try:
        write(drive / "code.py", WAIT_RECV.format(port=lsn.getsockname()[1]))
        b = board(drive)
        b.expect("waiting\n")
        b.send("\x03")
        b.expect("Traceback (most recent call last):\n")
        b.expect("KeyboardInterrupt: \n\nCode done running.\n")
    finally:
        lsn.close()


def test_auto_reload_stops_a_blocking_accept(drive, board):
    code = """\
import wifi, socketpool, supervisor
pool = socketpool.SocketPool(wifi.radio)
s = pool.socket()
s.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1)
print("accepting", supervisor.runtime.run_reason)
s.accept()
"""
    write(drive / "code.py", code)
    b = board(drive)
    b.expect("accepting supervisor.RunReason.STARTUP\n")
    write(drive / "other.txt", "a write from the computer")
    b.expect("Code stopped by auto-reload. Reloading soon.\n")
    b.expect("accepting supervisor.RunReason.AUTO_RELOAD\n")
