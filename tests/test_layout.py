"""The package layout is the architecture: who may import whom, and no import cycles.

The modules are read with `ast`, not imported, so a rule broken behind `TYPE_CHECKING` or
inside a function counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# The core: pure code any surface can call. It never reaches up to a surface or down to storage.
CORE = ("knowledge", "matching", "answering", "blocks", "recommend")
# Which top-level parts of `bot` each part may import; the README draws the same arrows.
ALLOWED: dict[str, set[str]] = {
    "logs": set(),
    "metrics": set(),
    "healthcheck": set(),
    "knowledge": set(),
    "settings": {"knowledge", "logs"},
    "matching": {"knowledge"},
    "recommend": {"knowledge"},
    "blocks": {"knowledge", "matching", "recommend"},
    "answering": {"knowledge", "matching", "recommend", "blocks", "settings"},
    "ports": {"matching", "answering"},
    "storage": {"settings", "matching", "metrics"},
    "slack": {
        "answering",
        "blocks",
        "recommend",
        "matching",
        "knowledge",
        "ports",
        "settings",
        "logs",
        "metrics",
    },
    # The playground runs the Slack app against the stand-in; it never touches storage itself.
    "playground": {"slack", "blocks", "matching", "ports", "settings"},
    "cli": {
        *CORE,
        "slack",
        "storage",
        "ports",
        "settings",
        "logs",
        "metrics",
        "bot",
        "playground",
    },
}
# Where slack_bolt may be imported: the Slack app, and the two places that wire Slack to the rest.
BOLT_ALLOWED = ("bot.slack", "bot.storage.oauth", "bot.cli.serve")


def module_name(path: Path) -> str:
    """`bot/slack/app.py` -> `bot.slack.app`; a package's `__init__.py` is the package."""
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted(BOT.rglob("*.py"))
    if "migrations" not in path.relative_to(BOT).parts
}


def imported(name: str) -> Iterator[str]:
    """Every module `name` imports, as written (`from a import b` gives `a.b` when that is a
    module of ours, else `a`)."""
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in MODULES else node.module


def ours(name: str) -> list[str]:
    """The modules of `bot` that `name` imports."""
    return sorted({dep for dep in imported(name) if dep in MODULES and dep != name})


def part(name: str) -> str:
    """The top-level part of `bot` a module belongs to: `bot.slack.app` -> `slack`."""
    return name.split(".")[1] if "." in name else "bot"


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One cycle in `graph` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_part_has_a_rule() -> None:
    """A new top-level package or module gets its place in ALLOWED before it gets code."""
    assert {part(name) for name in MODULES} - {"bot"} == set(ALLOWED) - {"bot"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_follow_the_arrows(name: str) -> None:
    """Each module imports only from its own part of bot and the parts ALLOWED below it."""
    if name == "bot":
        return
    home = part(name)
    wrong = [dep for dep in ours(name) if part(dep) != home and part(dep) not in ALLOWED[home]]
    assert not wrong, f"{name} ({home}) must not import {wrong}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_slack_bolt_only_in_the_slack_app(name: str) -> None:
    """slack_bolt stays under bot/slack (plus storage's OAuth store and `ecsbot serve`)."""
    if name.startswith(BOLT_ALLOWED):
        return
    bolt = [dep for dep in imported(name) if dep.split(".")[0] == "slack_bolt"]
    assert not bolt, f"{name} imports {bolt}"


@pytest.mark.parametrize("core", CORE)
def test_core_never_imports_a_surface_or_storage(core: str) -> None:
    """Nothing under the core packages imports bot.slack, bot.storage or bot.cli."""
    for name in MODULES:
        if part(name) == core:
            bad = [d for d in ours(name) if part(d) in ("slack", "storage", "cli")]
            assert not bad, f"{name} imports {bad}"


def test_no_import_cycle_between_modules() -> None:
    """No module imports, directly or not, one that imports it back."""
    assert find_cycle({name: ours(name) for name in MODULES}) is None


def test_no_import_cycle_between_parts() -> None:
    """Between the top-level parts of bot (matching, slack, storage, ...) the arrows go one way."""
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        graph.setdefault(part(name), set()).update(
            part(dep) for dep in ours(name) if part(dep) != part(name)
        )
    assert find_cycle({key: sorted(value) for key, value in graph.items()}) is None


def test_find_cycle_finds_one() -> None:
    """The cycle finder is not vacuous: a -> b -> c -> a is reported."""
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None
