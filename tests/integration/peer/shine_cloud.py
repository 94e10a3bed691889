#!/usr/bin/python3
"""Plays the Growatt cloud (server.growatt.com:5279) for regpoll's relay tests.

Accepts any number of connections (one per relayed stick connection), cuts Shine records by
their length field, checks the CRC of protocols 5 and 6, echoes pings and acks data records as
the cloud does. After the first data record on a connection, with --commands, it sends what a
cloud may send a stick: an upload-interval write (0x18 item 4 = "1"), an inverter register
write (0x06 register 3 = 0), a clock set (0x18 item 31) and a setting read (0x19 item 4), all
with transaction 1 to the record's unit.

Prints "READY <port>" on stdout; every frame received goes to --log as one line
"RX <hex>" (and "CONNECTED" / "CLOSED" per connection), flushed at once.
Written for regpoll's tests; standard library only.
"""
import argparse
import selectors
import socket
import sys

KEY = b"Growatt"
DATA_TYPES = {0x03, 0x04, 0x50, 0x20, 0x1B}
PING = 0x16


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def xor(body):
    return bytes(b ^ KEY[i % len(KEY)] for i, b in enumerate(body))


def masked(protocol):
    return protocol in (5, 6)


def frame(transaction, protocol, unit, ftype, plain_body):
    body = xor(plain_body) if masked(protocol) else plain_body
    out = (transaction.to_bytes(2, "big") + protocol.to_bytes(2, "big")
           + (len(body) + 2).to_bytes(2, "big") + bytes([unit, ftype]) + body)
    if masked(protocol):
        out += crc16(out).to_bytes(2, "big")
    return out


def serial_field(protocol, serial):
    size = 30 if protocol == 6 else 10
    return serial.encode().ljust(size, b"\0")


def commands(protocol, unit, serial):
    field = serial_field(protocol, serial)
    clock = b"2023-11-04 08:52:00"
    return [
        frame(1, protocol, 1, 0x18, field + (4).to_bytes(2, "big") + (1).to_bytes(2, "big") + b"1"),
        frame(1, protocol, unit, 0x06, field + (3).to_bytes(2, "big") + (0).to_bytes(2, "big")),
        frame(1, protocol, 1, 0x18, field + (31).to_bytes(2, "big")
              + len(clock).to_bytes(2, "big") + clock),
        frame(1, protocol, 1, 0x19, field + (4).to_bytes(2, "big") + (4).to_bytes(2, "big")),
    ]


class Connection:
    def __init__(self, sock, args, log):
        self.sock = sock
        self.args = args
        self.log = log
        self.buffer = b""
        self.commanded = False

    def feed(self, data):
        self.buffer += data
        while len(self.buffer) >= 8:
            protocol = int.from_bytes(self.buffer[2:4], "big")
            length = int.from_bytes(self.buffer[4:6], "big")
            size = 6 + length + (2 if masked(protocol) else 0)
            if protocol not in (0, 2, 5, 6) or length < 2 or length > 4096:
                self.log("BAD header " + self.buffer[:8].hex())
                self.buffer = self.buffer[1:]
                continue
            if len(self.buffer) < size:
                return
            raw, self.buffer = self.buffer[:size], self.buffer[size:]
            if masked(protocol) and crc16(raw[:-2]) != int.from_bytes(raw[-2:], "big"):
                self.log("BAD crc " + raw.hex())
                continue
            self.log("RX " + raw.hex())
            self.answer(raw, protocol)

    def answer(self, raw, protocol):
        transaction = int.from_bytes(raw[0:2], "big")
        unit, ftype = raw[6], raw[7]
        if ftype == PING:
            self.sock.sendall(raw)
        elif ftype in DATA_TYPES:
            if not self.args.no_ack:
                self.sock.sendall(frame(transaction, protocol, unit, ftype, b"\0"))
            if self.args.commands and not self.commanded and ftype in (0x03, 0x04):
                self.commanded = True
                end = len(raw) - (2 if masked(protocol) else 0)
                body = xor(raw[8:end]) if masked(protocol) else raw[8:end]
                size = 30 if protocol == 6 else 10
                serial = body[:size].split(b"\0")[0].decode()
                for command in commands(protocol, unit, serial):
                    self.sock.sendall(command)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--commands", action="store_true")
    parser.add_argument("--no-ack", action="store_true")
    args = parser.parse_args()

    with open(args.log, "a", encoding="ascii") as log_file:
        def log(line):
            log_file.write(line + "\n")
            log_file.flush()

        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", args.port))
        server.listen(16)
        server.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(server, selectors.EVENT_READ, None)
        print("READY", server.getsockname()[1], flush=True)
        while True:
            for key, _ in sel.select():
                if key.data is None:
                    sock, _ = server.accept()
                    log("CONNECTED")
                    sel.register(sock, selectors.EVENT_READ, Connection(sock, args, log))
                    continue
                conn = key.data
                try:
                    data = conn.sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    log("CLOSED")
                    sel.unregister(conn.sock)
                    conn.sock.close()
                    continue
                conn.feed(data)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
