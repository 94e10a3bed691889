#!/usr/bin/python3
"""Configurable Modbus server ("peer") for regpoll's integration tests.

The peer is an *independent* Modbus implementation: it is Debian's
python3-pymodbus 3.0.0 (run it with /usr/bin/python3 -- other interpreters may
not have pymodbus, or may have an incompatible version; the script refuses to
run on anything but pymodbus 3.0.x).

Transports
----------
  --transport tcp            Modbus/TCP (MBAP framing)      --host/--port
  --transport rtu-over-tcp   RTU frames (with CRC) over TCP --host/--port
  --transport ascii-over-tcp ASCII frames over TCP          --host/--port
  --transport rtu            RTU on a serial device         --device/--baud/...
  --transport ascii          ASCII on a serial device       --device/--baud/...

  --host 127.0.0.1 --port 0  TCP listen address. Port 0 lets the OS pick a free
                             port; the real port is announced (see READY). Use a
                             numeric host: a name resolving to several addresses
                             would bind several sockets with different ports and
                             is rejected when --port is 0.
  --device /dev/pts/N        Serial device (a real port or a pty, e.g. one end of
                             `socat -d -d pty,raw,echo=0 pty,raw,echo=0`).
  --baud 19200 --parity E|N|O --stopbits 1|2 --bytesize 7|8
                             Line settings (defaults 19200, E, 1, 8). On a pty
                             they have no effect, and parity is not even
                             requested there: Linux ptys drop PARENB and some
                             kernels reject a tcsetattr() that only sets it.

Readiness protocol
------------------
Once the server is listening, exactly one line is written to stdout and flushed:
    READY <port>      (tcp, rtu-over-tcp, ascii-over-tcp: the bound TCP port)
    READY <device>    (rtu, ascii: the --device argument as given)
Nothing else is ever written to stdout; all logging goes to stderr.

Lifetime
--------
SIGTERM or SIGINT: close the listener/serial port and exit with status 0.
--seconds N (default 120; 0 = no limit): exit by itself with status 0 after N
seconds, so no test can leave the peer running. Exit status 1: runtime failure
(cannot bind/open, serial link lost). Exit status 2: bad command line or bad
values file.

Units
-----
--units 1,2,5-7    Unit ids served (0..255), default "1". Every unit has its own
                   independent tables, so a write to unit 1 is not visible on 2.
Requests for any other unit id are handled according to --unknown-unit:
  silent           no reply at all, like an absent device on a serial bus
                   (default for rtu, ascii, rtu-over-tcp, ascii-over-tcp)
  gateway-target   exception 0x0B GATEWAY TARGET DEVICE FAILED TO RESPOND, as a
                   Modbus/TCP gateway answers for a unit that is not there
                   (default for tcp)
  gateway-path     exception 0x0A GATEWAY PATH UNAVAILABLE
--broadcast        Treat unit 0 as broadcast: the request is executed on every
                   served unit and nothing is sent back. Without it, unit 0 is an
                   ordinary unit id (served only if listed in --units).

Data tables
-----------
Four tables per unit: holding (FC3/6/16/22/23), input (FC4), coils (FC1/5/15),
discrete (FC2). Protocol (PDU) addresses are used as-is: address 0 in a request
is entry 0 of the table (pymodbus' default "zero_mode=False" off-by-one is NOT
used). Each table holds 65536 entries (addresses 0..65535), zero-filled except
for the values given. A table can be made shorter: then any request touching an
address >= its size is answered with exception 0x02 ILLEGAL DATA ADDRESS.
  --size N                   size of all four tables (0..65536)
  --holding-size N  --input-size N  --coils-size N  --discrete-size N
                             size of one table (overrides --size and the file)
Writes by clients are stored and can be read back for the peer's lifetime.

Values file (--values FILE.json); without it the built-in defaults are used
(print them with --print-default-values):
    {
      "holding":  {"0": [1, 2, 3], "100": [64302, "0x47F1", 8192]},
      "input":    {"0": [100, 200]},
      "coils":    {"0": [1, 0, 1]},
      "discrete": {"0": [true, false]},
      "sizes":    {"holding": 200},
      "units":    {"2": {"holding": {"0": [222]}, "sizes": {"input": 10}}}
    }
  * Table keys map a start address to a list of consecutive values (a single
    value may be given instead of a list). Addresses are decimal or "0x.." strings.
  * Register values: 0..65535, or -32768..-1 (stored as 16-bit two's complement),
    or strings parsed with Python int(s, 0) such as "0x47F1" (JSON has no hex
    literals).
  * Bit values: 0/1/true/false.
  * "sizes" (optional) limits tables as with the --*-size flags; flags win.
    Values that do not fit into a table are dropped (with a warning on stderr),
    so e.g. --holding-size 50 can be combined with any values file.
  * Top-level tables and sizes apply to every served unit. "units" (optional)
    adds per-unit data on top of that (unit-specific entries win); every unit
    listed there must be served (--units).
  * All top-level keys are optional; unknown keys are rejected.

Device identification (FC 43 / MEI 14)
--------------------------------------
  --vendor regpoll-test --product-code PEER --revision 3.0.0
  --vendor-url, --product-name, --model-name, --user-app-name (default empty)
pymodbus keeps one identity per process: every unit reports the same objects.
Empty objects are left out of responses. pymodbus 3.0.0 behaviour a client
will see: conformity level is always 0x83; read code 4 (one specific object)
for an object that does not exist returns that object with length 0 instead of
exception 0x02; read code 1 with a start object id >= 3 returns 0 objects; read
code 0 gets exception 0x04 (an internal KeyError), read codes > 4 exception
0x03; MEI types other than 14 are answered as if they were 14.
FC 17 (report server id) answers with the identity objects joined by "-"
("regpoll-test-PEER-3.0.0") followed by run status 0xFF, without a separate
server-id byte.

Framing notes
-------------
RTU: frames are delimited by their expected length (pymodbus does not use
inter-character timing); a frame with a bad CRC makes the peer discard all
bytes received so far. Requests with a function code pymodbus does not know
get NO reply on RTU (it cannot tell their length), but exception 0x01 on TCP.
ASCII: a frame with a bad LRC or bad hex digits is dropped (pymodbus 3.0.0
itself would stop answering altogether; see PeerAsciiFramer).

Fault injection
---------------
  --delay-ms N            send every reply N ms after the request arrived
  --exception-units 126   answer every request to these unit ids with exception
                          --exception-code (default 4, SERVER DEVICE FAILURE: an
                          inverter asleep at night)
  --no-reply-units 3,4    never answer these unit ids (checked before anything
                          else, also for served units)

Logging (stderr)
----------------
  --log-level debug|info|warning|error       the peer's own log (default info:
                                             one line per request and reply)
  --pymodbus-log-level ...                   pymodbus' log (default warning;
                                             debug shows raw frames in hex)
"""

