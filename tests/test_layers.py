"""The import contract of docs/architecture.md: each layer imports only the layers below it.

The document's package table must name exactly the packages that exist, and only
the supervisor may name a concrete hub class.
"""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "master"
ARCHITECTURE = ROOT.parent / "docs" / "architecture.md"

# package -> master packages it may import (besides itself). `config` imports nothing, so
# any layer may take its settings section from it.
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "config": set(),
    "logs": {"model"},
    "metrics": set(),
    "processor": {"model"},
    "datahub": {"model", "processor", "metrics", "config"},
    "database": {"model"},
    "notifier": {"model"},
    "service": {"model", "datahub", "database", "processor", "notifier", "config"},
    "query": {"model", "datahub", "database"},
    "webapi": {"model"},
    "agentsdk": {"model", "processor", "datahub", "webapi", "metrics", "config"},
    "gateway": {"model", "query", "service", "webapi", "metrics", "config"},
    "demo": {"model"},
}


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _is_layer(name: str) -> bool:
    """`from master import X` names a layer only when X is a module, not an attribute."""
    return (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file()


def _imports(path: Path) -> set[str]:
    return _imports_of(path.read_text(), path.relative_to(ROOT).parts)


def _imports_of(source: str, rel: tuple[str, ...]) -> set[str]:
    """The top-level master packages a module at `rel` imports (absolute or relative)."""
    tree = ast.parse(source)
    depth_base = len(rel) - 1
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("master.")}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("master."):
                    found.add(node.module.split(".")[1])
                elif node.module == "master":
                    found |= {a.name for a in node.names if _is_layer(a.name)}
                continue
            up = node.level - 1
            if up > depth_base:
                continue
            parts = list(rel[: depth_base - up])
            parts += node.module.split(".") if node.module else []
            if parts:
                found.add(parts[0].removesuffix(".py"))
            else:
                found |= {a.name for a in node.names if _is_layer(a.name)}
    return found


MODULES = sorted(p for p in ROOT.rglob("*.py") if _layer(p) in ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_layer_imports_only_layers_below(path: Path) -> None:
    layer = _layer(path)
    extra = _imports(path) - ALLOWED[layer] - {layer, "__init__"}
    assert not extra, f"{path.relative_to(ROOT)} ({layer}) imports {sorted(extra)}"


def test_every_package_has_a_rule() -> None:
    layers = {_layer(p) for p in ROOT.rglob("*.py")} - {"__init__", "__main__", "supervisor"}
    assert layers <= set(ALLOWED), f"no import rule for {sorted(layers - set(ALLOWED))}"


def test_architecture_lists_exactly_the_packages() -> None:
    listed = set(re.findall(r"^\| `master/(\w+)(?:\.py)?` \|", ARCHITECTURE.read_text(), re.M))
    existing = {_layer(p) for p in ROOT.rglob("*.py")} - {"__init__", "__main__"}
    assert listed == existing, (
        f"docs/architecture.md lacks {sorted(existing - listed)}, "
        f"names what does not exist {sorted(listed - existing)}"
    )


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from ..datahub import MemoryHub", {"datahub"}),
        ("from ..datahub.memory import MemoryHub", {"datahub"}),
        ("from master.database import Database", {"database"}),
        ("import master.datahub.memory", {"datahub"}),
        ("from .. import processor", {"processor"}),
        ("from .params import text", {"gateway"}),
    ],
)
def test_checker_sees_every_import_form(source: str, found: set[str]) -> None:
    assert _imports_of(source, ("gateway", "routes.py")) == found


# --- the hub interface -----------------------------------------------------------------

HUB_INTERFACE = "DataHub"


@functools.cache
def _concrete_hubs() -> frozenset[str]:
    """Classes of the datahub package that implement the interface (`MemoryHub`, ...)."""
    return frozenset(
        node.name
        for path in (ROOT / "datahub").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef) and node.name.endswith("Hub")
    ) - {HUB_INTERFACE}


def _names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            names |= {a.name for a in node.names}
    return names


HUB_USERS = sorted(
    p for p in ROOT.rglob("*.py") if _layer(p) not in ("datahub", "supervisor", "__init__")
)


def test_the_interface_is_a_protocol_every_hub_implements() -> None:
    from master.datahub import DataHub, MemoryHub

    assert getattr(DataHub, "_is_protocol", False), "DataHub is a typing.Protocol"
    assert _concrete_hubs() >= {"MemoryHub"}
    interface = {n for n in vars(DataHub) if not n.startswith("_")}
    public = {n for n in vars(MemoryHub) if not n.startswith("_")}
    assert public == interface, "a concrete hub offers exactly the interface"


@pytest.mark.parametrize("path", HUB_USERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_supervisor_names_a_concrete_hub(path: Path) -> None:
    named = _names(path) & _concrete_hubs()
    assert not named, f"{path.relative_to(ROOT)} names {sorted(named)}; use {HUB_INTERFACE}"


def test_supervisor_types_the_hub_by_its_interface() -> None:
    text = (ROOT / "supervisor.py").read_text()
    assert f"hub: {HUB_INTERFACE} = " in text


# I/O-free cores: state machines over plain data. Importing one, with everything it imports,
# loads no event loop, database, network or mail client, and none of our layers holding them.
CORES = ("master.service.alert_core", "master.service.alert_rules")
IO = (
    *("trio", "anyio", "asyncio", "sqlite3", "socket", "ssl", "http", "httpx", "h11"),
    *("hypercorn", "quart", "quart_trio", "smtplib", "email", "cryptography"),
    *("master.database", "master.datahub", "master.notifier", "master.query", "master.gateway"),
    *("master.agentsdk", "master.supervisor", "master.service.notify", "master.service.alerts"),
)


def _io_loaded_by(module: str) -> list[str]:
    """The I/O modules a fresh interpreter has loaded after importing `module`."""
    code = f"import sys; import {module}; print(*sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = run.stdout.split()
    return sorted(m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in IO))


@pytest.mark.parametrize("module", CORES)
def test_cores_load_no_io(module: str) -> None:
    assert _io_loaded_by(module) == []


def test_io_check_sees_the_shell() -> None:
    assert {"trio", "sqlite3", "master.database", "master.notifier"} <= set(
        _io_loaded_by("master.service.alerts")
    )
