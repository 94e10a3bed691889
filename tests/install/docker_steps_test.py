#!/usr/bin/env python3
"""docker/Dockerfile takes only steps CI proves: every RUN is a script from scripts/ that
tests/install/install_test.sh runs with the same options and number of arguments (CI runs
that test through `make test`), except the one image-only step that adds the service user.
Also checks what the image promises: Debian 12 stages, a non-root user, the volumes, the
status file and a HEALTHCHECK that asks `regpoll health`.

    docker_steps_test.py SOURCE_DIR
"""
import json
import re
import shlex
import sys
from pathlib import Path

SRC = Path(sys.argv[1])
failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def instructions(path):
    """(keyword, text, line) for each instruction, continuation lines joined."""
    out, pending, start = [], "", 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, rest = text.partition(" ")
        out.append((keyword.upper(), rest.strip(), start))
    return out


def script_calls(text):
    """What install_test.sh runs as `bash "$src/scripts/X.sh" ARGS`: (script, options,
    number of arguments)."""
    calls = []
    for line in text.splitlines():
        m = re.match(r'\s*bash\s+"\$src/scripts/([\w.-]+\.sh)"\s*(.*)', line)
        if not m:
            continue
        args = shlex.split(re.split(r"[|;&>]", m.group(2))[0])
        calls.append((m.group(1), tuple(a for a in args if a.startswith("--")), len(args)))
    return calls


dockerfile = SRC / "docker" / "Dockerfile"
steps = instructions(dockerfile)
ci_test = (SRC / "tests" / "install" / "install_test.sh").read_text()
ci_calls = script_calls(ci_test)
check(ci_calls, "install_test.sh runs no scripts/*.sh")

# CI runs install_test.sh: ctest registers it, `make test` runs ctest, .ci/run runs make test.
check("install_test.sh" in (SRC / "tests" / "install" / "CMakeLists.txt").read_text(),
      "tests/install/CMakeLists.txt does not register install_test.sh")
check(re.search(r"^test:.*\n(\t.*\n)*\t.*ctest", (SRC / "Makefile").read_text(), re.M),
      "`make test` does not run ctest")
check("make test" in (SRC / ".ci" / "run").read_text(), ".ci/run does not run `make test`")

froms = [rest for kw, rest, _ in steps if kw == "FROM"]
check(froms and froms[0].split()[0] == "debian:bookworm", f"the build stage is not debian:bookworm: {froms}")
check(len(froms) == 2 and froms[-1] == "debian:bookworm-slim", f"the runtime stage is not debian:bookworm-slim: {froms}")

user_steps = 0
stage_dir = None
for kw, rest, line in steps:
    if kw != "RUN":
        continue
    where = f"Dockerfile:{line}: RUN {rest}"
    commands = [c.strip() for c in rest.split("&&")]
    if commands[0].startswith("useradd "):
        # The image-only step: add the user regpoll, create its folders, nothing else.
        user_steps += 1
        check(len(commands) == 2 and re.fullmatch(r"useradd [-\w /]+ regpoll", commands[0])
              and re.fullmatch(r"install -d -o regpoll -g regpoll [/\w ]+", commands[1]),
              f"{where}: the image-only step may only add the user regpoll and create its folders")
        continue
    words = shlex.split(rest)
    m = re.fullmatch(r"scripts/([\w.-]+\.sh)", words[0]) if words else None
    check(m and len(commands) == 1 and not re.search(r"[;|&<>`$]", rest),
          f"{where}: must be exactly one scripts/*.sh call (so CI can run the same step)")
    if not m:
        continue
    script = m.group(1)
    check((SRC / "scripts" / script).is_file(), f"{where}: scripts/{script} does not exist")
    options = tuple(a for a in words[1:] if a.startswith("--"))
    check((script, options, len(words) - 1) in ci_calls,
          f"{where}: install_test.sh never runs scripts/{script} with {list(options)} and "
          f"{len(words) - 1} arguments (it runs {ci_calls})")
    if script == "build-release.sh" and len(words) == 3:
        stage_dir = words[2]
check(user_steps == 1, f"expected exactly one image-only user step, found {user_steps}")

# The runtime stage takes the staged tree build-release.sh made, and the script it runs.
copies = [rest for kw, rest, _ in steps if kw == "COPY"]
check(stage_dir and any(c.startswith("--from=build") and c.split()[1].rstrip("/") == stage_dir.rstrip("/")
                        for c in copies), f"no COPY --from=build of the staged tree {stage_dir}: {copies}")
for c in copies:
    if not c.startswith("--from"):
        for source in shlex.split(c)[:-1]:
            check(source == "." or (SRC / source).exists(), f"COPY {c}: {source} does not exist")

last = {kw: rest for kw, rest, _ in steps}
check(last.get("USER") not in (None, "root", "0"), f"the image runs as root (USER {last.get('USER')})")
volumes = json.loads(last.get("VOLUME", "[]"))
for v in ("/etc/regpoll", "/var/lib/regpoll"):
    check(v in volumes, f"VOLUME lacks {v}: {volumes}")
check(re.search(r"REGPOLL_STATUS_FILE=/run/regpoll/status.json", last.get("ENV", "")),
      "the image does not set REGPOLL_STATUS_FILE to the folder it creates (/run/regpoll)")
health = last.get("HEALTHCHECK", "")
check(re.search(r'CMD \["regpoll", "health"', health), f"HEALTHCHECK does not run `regpoll health`: {health}")
check(json.loads(last.get("ENTRYPOINT", "[]")) == ["regpoll"], "ENTRYPOINT is not regpoll")
cmd = json.loads(last.get("CMD", "[]"))
check(cmd[:1] == ["run"] and "/etc/regpoll/regpoll.json" in cmd, f"CMD does not run /etc/regpoll/regpoll.json: {cmd}")

ignore = (SRC / ".dockerignore").read_text() if (SRC / ".dockerignore").exists() else ""
check("build*/" in ignore, ".dockerignore does not keep build folders out of the context")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"docker steps: OK ({len([s for s in steps if s[0] == 'RUN'])} RUN steps, all proven by CI)")