import argparse
import asyncio
import importlib.util
import json
import logging
import os
import signal
import sys
import termios
import types

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2

LOG = logging.getLogger("modbus_peer")


def _make_serial_asyncio_optional():
    """Let pymodbus import without the serial_asyncio package.

    pymodbus 3.0.0 imports serial_asyncio at module level in pymodbus.server and
    pymodbus.client, but Debian only *recommends* python3-serial-asyncio and our
    dependency script installs without recommends. This peer drives serial ports
    itself with pyserial, so a placeholder module is enough.
    """
    if importlib.util.find_spec("serial_asyncio") is None:
        placeholder = types.ModuleType("serial_asyncio")

        async def create_serial_connection(*_args, **_kwargs):
            raise RuntimeError("serial_asyncio is not installed")

        placeholder.create_serial_connection = create_serial_connection
        sys.modules["serial_asyncio"] = placeholder


_make_serial_asyncio_optional()

# pylint: disable=wrong-import-position
import serial  # noqa: E402  (pyserial)

import pymodbus  # noqa: E402
from pymodbus.datastore import (  # noqa: E402
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.device import ModbusControlBlock, ModbusDeviceIdentification  # noqa: E402
from pymodbus.factory import ServerDecoder  # noqa: E402
from pymodbus.pdu import ModbusExceptions  # noqa: E402
from pymodbus.server.async_io import (  # noqa: E402
    ModbusConnectedRequestHandler,
    ModbusSingleRequestHandler,
    ModbusTcpServer,
)
from pymodbus.transaction import (  # noqa: E402
    ModbusAsciiFramer,
    ModbusRtuFramer,
    ModbusSocketFramer,
)

# pylint: enable=wrong-import-position

TABLES = ("holding", "input", "coils", "discrete")
BIT_TABLES = ("coils", "discrete")
FULL_TABLE_SIZE = 65536


class PeerAsciiFramer(ModbusAsciiFramer):
    """ASCII framer that discards a bad frame instead of wedging.

    pymodbus 3.0.0's ModbusAsciiFramer leaves a complete frame whose LRC does
    not match in its buffer; every later frame is then checked behind it and
    the server never answers again. A real device drops the bad frame, so do
    that here.
    """

    def checkFrame(self):
        while True:
            try:
                if super().checkFrame():
                    return True
            except ValueError:  # bad hex digits (binascii.Error is a ValueError)
                pass
            end = self._buffer.find(self._end)
            if end == -1:
                return False
            LOG.warning("dropping bad ASCII frame %r", bytes(self._buffer[: end + 2]))
            self._buffer = self._buffer[end + 2 :]
            self._header = {"lrc": "0000", "len": 0, "uid": 0x00}


# transport -> (framer, is_tcp)
TRANSPORTS = {
    "tcp": (ModbusSocketFramer, True),
    "rtu-over-tcp": (ModbusRtuFramer, True),
    "ascii-over-tcp": (PeerAsciiFramer, True),
    "rtu": (ModbusRtuFramer, False),
    "ascii": (PeerAsciiFramer, False),
}

UNKNOWN_UNIT_POLICIES = {
    "silent": None,
    "gateway-path": ModbusExceptions.GatewayPathUnavailable,  # 0x0A
    "gateway-target": ModbusExceptions.GatewayNoResponse,  # 0x0B
}

# Built-in tables, in values-file format, used when --values is not given.
DEFAULT_VALUES = {
    "holding": {
        "0": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        "100": ["0x4049", "0x0FDB"],  # float32 3.1415927, big-endian words
        "200": ["0x1234", "0x5678"],  # uint32 0x12345678, big-endian words
        "300": [-1, -32768, 32767],  # int16 -1, -32768, 32767
    },
    "input": {"0": [100, 200, 300, 400, 500]},
    "coils": {"0": [1, 0, 1, 1, 0, 0, 1, 0]},
    "discrete": {"0": [0, 1, 0, 1]},
}


class ConfigError(Exception):
    """Bad command line or values file (exit status 2)."""


class RuntimeFailure(Exception):
    """The peer could not start or lost its link (exit status 1)."""


# --------------------------------------------------------------------------- #
# Configuration parsing
# --------------------------------------------------------------------------- #
def parse_int(value, what):
    """Parse an int from a JSON number or a string such as "0x10"."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip(), 0)
        except ValueError:
            pass
    raise ConfigError(f"{what}: {value!r} is not an integer")


def parse_unit_list(text, what):
    """Parse "1,2,5-7" into a sorted list of unit ids."""
    units = set()
    if text is None or not text.strip():
        return []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low_text, high_text = part.split("-", 1)
            low, high = parse_int(low_text, what), parse_int(high_text, what)
        else:
            low = high = parse_int(part, what)
        if not 0 <= low <= high <= 255:
            raise ConfigError(f"{what}: {part!r} is not a unit id range within 0..255")
        units.update(range(low, high + 1))
    return sorted(units)


def parse_register(value, where):
    number = parse_int(value, where)
    if not -32768 <= number <= 65535:
        raise ConfigError(f"{where}: {number} does not fit in a 16-bit register")
    return number & 0xFFFF


def parse_bit(value, where):
    number = parse_int(value, where)
    if number not in (0, 1):
        raise ConfigError(f"{where}: {value!r} is not a bit (0/1/true/false)")
    return bool(number)


def parse_table(spec, table, where):
    """Parse {"addr": [values...]} into {addr: [parsed values]}."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be an object mapping addresses to values")
    parse_value = parse_bit if table in BIT_TABLES else parse_register
    result = {}
    for key, values in spec.items():
        address = parse_int(key, f"{where}: address")
        if not 0 <= address < FULL_TABLE_SIZE:
            raise ConfigError(f"{where}: address {address} is outside 0..65535")
        if not isinstance(values, list):
            values = [values]
        result[address] = [
            parse_value(value, f"{where}[{address + offset}]")
            for offset, value in enumerate(values)
        ]
    return result


