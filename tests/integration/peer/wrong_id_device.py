#!/usr/bin/python3
"""A Modbus TCP device that answers every read with another transaction id, for the test
that regpoll discards such a reply and says so (libmodbus's test suite has this case).

Listens on 127.0.0.1 at a free port and prints "READY <port>"; answers FC3/FC4 with
zeros, the transaction id plus 100. Exits on SIGTERM/SIGINT or after --seconds (60).
"""

import argparse
import signal
import socket
import struct
import sys
import threading


def serve(conn):
    with conn:
        while True:
            header = conn.recv(7, socket.MSG_WAITALL)
            if len(header) < 7:
                return
            tid, _, length, unit = struct.unpack(">HHHB", header)
            pdu = conn.recv(length - 1, socket.MSG_WAITALL)
            if len(pdu) < length - 1:
                return
            if pdu[0] not in (3, 4) or len(pdu) < 5:
                continue
            count = struct.unpack(">H", pdu[3:5])[0]
            body = bytes((pdu[0], 2 * count)) + bytes(2 * count)
            conn.sendall(struct.pack(">HHHB", (tid + 100) & 0xFFFF, 0, len(body) + 1, unit) + body)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sys.exit(0))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(0))
    signal.alarm(int(args.seconds))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    sys.stdout.write(f"READY {listener.getsockname()[1]}\n")
    sys.stdout.flush()
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
