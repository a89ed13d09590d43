"""deploy/Dockerfile as a platform team would review it (hadolint lints it in `make test`).

No Docker engine runs here, so the image is not built: tests/deploy/test_wheel.py installs the
same wheel the same way and runs it, and these checks hold the Dockerfile to that."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


def final_stage() -> list[tuple[str, str]]:
    """The instructions of the last stage (what the image is)."""
    steps = instructions()
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def test_two_stages_on_one_pinned_slim_python_image() -> None:
    """A build stage and a final stage, both on the official slim Python image pinned to a
    patch version."""
    pinned = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert pinned and re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+", pinned.group(1))
    froms = [args for word, args in instructions() if word == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_final_stage_gets_the_installed_wheel_and_nothing_to_build_with() -> None:
    """The final stage copies the virtual environment the wheel was installed into and runs
    no installer: no pip, no apt, no compilers, no source."""
    steps = final_stage()
    assert ("COPY", "--from=build /opt/ecsbot /opt/ecsbot") in steps
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert not re.search(r"\b(pip|apt-get|apt|gcc|cc|make)\b", runs)
    assert not [args for word, args in steps if word in ("COPY", "ADD") and "--from" not in args]


def test_runs_ecsbot_serve_as_a_non_root_user_with_a_health_check() -> None:
    """Non-root, `ecsbot serve` in exec form, HEALTHCHECK on /healthz, PORT and LOG_FORMAT=json."""
    steps = dict(final_stage())
    assert steps["USER"] == "10001:10001"
    assert steps["CMD"] == '["ecsbot", "serve"]'
    assert steps["HEALTHCHECK"].endswith('CMD ["ecsbot-healthcheck"]')
    env = dict(re.findall(r"(\w+)=(\S+)", steps["ENV"]))
    assert (env["PORT"], env["LOG_FORMAT"]) == ("3000", "json")


def test_build_context_keeps_secrets_and_clutter_out() -> None:
    """.dockerignore lets in only what the Dockerfile copies: never .env, .venv or .git."""
    rules = [
        line
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = {
        source.rstrip("/")
        for word, args in instructions()
        if word == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    }
    assert copied == allowed == {"pyproject.toml", "README.md", "bot", "knowledge"}