def parse_sizes(spec, where):
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be an object mapping table names to sizes")
    sizes = {}
    for table, value in spec.items():
        if table not in TABLES:
            raise ConfigError(f"{where}: unknown table {table!r} (use {', '.join(TABLES)})")
        sizes[table] = check_size(parse_int(value, f"{where}.{table}"), f"{where}.{table}")
    return sizes


def check_size(size, what):
    if not 0 <= size <= FULL_TABLE_SIZE:
        raise ConfigError(f"{what}: table size {size} is outside 0..{FULL_TABLE_SIZE}")
    return size


def parse_unit_spec(spec, where, allow_units):
    """Parse one level of the values file: tables, "sizes" and maybe "units"."""
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    allowed = set(TABLES) | {"sizes"} | ({"units"} if allow_units else set())
    unknown = set(spec) - allowed
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}"
        )
    tables = {
        table: parse_table(spec[table], table, f"{where}.{table}")
        for table in TABLES
        if table in spec
    }
    sizes = parse_sizes(spec.get("sizes", {}), f"{where}.sizes")
    return tables, sizes


def build_unit_layouts(values, units, size_flags, source):
    """Return {unit: (tables, sizes)} with per-unit data merged over the defaults."""
    common_tables, common_sizes = parse_unit_spec(values, source, allow_units=True)
    per_unit = values.get("units", {})
    if not isinstance(per_unit, dict):
        raise ConfigError(f"{source}.units: must be an object mapping unit ids to tables")
    parsed_per_unit = {}
    for key, spec in per_unit.items():
        unit = parse_int(key, f"{source}.units: unit id")
        if unit not in units:
            raise ConfigError(
                f"{source}.units: unit {unit} has data but is not served (--units)"
            )
        parsed_per_unit[unit] = parse_unit_spec(spec, f"{source}.units.{key}", False)

    layouts = {}
    for unit in units:
        unit_tables, unit_sizes = parsed_per_unit.get(unit, ({}, {}))
        sizes = {table: FULL_TABLE_SIZE for table in TABLES}
        sizes.update(common_sizes)
        sizes.update(unit_sizes)
        sizes.update(size_flags)
        tables = {}
        for table in TABLES:
            merged = []  # (address, values) in application order
            merged.extend(common_tables.get(table, {}).items())
            merged.extend(unit_tables.get(table, {}).items())
            kept = []
            for address, table_values in merged:
                fitting = table_values[: max(0, sizes[table] - address)]
                if len(fitting) < len(table_values):
                    LOG.warning(
                        "%s: unit %d %s: dropping %d value(s) from address %d on, "
                        "the table size is %d",
                        source, unit, table, len(table_values) - len(fitting),
                        address + len(fitting), sizes[table],
                    )
                if fitting:
                    kept.append((address, fitting))
            tables[table] = kept
        layouts[unit] = (tables, sizes)
    return layouts


