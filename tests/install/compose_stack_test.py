#!/usr/bin/env python3
"""docker/compose.yml's stack, run without Docker (no engine runs in CI): the services'
commands and mounted files as compose gives them to the image, with the container
hostnames and ports mapped to loopback. A real mosquitto with the stack's broker settings,
`regpoll simulate` with the simulator service's command and file, and `regpoll run` with
the image's CMD and the stack's regpoll.json; the stack works when the broker receives
values and Home Assistant discovery, and `regpoll health` (the image's HEALTHCHECK) says
healthy.

    compose_stack_test.py SOURCE_DIR REGPOLL_BINARY
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SRC = Path(sys.argv[1])
REGPOLL = sys.argv[2]
DOCKER = SRC / "docker"


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    fail(f"nothing listens on port {port}")


def host_path(service, container_path):
    """The host file compose mounts at container_path for service (bind mounts only)."""
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith(".") and container_path.startswith(target):
            return DOCKER / (source + container_path[len(target):])
    fail(f"{container_path} is not mounted from the host")


compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
services = compose.get("services", {})
for name in ("mosquitto", "simulator", "regpoll"):
    if name not in services:
        fail(f"compose.yml has no service {name}")
sim, run, broker = services["simulator"], services["regpoll"], services["mosquitto"]
if sim.get("build", {}).get("dockerfile") != "docker/Dockerfile" or sim["build"].get("context") != "..":
    fail("the simulator service does not build docker/Dockerfile from the repository")
if run.get("image") != sim.get("image"):
    fail("regpoll and the simulator do not run the same image")
for service in services.values():
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith(".") and not (DOCKER / source).exists():
            fail(f"compose.yml mounts {source}, which does not exist")
if "regpoll-data:/var/lib/regpoll" not in run.get("volumes", []):
    fail("regpoll's state (/var/lib/regpoll) is not on a named volume")
if not sim.get("healthcheck", {}).get("disable"):
    fail("the simulator inherits the image's health check, which only `regpoll run` passes")

# The image's CMD, from the Dockerfile.
cmd_line = [l for l in (DOCKER / "Dockerfile").read_text().splitlines() if l.startswith("CMD ")]
image_cmd = json.loads(cmd_line[-1][4:])
run_args = run.get("command", image_cmd)

tmp = Path(tempfile.mkdtemp(prefix="regpoll-compose-test-"))
processes = []
try:
    # mosquitto: the stack's configuration, its listener moved to a free loopback port and
    # its persistence folder to the temporary one.
    mqtt_port = free_port()
    conf = []
    for line in (DOCKER / "mosquitto.conf").read_text().splitlines():
        if line.startswith("listener "):
            line = f"listener {mqtt_port} 127.0.0.1"
        elif line.startswith("persistence_location "):
            line = f"persistence_location {tmp}/"
        conf.append(line)
    if os.getuid() == 0:
        conf.append("user root")
    (tmp / "mosquitto.conf").write_text("\n".join(conf) + "\n")
    processes.append(subprocess.Popen(["mosquitto", "-c", str(tmp / "mosquitto.conf")],
                                      stdout=subprocess.DEVNULL, stderr=open(tmp / "mosquitto.log", "w")))
    wait_port(mqtt_port)

    # The simulator service: its command, with its mounted file, listening on loopback.
    args = list(sim["command"])
    config_index = args.index("--config") + 1
    sim_config = host_path(sim, args[config_index]).read_text()
    if '"tcp://0.0.0.0:5020"' not in sim_config:
        fail("simulator.json does not listen on tcp://0.0.0.0:5020, where regpoll.json looks")
    (tmp / "simulator.json").write_text(sim_config.replace("tcp://0.0.0.0:5020", "tcp://127.0.0.1:0"))
    args[config_index] = str(tmp / "simulator.json")
    simulator = subprocess.Popen([REGPOLL] + args, stdout=subprocess.PIPE, stderr=open(tmp / "sim.log", "w"), text=True)
    processes.append(simulator)
    ready = simulator.stdout.readline()
    if not ready.startswith("READY "):
        fail(f"the simulator did not start: {ready!r} {(tmp / 'sim.log').read_text()}")
    sim_port = int(ready.split()[1].rsplit(":", 1)[-1])

    # regpoll: the image's CMD with the stack's regpoll.json, hostnames mapped to loopback and
    # /var/lib/regpoll to the temporary folder.
    config_index = run_args.index("--config") + 1
    site = host_path(run, run_args[config_index]).read_text()
    for container, local in (("tcp://simulator:5020", f"tcp://127.0.0.1:{sim_port}"),
                             ("tcp://mosquitto:1883", f"tcp://127.0.0.1:{mqtt_port}"),
                             ("/var/lib/regpoll/", f"{tmp}/")):
        if container not in site:
            fail(f"regpoll.json does not use {container}")
        site = site.replace(container, local)
    (tmp / "regpoll.json").write_text(site)
    run_args = list(run_args)
    run_args[config_index] = str(tmp / "regpoll.json")
    env = dict(os.environ, REGPOLL_STATUS_FILE=str(tmp / "status.json"))
    env.pop("REGPOLL_DEVICES", None)
    subscriber = subprocess.Popen(["mosquitto_sub", "-p", str(mqtt_port), "-v", "-W", "30",
                                   "-t", "regpoll/inverter/ac_power", "-t", "homeassistant/#", "-C", "20"],
                                  stdout=subprocess.PIPE, text=True)
    processes.append(subscriber)
    time.sleep(0.3)  # subscribed before the first publish
    poller = subprocess.Popen([REGPOLL] + run_args, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp / "run.log", "w"))
    processes.append(poller)

    received, _ = subscriber.communicate(timeout=40)
    if not re.search(r"^regpoll/inverter/ac_power [0-9.]+$", received, re.M):
        fail(f"no inverter power on the broker:\n{received}\n{(tmp / 'run.log').read_text()}")
    if not re.search(r"^homeassistant/sensor/\S+/config \{", received, re.M):
        fail(f"no Home Assistant discovery on the broker:\n{received}")

    health = None
    for _ in range(50):
        health = subprocess.run([REGPOLL, "health"], env=env, capture_output=True, text=True)
        if health.returncode == 0 and "2 of 2 devices answering" in health.stdout:
            break
        time.sleep(0.2)
    if health.returncode != 0:
        fail(f"regpoll health: {health.stdout}{health.stderr}\n{(tmp / 'run.log').read_text()}")
    if "2 of 2 devices answering" not in health.stdout:
        fail(f"regpoll health: {health.stdout}")
    print("compose stack: OK:", health.stdout.strip())
finally:
    for p in reversed(processes):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
