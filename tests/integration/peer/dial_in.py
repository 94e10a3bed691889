#!/usr/bin/python3
"""A device that dials in, for regpoll's listen-mode tests.

Data loggers (the Growatt Wi-Fi stick) connect out to a server and wait to be
polled. This script plays one, with a real Modbus server behind it: it connects
to regpoll (--to, retrying until regpoll listens), connects to a modbus_peer.py
TCP server (--peer: tcp or rtu-over-tcp), and copies bytes both ways. With
--drop-after N it hangs up after relaying N answers and dials in again after
--redial-ms, as loggers do when their link hiccups.

Answers are counted by their framing (--framing mbap|rtu). Prints
"READY dial-in" on stdout at once. Exits on SIGTERM/SIGINT or after --seconds.
"""

import argparse
import select
import signal
import socket
import sys
import time


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def complete_answers(buf, framing):
    """Number of whole answers at the start of buf, and the bytes they take."""
    count, used = 0, 0
    while True:
        rest = buf[used:]
        if framing == "mbap":
            if len(rest) < 6 or len(rest) < 6 + int.from_bytes(rest[4:6], "big"):
                return count, used
            used += 6 + int.from_bytes(rest[4:6], "big")
            count += 1
            continue
        # RTU answers from pymodbus come whole; find the shortest prefix with a valid CRC.
        for end in range(4, len(rest) + 1):
            if crc16(rest[:end - 2]) == rest[end - 2] | (rest[end - 1] << 8):
                used += end
                count += 1
                break
        else:
            return count, used


def connect(host, port, deadline, retry):
    while True:
        try:
            return socket.create_connection((host, port), timeout=2)
        except OSError:
            if not retry or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def relay(master, device, args, stop):
    """Copies until a side closes or --drop-after answers went by; True to dial again."""
    answers, pending = 0, b""
    while not stop:
        ready, _, _ = select.select([master, device], [], [], 0.2)
        if master in ready:
            data = master.recv(4096)
            if not data:
                return False  # regpoll hung up (refused, or done)
            device.sendall(data)
        if device in ready:
            data = device.recv(4096)
            if not data:
                return False
            master.sendall(data)
            pending += data
            count, used = complete_answers(pending, args.framing)
            answers, pending = answers + count, pending[used:]
            if args.drop_after and answers >= args.drop_after:
                return True
    return False


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--to", type=int, required=True, help="regpoll's listen port")
    parser.add_argument("--peer", type=int, required=True, help="modbus_peer.py TCP port")
    parser.add_argument("--framing", choices=("mbap", "rtu"), default="mbap")
    parser.add_argument("--drop-after", type=int, default=0)
    parser.add_argument("--redial-ms", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    stop = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.append(True))
    sys.stdout.write("READY dial-in\n")
    sys.stdout.flush()
    deadline = time.monotonic() + args.seconds
    while not stop and time.monotonic() < deadline:
        master = connect("127.0.0.1", args.to, deadline, retry=True)
        device = connect("127.0.0.1", args.peer, deadline, retry=False)
        again = relay(master, device, args, stop)
        master.close()
        device.close()
        if not again:
            break
        time.sleep(args.redial_ms / 1000.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