def make_block(size, entries, bits):
    default = False if bits else 0
    data = [default] * size
    for address, table_values in entries:
        data[address : address + len(table_values)] = table_values
    # ModbusSequentialDataBlock derives its default from values[0], so it cannot
    # be constructed with an empty list; give it one value, then replace them.
    block = ModbusSequentialDataBlock(0, [default])
    block.values = data
    return block


def build_server_context(layouts, units):
    slaves = {}
    for unit in units:
        tables, sizes = layouts[unit]
        blocks = {
            table: make_block(sizes[table], tables[table], table in BIT_TABLES)
            for table in TABLES
        }
        slaves[unit] = ModbusSlaveContext(
            hr=blocks["holding"],
            ir=blocks["input"],
            co=blocks["coils"],
            di=blocks["discrete"],
            zero_mode=True,
        )
    return PeerServerContext(slaves=slaves, single=False)


class PeerServerContext(ModbusServerContext):
    """Server context whose framers accept every unit id.

    pymodbus' framers silently drop frames for unit ids that are not in
    context.slaves() (and accept *all* ids if 0 or 255 is among them), before
    the request handler sees them. Reporting all ids here moves that decision
    into PeerHandlerMixin.execute, where --unknown-unit and --no-reply-units
    are applied consistently for every transport.
    """

    def slaves(self):
        return list(range(256))

    def served_units(self):
        return list(self._slaves.keys())


