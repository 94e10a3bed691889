#!/usr/bin/python3
"""Modbus master for regpoll's server tests: Debian's python3-pymodbus 3.0.0 client.

Runs a list of operations against a server and prints one JSON list of results on
stdout, one result per operation, in order. Run it with /usr/bin/python3.

  pymodbus_client.py --transport tcp --port 5020 --ops '[{"op": "read_holding", ...}]'
  pymodbus_client.py --transport rtu --device /tmp/x/b --ops '...'   (or ascii)
  pymodbus_client.py --transport rtu-over-tcp --port 5020 --ops '...'  (RTU frames on TCP)

Operations (every one takes "unit", default 1):
  read_coils / read_discrete / read_holding / read_input   address, count
  write_coil address, value      write_coils address, values
  write_register address, value  write_registers address, values
  mask_write address, and_mask, or_mask
  readwrite read_address, read_count, write_address, values
  device_info read_code, object_id
  report_server_id, read_exception_status (FC7, which regpoll's server does not speak)
  diag_echo value (one 16-bit word: pymodbus 3.0.0 decodes one word only)

Results: {"registers": [...]}, {"bits": [...]}, {"ok": true} for writes,
{"exception": code}, {"error": "text"} (no reply, bad reply), and for
device_info {"conformity", "more_follows", "next_object_id", "objects": {"id": text}},
for report_server_id {"identifier": "hex"}, for diag_echo {"message": [words]}.
Exit status 0 whatever the results; 2 on a bad command line.
"""

import argparse
import importlib.util
import json
import logging
import sys
import types


def _make_serial_asyncio_optional():
    """pymodbus.client imports serial_asyncio, which Debian only recommends; the sync
    clients used here never need it, so a placeholder module is enough."""
    if importlib.util.find_spec("serial_asyncio") is None:
        placeholder = types.ModuleType("serial_asyncio")

        async def create_serial_connection(*_args, **_kwargs):
            raise RuntimeError("serial_asyncio is not installed")

        placeholder.create_serial_connection = create_serial_connection
        sys.modules["serial_asyncio"] = placeholder


_make_serial_asyncio_optional()

# pylint: disable=wrong-import-position
from pymodbus.client import ModbusSerialClient, ModbusTcpClient  # noqa: E402
from pymodbus.diag_message import ReturnQueryDataRequest  # noqa: E402
from pymodbus.exceptions import ModbusException  # noqa: E402
from pymodbus.mei_message import ReadDeviceInformationRequest  # noqa: E402
from pymodbus.other_message import ReadExceptionStatusRequest, ReportSlaveIdRequest  # noqa: E402
from pymodbus.transaction import ModbusAsciiFramer, ModbusRtuFramer  # noqa: E402


def outcome(response, good):
    if response is None:
        return {"error": "no response"}
    if response.isError():
        code = getattr(response, "exception_code", None)
        if code is not None:
            return {"exception": code}
        return {"error": str(response)}
    return good(response)


def run_op(client, op):
    unit = op.get("unit", 1)
    name = op["op"]
    if name in ("read_coils", "read_discrete"):
        call = client.read_coils if name == "read_coils" else client.read_discrete_inputs
        rsp = call(op["address"], op["count"], slave=unit)
        return outcome(rsp, lambda r: {"bits": [bool(b) for b in r.bits[: op["count"]]]})
    if name in ("read_holding", "read_input"):
        call = client.read_holding_registers if name == "read_holding" else client.read_input_registers
        rsp = call(op["address"], op["count"], slave=unit)
        return outcome(rsp, lambda r: {"registers": list(r.registers)})
    if name == "write_coil":
        rsp = client.write_coil(op["address"], bool(op["value"]), slave=unit)
    elif name == "write_coils":
        rsp = client.write_coils(op["address"], [bool(v) for v in op["values"]], slave=unit)
    elif name == "write_register":
        rsp = client.write_register(op["address"], op["value"], slave=unit)
    elif name == "write_registers":
        rsp = client.write_registers(op["address"], op["values"], slave=unit)
    elif name == "mask_write":
        rsp = client.mask_write_register(op["address"], op["and_mask"], op["or_mask"], unit=unit)
    elif name == "readwrite":
        rsp = client.readwrite_registers(
            read_address=op["read_address"], read_count=op["read_count"],
            write_address=op["write_address"], write_registers=op["values"], unit=unit)
        return outcome(rsp, lambda r: {"registers": list(r.registers)})
    elif name == "device_info":
        rsp = client.execute(ReadDeviceInformationRequest(op["read_code"], op["object_id"], unit=unit))
        return outcome(rsp, lambda r: {
            "conformity": r.conformity,
            "more_follows": r.more_follows,
            "next_object_id": r.next_object_id,
            "objects": {str(k): (v.decode("latin-1") if isinstance(v, bytes) else v)
                        for k, v in r.information.items()},
        })
    elif name == "report_server_id":
        rsp = client.execute(ReportSlaveIdRequest(unit=unit))
        return outcome(rsp, lambda r: {"identifier": bytes(r.identifier).hex()})
    elif name == "read_exception_status":
        rsp = client.execute(ReadExceptionStatusRequest(unit=unit))
        return outcome(rsp, lambda r: {"status": r.status})
    elif name == "diag_echo":
        rsp = client.execute(ReturnQueryDataRequest(op["value"], unit=unit))
        return outcome(rsp, lambda r: {"message": list(r.message)})
    else:
        raise ValueError(f"unknown op {name!r}")
    return outcome(rsp, lambda r: {"ok": True})


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=("tcp", "rtu-over-tcp", "rtu", "ascii"), default="tcp")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=502)
    parser.add_argument("--device")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--timeout", type=int, default=1, help="seconds (pymodbus 3.0.0 truncates to int)")
    parser.add_argument("--ops", required=True, help="JSON list of operations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    ops = json.loads(args.ops)
    if args.transport in ("tcp", "rtu-over-tcp"):
        kwargs = {"framer": ModbusRtuFramer} if args.transport == "rtu-over-tcp" else {}
        client = ModbusTcpClient(args.host, port=args.port, timeout=args.timeout, retries=0, **kwargs)
    else:
        if not args.device:
            parser.error("--device is needed for rtu and ascii")
        framer = ModbusRtuFramer if args.transport == "rtu" else ModbusAsciiFramer
        client = ModbusSerialClient(port=args.device, framer=framer, baudrate=args.baud,
                                    parity="N", bytesize=8, stopbits=1, timeout=args.timeout,
                                    retries=0)
    results = []
    try:
        client.connect()
        for op in ops:
            try:
                results.append(run_op(client, op))
            except ModbusException as exc:
                results.append({"error": str(exc)})
    finally:
        client.close()
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
