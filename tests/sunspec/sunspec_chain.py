#!/usr/bin/python3
"""Builds SunSpec chains for a pymodbus server straight from the official model JSON.

Independent of regpoll's own tables: addresses, sizes, repeats and scale factors come from
../shared/reference/sunspec-models/model_N.json, read here. Output:
  --values FILE    a values file for tests/integration/peer/modbus_peer.py
  --expected FILE  per unit, per model, per point: address and the value a correct reader
                   shows (scaled; null for "not implemented")

Chain description (--chain FILE.json):
  {"units": {"1": {"base": 40000, "end": "ffff" | "zero" | "exception",
                   "models": [{"id": 1, "values": {"Mn": "Fronius"}, "length": 65,
                               "repeats": 2, "na": ["W"], "na_sf": ["W_SF"]}, ...]}}}
  * "repeats": repeats of every variable group (count 0 or a count point), default 1.
  * "length": the device's L when it differs from the specification (cut or padded).
  * "na": points given their "not implemented" sentinel; "na_sf": scale factors likewise
    (every point they scale is then n/a).
  * "unknown_length": a model id without a definition, with this L (the body is zeros).
  * "end": 0xFFFF after the last model, a zero id, or the table ends (exception 2).
"""
import argparse
import json
import math
import os
import struct

SENTINEL = {"int16": 0x8000, "sunssf": 0x8000, "uint16": 0xFFFF, "count": 0xFFFF,
            "acc16": 0xFFFF, "enum16": 0xFFFF, "bitfield16": 0xFFFF, "int32": 0x80000000,
            "uint32": 0xFFFFFFFF, "acc32": 0xFFFFFFFF, "enum32": 0xFFFFFFFF,
            "bitfield32": 0xFFFFFFFF, "float32": 0x7FC00000, "int64": 1 << 63,
            "uint64": (1 << 64) - 1, "acc64": (1 << 64) - 1, "float64": 0x7FF8000000000000}
SF_CYCLE = [-2, -1, 0, 1, -3]


def words(value, size):
    return [(value >> (16 * (size - 1 - i))) & 0xFFFF for i in range(size)]