# --------------------------------------------------------------------------- #
# Request handling
# --------------------------------------------------------------------------- #
class PeerSettings:  # pylint: disable=too-few-public-methods
    """Behaviour switches shared by all connections."""

    def __init__(self, args, units):
        self.units = set(units)
        self.no_reply_units = set(args.no_reply_units)
        self.exception_units = set(args.exception_units)
        self.exception_code = args.exception_code
        self.unknown_unit_exception = UNKNOWN_UNIT_POLICIES[args.unknown_unit]
        self.broadcast = args.broadcast
        self.delay_s = args.delay_ms / 1000.0


class PeerHandlerMixin:
    """Goes in front of a pymodbus request handler class in the MRO."""

    def execute(self, request, *addr):
        settings = self.server.peer_settings
        unit = request.unit_id
        LOG.info("request  unit=%d fc=0x%02x %s", unit, request.function_code, request)
        if unit in settings.no_reply_units:
            LOG.info("no reply: unit %d is in --no-reply-units", unit)
            return
        if unit in settings.exception_units:
            response = request.doException(settings.exception_code)
            response.transaction_id = request.transaction_id
            response.unit_id = unit
            self.send(response, *addr)
            return
        if unit == 0 and settings.broadcast:
            self._execute_broadcast(request)
            return
        if settings.delay_s > 0:
            asyncio.get_running_loop().call_later(
                settings.delay_s, self._execute_now, request, addr
            )
        else:
            self._execute_now(request, addr)

    def _execute_now(self, request, addr):
        if not self.running:
            LOG.info("connection gone, dropping reply for unit %d", request.unit_id)
            return
        settings = self.server.peer_settings
        if request.unit_id in settings.units:
            super().execute(request, *addr)  # pylint: disable=no-member
            return
        if settings.unknown_unit_exception is None:
            LOG.info("no reply: unit %d is not served", request.unit_id)
            return
        response = request.doException(settings.unknown_unit_exception)
        response.transaction_id = request.transaction_id
        response.unit_id = request.unit_id
        self.send(response, *addr)

    def _execute_broadcast(self, request):
        context = self.server.context
        for unit in context.served_units():
            try:
                request.execute(context[unit])
            except Exception as exc:  # pylint: disable=broad-except
                LOG.error("broadcast to unit %d failed: %s", unit, exc)
        LOG.info("broadcast executed on units %s, no reply", context.served_units())

    def send(self, message, *addr, **kwargs):
        LOG.info("reply    unit=%d %s", message.unit_id, message)
        super().send(message, *addr, **kwargs)  # pylint: disable=no-member


