#!/usr/bin/python3
"""Subscribes to <prefix>/+/state on a broker for a while and prints, as one JSON line, the
messages per second and the poll-to-publish latency (receive time minus the sample's "ts",
the moment regpoll had the device's answer): median, 99th percentile and maximum, in ms.
Usage: mqtt_latency.py PORT PREFIX SECONDS [WARMUP_SECONDS]"""
import json
import sys
import time

import paho.mqtt.client as mqtt

port, prefix, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
warmup = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
latencies = []
start = time.time() + warmup


def on_message(client, userdata, msg):
    now = time.time()
    if now < start:
        return
    try:
        ts = json.loads(msg.payload)["ts"]
    except (ValueError, KeyError):
        return
    latencies.append(now * 1000.0 - ts)


client = mqtt.Client(client_id="regpoll-latency-%d" % time.time_ns())
client.on_message = on_message
client.connect("127.0.0.1", port)
client.subscribe(prefix + "/+/state", qos=1)
client.loop_start()
time.sleep(warmup + seconds)
client.loop_stop()
latencies.sort()


def pct(p):
    return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else None


print(json.dumps({"messages": len(latencies), "per_second": round(len(latencies) / seconds, 1),
                  "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 2) if latencies else None}))
