"""The package runs anywhere: `python -m build`, installed into a fresh virtual environment,
used from a directory outside the checkout. This is also the stand-in for the container image,
which installs the same wheel (no Docker engine runs here).

Tests reach nothing but 127.0.0.1, so the fresh environment takes its dependencies from the
test environment (a path in a .pth file, the same pinned versions) instead of downloading
them, and `pip check` confirms the wheel's requirements are met. The wheel itself, with the
knowledge base in it, is installed from the file `python -m build` wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from bot.slack.standin import BOT_TOKEN
from tests.ports import free_port
from tests.slack.payloads import SIGNING_SECRET
from tests.waiting import SHUTDOWN_SECONDS, STARTUP_SECONDS

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command; its stdout, or the whole output in the failure."""
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def fresh_venv_with(wheel: Path, venv: Path) -> Path:
    """A new virtual environment with `wheel` installed; its bin directory."""
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv)
    deps = sysconfig.get_path("purelib")  # the test environment's packages, not its `bot`
    (Path(purelib.strip()) / "_test_dependencies.pth").write_text(deps + "\n", encoding="utf-8")
    pip = (sys.executable, "-m", "pip", "--python", python)
    run(*pip, "install", "--quiet", "--no-deps", "--no-index", wheel, cwd=venv)
    run(*pip, "check", cwd=venv)
    return venv / "bin"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything pointing back at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def serve_until_healthy(bin_dir: Path, cwd: Path) -> None:
    """`ecsbot serve` from the wheel answers /healthz (checked with `ecsbot-healthcheck`),
    then stops cleanly on SIGTERM."""
    port = str(free_port())
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:9/api/",
        PORT=port,
    )
    serve = [bin_dir / "ecsbot", "serve", "--host", "127.0.0.1"]
    check = [bin_dir / "ecsbot-healthcheck"]
    with subprocess.Popen(serve, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True) as proc:
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while subprocess.run(check, cwd=cwd, env=env, capture_output=True).returncode != 0:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "ecsbot serve from the wheel did not come up"
                time.sleep(0.2)
        finally:
            proc.terminate()
            _, log = proc.communicate(timeout=SHUTDOWN_SECONDS)
    assert proc.returncode == 0, log
    assert "Closed the database and Redis connections" in log


def test_the_built_wheel_answers_and_serves_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, install it into a fresh venv, and from elsewhere: the knowledge base
    and the playground's page come from inside the installed package (all of it), `ecsbot
    ask` answers, `ecsbot serve` serves /healthz and stops with exit code 0."""
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO, cwd=tmp_path)
    [wheel] = dist.glob("*.whl")
    bin_dir = fresh_venv_with(wheel, tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = run(
        bin_dir / "python",
        "-c",
        "import bot, bot.knowledge as k; print(bot.__file__); print(k.default_knowledge_dir())",
        cwd=elsewhere,
        env=clean_env(),
    ).split()
    package, knowledge = Path(where[0]), Path(where[1])
    assert package.is_relative_to(tmp_path / "venv"), package
    assert knowledge.is_relative_to(package.parent), knowledge
    shipped = sorted(p.relative_to(knowledge) for p in knowledge.rglob("*") if p.is_file())
    source = REPO / "knowledge"
    assert shipped == sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    page = sorted(p.name for p in (package.parent / "playground" / "static").iterdir())
    assert page == sorted(p.name for p in (REPO / "bot" / "playground" / "static").iterdir())

    answer = run(
        bin_dir / "ecsbot",
        "ask",
        "--json",
        "how is fargate billed?",
        cwd=elsewhere,
        env=clean_env(),
    )
    assert json.loads(answer)["topic"] == "cost"
    serve_until_healthy(bin_dir, elsewhere)