class PeerTcpHandler(PeerHandlerMixin, ModbusConnectedRequestHandler):
    """Modbus/TCP (or RTU/ASCII over TCP) connection handler."""

    def connection_made(self, transport):
        super().connection_made(transport)
        LOG.info("client connected from %s", transport.get_extra_info("peername"))

    def connection_lost(self, call_exc):
        LOG.info("client %s disconnected", getattr(self, "client_address", None))
        super().connection_lost(call_exc)


class PeerSerialHandler(PeerHandlerMixin, ModbusSingleRequestHandler):
    """Serial line handler."""


# --------------------------------------------------------------------------- #
# Serial transport (pyserial + event loop reader; no serial_asyncio needed)
# --------------------------------------------------------------------------- #
class SerialTransport(asyncio.Transport):
    """Minimal asyncio transport over a non-blocking pyserial port."""

    def __init__(self, loop, port, protocol):
        super().__init__(extra={"serial": port})
        self.serial = port  # pymodbus logs transport.serial.port
        self._loop = loop
        self._protocol = protocol
        self._fd = port.fileno()
        self._closed = False
        loop.add_reader(self._fd, self._on_readable)

    def _on_readable(self):
        try:
            data = os.read(self._fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._lose(exc)
            return
        if not data:
            self._lose(EOFError("end of file on serial device"))
            return
        self._protocol.data_received(data)

    def _lose(self, exc):
        if self._closed:
            return
        LOG.error("serial link lost: %s", exc)
        self.close()
        self._protocol.connection_lost(exc)

    def write(self, data):
        if self._closed:
            return
        try:
            self.serial.write(data)
        except (OSError, serial.SerialException) as exc:
            self._lose(exc)

    def is_closing(self):
        return self._closed

    def close(self):
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self._fd)
        self.serial.close()


def is_pseudo_terminal(device):
    """True for Unix98 pty slaves (/dev/pts/N, majors 136..143), e.g. socat's."""
    try:
        return 136 <= os.major(os.stat(device).st_rdev) <= 143
    except OSError:
        return False


class SerialPeerServer:  # pylint: disable=too-many-instance-attributes
    """The attributes pymodbus' request handler expects from its server."""

    def __init__(self, context, framer, settings, args, on_lost):
        self.context = context
        self.framer = framer
        self.decoder = ServerDecoder()
        self.control = ModbusControlBlock()
        self.peer_settings = settings
        self.broadcast_enable = False  # handled by PeerHandlerMixin
        self.ignore_missing_slaves = False
        self.response_manipulator = None
        self.transport = None
        self._args = args
        self._on_lost = on_lost

    def open(self):
        args = self._args
        parity = args.parity
        if parity != "N" and is_pseudo_terminal(args.device):
            # Linux ptys do not keep PARENB, and on some kernels a tcsetattr()
            # whose only change is setting PARENB fails with EINVAL. Parity
            # means nothing on a pty anyway, so do not ask for it.
            LOG.info("%s is a pty: opening it without parity", args.device)
            parity = "N"
        try:
            port = serial.Serial(
                port=args.device,
                baudrate=args.baud,
                bytesize=args.bytesize,
                parity=parity,
                stopbits=args.stopbits,
                timeout=0,
                write_timeout=2,
            )
        except (OSError, ValueError, termios.error, serial.SerialException) as exc:
            raise RuntimeFailure(f"cannot open serial device {args.device}: {exc}") from exc
        protocol = PeerSerialHandler(self)
        self.transport = SerialTransport(asyncio.get_running_loop(), port, protocol)
        protocol.connection_made(self.transport)

    def on_connection_lost(self):
        """Called by ModbusSingleRequestHandler.connection_lost."""
        self._on_lost()

    def close(self):
        if self.transport is not None:
            self.transport.close()


