#!/usr/bin/python3
"""A faulty serial line between regpoll and a serial Modbus peer, for integration tests.

    regpoll <-> pty pair 1 <-> line_tamperer <-> pty pair 2 <-> modbus_peer.py (pymodbus)

It copies bytes both ways, and does to the device's answers what real lines and
adapters do:

  --echo              send every byte from the master straight back to it, as a
                      2-wire RS485 adapter whose receiver stays on does
  --split             write each answer in pieces at odd places (1, 3, 2, 4, ...
                      bytes) with --split-pause-ms (default 3) between them
  --fault crc|unit    spoil the first --fault-count answers (default 1): flip a CRC
                      (or LRC) bit, or change the unit id (with a valid checksum)
  --deaf-after-identification
                      (RTU) never pass on a device identification request (FC43), and
                      drop the request after it too, as a device that flushes its input
                      after a request it does not answer (libmodbus's test server)

Answers are recognised by their checksum (RTU) or by CR LF (ASCII), so that a fault
hits a whole frame. Readiness: prints "READY tamperer" on stdout once both devices
are open. Exits on SIGTERM/SIGINT, or after --seconds (default 120), with status 0.
"""

import argparse
import os
import select
import signal
import sys
import termios
import time
import tty

SPLIT_SIZES = (1, 3, 2, 4)


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def rtu_frame_complete(buf):
    return len(buf) >= 4 and crc16(buf[:-2]) == (buf[-2] | (buf[-1] << 8))


def lrc(data):
    return (-sum(data)) & 0xFF


def spoil(frame, fault, framing):
    if framing == "rtu":
        frame = bytearray(frame)
        if fault == "crc":
            frame[-1] ^= 0x01
        else:
            frame[0] = (frame[0] + 1) & 0xFF
            crc = crc16(frame[:-2])
            frame[-2:] = bytes((crc & 0xFF, crc >> 8))
        return bytes(frame)
    body = bytearray(bytes.fromhex(frame[1:-2].decode("ascii")))
    if fault == "crc":
        body[-1] ^= 0x01
    else:
        body[0] = (body[0] + 1) & 0xFF
        body[-1] = lrc(body[:-1])
    return b":" + body.hex().upper().encode("ascii") + b"\r\n"


def open_raw(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd, termios.TCSANOW)
    return fd


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def send_answer(fd, frame, args):
    if not args.split:
        write_all(fd, frame)
        return
    pos, i = 0, 0
    while pos < len(frame):
        piece = frame[pos:pos + SPLIT_SIZES[i % len(SPLIT_SIZES)]]
        write_all(fd, piece)
        pos += len(piece)
        i += 1
        if pos < len(frame):
            time.sleep(args.split_pause_ms / 1000.0)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--master", required=True, help="pty end facing regpoll")
    parser.add_argument("--device", required=True, help="pty end facing the peer")
    parser.add_argument("--framing", choices=("rtu", "ascii"), default="rtu")
    parser.add_argument("--echo", action="store_true")
    parser.add_argument("--split", action="store_true")
    parser.add_argument("--split-pause-ms", type=float, default=3.0)
    parser.add_argument("--fault", choices=("crc", "unit"))
    parser.add_argument("--fault-count", type=int, default=1)
    parser.add_argument("--deaf-after-identification", action="store_true")
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)

    stop = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.append(True))
    master, device = open_raw(args.master), open_raw(args.device)
    sys.stdout.write("READY tamperer\n")
    sys.stdout.flush()

    answer = bytearray()
    request = bytearray()
    swallow_next = False
    faults_left = args.fault_count if args.fault else 0
    deadline = time.monotonic() + args.seconds
    while not stop and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select([master, device], [], [], 0.2)
        except InterruptedError:
            continue
        if master in ready:
            data = os.read(master, 4096)
            if args.echo:
                write_all(master, data)
            if args.deaf_after_identification:
                request += data
                if not rtu_frame_complete(request):
                    continue
                frame = bytes(request)
                request.clear()
                if frame[1] == 0x2B:
                    swallow_next = True
                    continue
                if swallow_next:
                    swallow_next = False
                    continue
                data = frame
            write_all(device, data)
        if device in ready:
            answer += os.read(device, 4096)
            done = (rtu_frame_complete(answer) if args.framing == "rtu"
                    else answer.endswith(b"\r\n"))
            if done:
                frame = bytes(answer)
                answer.clear()
                if faults_left > 0:
                    faults_left -= 1
                    frame = spoil(frame, args.fault, args.framing)
                send_answer(master, frame, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
