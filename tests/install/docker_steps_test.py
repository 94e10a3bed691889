#!/usr/bin/env python3
"""docker/Dockerfile takes only steps CI proves. CI (.ci/run → .ci/image-stages.sh) takes every
stage of the Dockerfile step by step in fresh Debian 12 roots; this test checks, without
running anything, that the file stays in the shape that script understands and that the image
keeps its promises: every RUN is one scripts/*.sh call (so a developer can run the same step),
except the one image-only step that adds the service user; Debian 12 stages; a non-root user
10001; the state volume and no volume over the site file; the status file; a HEALTHCHECK that
asks `regpoll health`; a CMD that does not fill Docker's log.

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


dockerfile = SRC / "docker" / "Dockerfile"
steps = instructions(dockerfile)
ci_run = (SRC / ".ci" / "run").read_text()
check("make test" in ci_run, ".ci/run does not run `make test`")
check("image-stages.sh" in ci_run, ".ci/run does not take the Dockerfile's stages (.ci/image-stages.sh)")
known = {"FROM", "WORKDIR", "COPY", "ENV", "USER", "RUN", "ENTRYPOINT", "CMD", "HEALTHCHECK",
         "VOLUME", "EXPOSE", "LABEL", "ARG", "STOPSIGNAL"}
for kw, rest, line in steps:
    check(kw in known, f"Dockerfile:{line}: {kw} is not an instruction .ci/image-stages.sh takes")

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
    if commands[0].startswith("groupadd "):
        # The image-only step: add the group and user regpoll, both 10001, create its folders.
        user_steps += 1
        check(len(commands) == 3 and re.fullmatch(r"groupadd --gid 10001 regpoll", commands[0])
              and re.fullmatch(r"useradd --uid 10001 --gid 10001 [-\w /]+ regpoll", commands[1])
              and "--system" not in commands[1]
              and re.fullmatch(r"install -d -o regpoll -g regpoll [/\w ]+", commands[2]),
              f"{where}: the image-only step may only add the group and user regpoll (10001, "
              "not --system, whose ids end at 999) and create its folders")
        continue
    words = shlex.split(rest)
    m = re.fullmatch(r"scripts/([\w.-]+\.sh)", words[0]) if words else None
    check(m and len(commands) == 1 and not re.search(r"[;|&<>`$]", rest),
          f"{where}: must be exactly one scripts/*.sh call (so CI can run the same step)")
    if not m:
        continue
    script = m.group(1)
    check((SRC / "scripts" / script).is_file(), f"{where}: scripts/{script} does not exist")
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
check(volumes == ["/var/lib/regpoll"],
      f"VOLUME is not just the state folder /var/lib/regpoll (a volume over /etc/regpoll leaves "
      f"an anonymous volume behind each container; the site file is bind-mounted): {volumes}")
runtime_runs = [rest for kw, rest, _ in steps[[kw for kw, _, _ in steps].index("FROM", 1):] if kw == "RUN"] \
    if [kw for kw, _, _ in steps].count("FROM") > 1 else []
check(any("--runtime" in r and "--clean" in r for r in runtime_runs),
      f"the runtime stage does not install with --runtime --clean (apt lists in the image): {runtime_runs}")
check(re.search(r"REGPOLL_STATUS_FILE=/run/regpoll/status.json", last.get("ENV", "")),
      "the image does not set REGPOLL_STATUS_FILE to the folder it creates (/run/regpoll)")
health = last.get("HEALTHCHECK", "")
check(re.search(r'CMD \["regpoll", "health"', health), f"HEALTHCHECK does not run `regpoll health`: {health}")
check(json.loads(last.get("ENTRYPOINT", "[]")) == ["regpoll"], "ENTRYPOINT is not regpoll")
cmd = json.loads(last.get("CMD", "[]"))
check(cmd[:1] == ["run"] and "/etc/regpoll/regpoll.json" in cmd, f"CMD does not run /etc/regpoll/regpoll.json: {cmd}")
check(" ".join(cmd).find("--output none") > 0,
      f"CMD prints every sample into Docker's log, which grows without end: {cmd}")

ignore = (SRC / ".dockerignore").read_text() if (SRC / ".dockerignore").exists() else ""
check("build*/" in ignore, ".dockerignore does not keep build folders out of the context")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"docker steps: OK ({len([s for s in steps if s[0] == 'RUN'])} RUN steps, each run by .ci/image-stages.sh in CI)")