# --------------------------------------------------------------------------- #
# Main
# --------------------------------------------------------------------------- #
def announce_ready(value):
    sys.stdout.write(f"READY {value}\n")
    sys.stdout.flush()


def make_identity(args):
    return ModbusDeviceIdentification(
        info_name={
            "VendorName": args.vendor,
            "ProductCode": args.product_code,
            "MajorMinorRevision": args.revision,
            "VendorUrl": args.vendor_url,
            "ProductName": args.product_name,
            "ModelName": args.model_name,
            "UserApplicationName": args.user_app_name,
        }
    )


async def serve(args, context, settings):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    outcome = {"status": EXIT_OK}

    def request_stop(reason, status=EXIT_OK):
        if not stop.is_set():
            LOG.info("stopping: %s", reason)
            outcome["status"] = status
            stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop, signal.Signals(signum).name)

    framer, is_tcp = TRANSPORTS[args.transport]
    identity = make_identity(args)
    if is_tcp:
        server = ModbusTcpServer(
            context,
            framer=framer,
            identity=identity,
            address=(args.host, args.port),
            handler=PeerTcpHandler,
            allow_reuse_address=True,
            ignore_missing_slaves=False,
            broadcast_enable=False,
        )
        server.peer_settings = settings
        serve_task = asyncio.create_task(server.serve_forever())
        await asyncio.wait({serve_task, server.serving}, return_when=asyncio.FIRST_COMPLETED)
        if not server.serving.done():
            exc = serve_task.exception() if not serve_task.cancelled() else None
            raise RuntimeFailure(f"cannot listen on {args.host}:{args.port}: {exc}")
        ports = sorted({sock.getsockname()[1] for sock in server.server.sockets})
        if len(ports) != 1:
            await server.shutdown()
            raise RuntimeFailure(
                f"--host {args.host} bound several sockets with ports {ports}; "
                "use a numeric address"
            )
        LOG.info(
            "listening on %s:%d (%s, units %s)",
            args.host, ports[0], args.transport, sorted(settings.units),
        )
        announce_ready(ports[0])
    else:
        server = SerialPeerServer(
            context, framer, settings, args,
            on_lost=lambda: request_stop("serial link lost", EXIT_RUNTIME),
        )
        server.control.Identity.update(identity)
        server.open()
        serve_task = None
        LOG.info(
            "serving %s on %s (%d %s%s%s, units %s)",
            args.transport, args.device, args.baud, args.bytesize, args.parity,
            args.stopbits, sorted(settings.units),
        )
        announce_ready(args.device)

    if args.seconds > 0:
        loop.call_later(args.seconds, request_stop, f"time limit of {args.seconds} s reached")
    await stop.wait()

    if is_tcp:
        for handler in list(server.active_connections.values()):
            handler.transport.close()
        await server.shutdown()
        serve_task.cancel()
        await asyncio.gather(serve_task, return_exceptions=True)
    else:
        server.close()
    return outcome["status"]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Modbus server (pymodbus 3.0.0) for regpoll integration tests. "
        "See the module docstring for details.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--transport", choices=sorted(TRANSPORTS), default="tcp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--device", help="serial device (rtu, ascii)")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--parity", choices=("E", "N", "O"), default="E")
    parser.add_argument("--stopbits", type=int, choices=(1, 2), default=1)
    parser.add_argument("--bytesize", type=int, choices=(7, 8), default=8)
    parser.add_argument("--units", default="1", help="served unit ids, e.g. 1,2,5-7")
    parser.add_argument(
        "--unknown-unit", choices=sorted(UNKNOWN_UNIT_POLICIES),
        help="reply for unit ids not served (default: gateway-target for tcp, "
        "silent otherwise)",
    )
    parser.add_argument("--broadcast", action="store_true", help="unit 0 is broadcast")
    parser.add_argument("--values", help="JSON file with initial tables")
    parser.add_argument(
        "--print-default-values", action="store_true",
        help="print the built-in values as JSON and exit",
    )
    parser.add_argument("--size", type=int, help="size of all four tables")
    for table in TABLES:
        parser.add_argument(f"--{table}-size", type=int, dest=f"{table}_size")
    parser.add_argument("--vendor", default="regpoll-test")
    parser.add_argument("--product-code", default="PEER")
    parser.add_argument("--revision", default="3.0.0")
    parser.add_argument("--vendor-url", default="")
    parser.add_argument("--product-name", default="")
    parser.add_argument("--model-name", default="")
    parser.add_argument("--user-app-name", default="")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--no-reply-units", default="", help="e.g. 3,4")
    parser.add_argument("--exception-units", default="", help="e.g. 126")
    parser.add_argument("--exception-code", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120.0, help="0 = no limit")
    levels = ("debug", "info", "warning", "error")
    parser.add_argument("--log-level", choices=levels, default="info")
    parser.add_argument("--pymodbus-log-level", choices=levels, default="warning")
    args = parser.parse_args(argv)

    _, is_tcp = TRANSPORTS[args.transport]
    if is_tcp and not 0 <= args.port <= 65535:
        parser.error("--port must be within 0..65535")
    if not is_tcp and not args.device and not args.print_default_values:
        parser.error(f"--transport {args.transport} needs --device")
    if args.delay_ms < 0:
        parser.error("--delay-ms must not be negative")
    if args.seconds < 0:
        parser.error("--seconds must not be negative")
    if args.unknown_unit is None:
        args.unknown_unit = "gateway-target" if args.transport == "tcp" else "silent"
    return args