class Builder:
    def __init__(self, models_dir):
        self.models_dir = models_dir
        self.counter = 0

    def model(self, mid):
        with open(os.path.join(self.models_dir, f"model_{mid}.json"), encoding="utf-8") as f:
            return json.load(f)

    def raw_for(self, point, spec):
        """A deterministic raw value per point (never a sentinel), and its decoded value."""
        self.counter += 1
        n, t, size = self.counter, point["type"], point["size"]
        name = point["name"]
        if name in spec.get("values", {}):
            return self.given(point, spec["values"][name])
        if t == "sunssf":
            v = SF_CYCLE[n % len(SF_CYCLE)]
            return words(v & 0xFFFF, 1), v
        if t == "string":
            text = (name + str(n))[: size * 2]
            return self.given(point, text)
        if t in ("enum16", "enum32"):
            v = point["symbols"][n % len(point["symbols"])]["value"] if point.get("symbols") else 1
            return words(v, size), v
        if t.startswith("bitfield"):
            syms = point.get("symbols") or [{"value": 0}]
            v = sum(1 << s["value"] for s in syms[: 1 + n % 2])
            return words(v, size), v
        if t in ("float32", "float64"):
            v = n * 1.5 + 0.25
            fmt, bits = (">f", ">I") if t == "float32" else (">d", ">Q")
            return words(struct.unpack(bits, struct.pack(fmt, v))[0], size), v
        if t in ("int16", "int32", "int64"):
            v = (n * 37) % 2000 - 500
            return words(v & ((1 << (16 * size)) - 1), size), v
        if t in ("pad", "ipaddr", "ipv6addr", "eui48"):
            return [0] * size, None
        v = 100 + (n * 7) % 30000  # uint*, acc*, count
        return words(v, size), v

    @staticmethod
    def given(point, value):
        size = point["size"]
        if point["type"] == "string":
            data = value.encode("ascii")[: size * 2].ljust(size * 2, b"\0")
            return [data[i] << 8 | data[i + 1] for i in range(0, size * 2, 2)], value
        if point["type"] == "sunssf":
            return words(value & 0xFFFF, 1), value
        return words(value & ((1 << (16 * size)) - 1), size), value

    def group(self, g, spec, prefix, regs, points, counts):
        """Appends one group instance: its points, then its sub-groups."""
        here = {}
        count_names = set()
        stack = list(g.get("groups", []))
        while stack:
            sub = stack.pop()
            if isinstance(sub.get("count"), str):
                count_names.add(sub["count"])
            stack += sub.get("groups", [])
        for p in g.get("points", []):
            raw, value = self.raw_for(p, spec)
            na = p["name"] in spec.get("na", []) or p["name"] in spec.get("na_sf", [])
            if p["name"] == "ID":
                raw, value = [spec["id"]], spec["id"]
            elif p["type"] == "count" or p["name"] in count_names:
                raw, value = [spec.get("repeats", 1)], spec.get("repeats", 1)
            elif na and p["type"] in SENTINEL:
                raw, value = words(SENTINEL[p["type"]], p["size"]), None
            here[p["name"]] = {"point": p, "offset": len(regs), "value": value,
                               "path": prefix + p["name"]}
            regs += raw
        scope = [here] + counts
        for entry in here.values():
            self.scale(entry, scope)
        points += [e for e in here.values()]
        for sub in g.get("groups", []):
            reps = sub.get("count", 1)
            if isinstance(reps, str) or reps == 0:
                reps = spec.get("repeats", 1)
            for i in range(1, reps + 1):
                self.group(sub, spec, f"{prefix}{sub['name']}[{i}].", regs, points, scope)

    @staticmethod
    def scale(entry, scope):
        p, v = entry["point"], entry["value"]
        sf = p.get("sf")
        if v is None or sf is None or isinstance(v, str):
            return
        if isinstance(sf, int):
            exp = sf
        else:
            exp = next((s[sf]["value"] for s in scope if sf in s), None)
        if exp is None:
            entry["value"] = None
        elif exp < 0:
            entry["value"] = v / 10 ** -exp
        else:
            entry["value"] = v * 10 ** exp

    def build_model(self, spec):
        if "unknown_length" in spec:  # a model no definition describes: ID, L, then zeros
            return [spec["id"], spec["unknown_length"]] + [0] * spec["unknown_length"], []
        m = self.model(spec["id"])
        regs, points = [], []
        self.group(m["group"], spec, "", regs, points, [])
        length = len(regs) - 2
        if "length" in spec:
            length = spec["length"]
            regs = (regs + [0] * length)[: length + 2]
            points = [p for p in points
                      if p["offset"] + p["point"]["size"] <= length + 2]
        regs[1] = length
        return regs, points


def build_unit(builder, unit_spec):
    base = unit_spec.get("base", 40000)
    regs = [0x5375, 0x6E53]
    models = []
    for spec in unit_spec["models"]:
        address = base + len(regs)
        model_regs, points = builder.build_model(spec)
        models.append({"id": spec["id"], "address": address, "length": model_regs[1],
                       "points": {p["path"]: {"address": address + p["offset"],
                                              "value": p["value"],
                                              "type": p["point"]["type"]}
                                  for p in points
                                  if p["point"]["type"] != "pad"
                                  and p["path"] not in ("ID", "L")}})
        regs += model_regs
    end = unit_spec.get("end", "ffff")
    if end == "ffff":
        regs += [0xFFFF, 0]
    elif end == "zero":
        regs += [0, 0]
    table = {"holding": {str(base): regs}}
    if end == "exception":
        table["sizes"] = {"holding": base + len(regs)}
    return table, {"base": base, "models": models}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", required=True)
    parser.add_argument("--chain", required=True)
    parser.add_argument("--values", required=True)
    parser.add_argument("--expected", required=True)
    args = parser.parse_args()
    with open(args.chain, encoding="utf-8") as f:
        chain = json.load(f)
    builder = Builder(args.models_dir)
    values, expected = {"units": {}}, {}
    for unit, unit_spec in chain["units"].items():
        table, exp = build_unit(builder, unit_spec)
        values["units"][unit] = table
        expected[unit] = exp
    with open(args.values, "w", encoding="utf-8") as f:
        json.dump(values, f)
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(expected, f, allow_nan=False, default=str)


if __name__ == "__main__":
    main()