def load_values(path):
    if path is None:
        return DEFAULT_VALUES, "built-in values"
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle), path
    except OSError as exc:
        raise ConfigError(f"cannot read values file: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: invalid JSON: {exc}") from exc


def main(argv):
    args = parse_args(argv)
    # force=True: importing pymodbus.constants already called logging.basicConfig().
    logging.basicConfig(
        stream=sys.stderr,
        format="%(asctime)s modbus_peer[%(process)d] %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # pymodbus logs every ordinary client disconnect as an ERROR ("Handler for
    # stream ... has been canceled"); PeerTcpHandler logs disconnects instead.
    logging.getLogger("pymodbus.server.async_io").addFilter(
        lambda record: "has been cancel" not in record.getMessage()
    )
    LOG.setLevel(args.log_level.upper())
    logging.getLogger("pymodbus").setLevel(args.pymodbus_log_level.upper())

    if args.print_default_values:
        json.dump(DEFAULT_VALUES, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK

    if not pymodbus.__version__.startswith("3.0."):
        LOG.error(
            "pymodbus %s found, this peer needs pymodbus 3.0.x (Debian 12's "
            "python3-pymodbus; run it with /usr/bin/python3)", pymodbus.__version__,
        )
        return EXIT_USAGE

    try:
        units = parse_unit_list(args.units, "--units")
        if not units:
            raise ConfigError("--units: at least one unit id is needed")
        args.no_reply_units = parse_unit_list(args.no_reply_units, "--no-reply-units")
        args.exception_units = parse_unit_list(args.exception_units, "--exception-units")
        size_flags = {}
        if args.size is not None:
            size_flags = {table: check_size(args.size, "--size") for table in TABLES}
        for table in TABLES:
            size = getattr(args, f"{table}_size")
            if size is not None:
                size_flags[table] = check_size(size, f"--{table}-size")
        values, source = load_values(args.values)
        layouts = build_unit_layouts(values, units, size_flags, source)
    except ConfigError as exc:
        LOG.error("%s", exc)
        return EXIT_USAGE

    context = build_server_context(layouts, units)
    settings = PeerSettings(args, units)
    try:
        return asyncio.run(serve(args, context, settings))
    except RuntimeFailure as exc:
        LOG.error("%s", exc)
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
