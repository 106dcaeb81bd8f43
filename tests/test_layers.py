"""The layers of DESIGN.md, kept by reading every module's imports.

face (cli) -> use cases (api) -> adapters (fsio, writer, render) -> pure core -> ground (model,
errors). A module that is in no layer fails here: add it to LAYERS below, in the layer it
belongs to.
"""

from __future__ import annotations

import ast
import fnmatch
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vaultlink"

LAYERS: dict[str, tuple[str, ...]] = {
    "face": ("vaultlink.cli", "vaultlink.__main__"),
    "use cases": ("vaultlink", "vaultlink.api", "vaultlink.memo"),
    "adapters": ("vaultlink.fsio", "vaultlink.writer", "vaultlink.render"),
    "pure core": (
        "vaultlink.markdown",
        "vaultlink.resolve",
        "vaultlink.document",
        "vaultlink.graph",
        "vaultlink.layout",
        "vaultlink.linker",
        "vaultlink.hubs",
        "vaultlink.followup",
        "vaultlink.diff",
        "vaultlink.config",
        "vaultlink.report",
        "vaultlink.extract",
        "vaultlink.extract.*",
    ),
    "ground": ("vaultlink.model", "vaultlink.errors"),
}
# What each layer may import from vaultlink itself: only layers below it (and its own).
MAY_IMPORT = {
    "face": {"face", "use cases", "pure core", "ground"},
    "use cases": {"use cases", "adapters", "pure core", "ground"},
    "adapters": {"pure core", "ground"},
    "pure core": {"pure core", "ground"},
    "ground": {"ground"},
}
CORE_FORBIDDEN = {"os", "pathlib", "shutil", "tempfile", "io", "subprocess", "time", "socket", "urllib.request"}
CORE_FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval"}
CLOCK_CALLS = {"now", "today", "utcnow", "time", "perf_counter", "monotonic"}
ONLY_IN = {  # a third-party or risky import, and the only modules that may make it
    "click": {"vaultlink.cli"},
    "pyvis": {"vaultlink.render"},
    "os": {"vaultlink.fsio", "vaultlink.writer"},
    "tempfile": {"vaultlink.fsio", "vaultlink.writer"},
    "shutil": {"vaultlink.fsio", "vaultlink.writer"},
    "pickle": {"vaultlink.fsio"},
    "subprocess": set(),
}
# Type hints need os.PathLike: a module may import os for these names and nothing else.
HARMLESS_OS = {"PathLike", "fspath"}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    imports: frozenset[str]  # dotted names; ``from a import b`` gives both ``a`` and ``a.b``
    calls: frozenset[str]  # names called directly (``open(...)``) or as attributes (``x.now()``)
    os_names: frozenset[str] = frozenset()  # what it takes from os: ``os.path`` -> ``path``


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=None)
def _modules() -> tuple[Module, ...]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imports: set[str] = set()
        calls: set[str] = set()
        os_names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
                os_names.add(node.attr)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "os":
                os_names.update(node.module.split(".")[1:] or [alias.name for alias in node.names])
            if isinstance(node, ast.Import):
                imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                imports.add(base)
                imports.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name):
                    calls.add(node.func.id)
                elif isinstance(node.func, ast.Attribute):
                    calls.add("." + node.func.attr)
        found.append(Module(name, path, frozenset(imports), frozenset(calls), frozenset(os_names)))
    return tuple(found)


def _layer_of(name: str) -> str | None:
    for layer, patterns in LAYERS.items():
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return layer
    return None


def _imports_module(module: Module, target: str) -> bool:
    return any(name == target or name.startswith(target + ".") for name in module.imports)


def _vaultlink_imports(module: Module) -> set[str]:
    """The vaultlink modules ``module`` imports (a name imported from a package that is a module)."""
    known = {m.name for m in _modules()}
    return {name for name in module.imports if name in known and name != module.name}


MODULES = _modules()
IDS = [m.name for m in MODULES]


def test_the_package_is_found() -> None:
    names = {m.name for m in MODULES}
    assert {"vaultlink.cli", "vaultlink.api", "vaultlink.fsio", "vaultlink.markdown", "vaultlink.model"} <= names


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_every_module_has_a_layer(module: Module) -> None:
    assert _layer_of(module.name) is not None, (
        f"{module.path.relative_to(PACKAGE.parent)} is in no layer: add {module.name!r} to LAYERS in "
        "tests/test_layers.py (pure core if it takes text and dataclasses and returns them)"
    )


@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_layers_only_import_downwards(module: Module) -> None:
    layer = _layer_of(module.name)
    if layer is None:
        pytest.skip("in no layer (see test_every_module_has_a_layer)")
    for name in sorted(_vaultlink_imports(module)):
        if name == "vaultlink" and module.name.startswith("vaultlink."):
            continue  # "from vaultlink import fsio" names the package, then the module
        target = _layer_of(name)
        assert target in MAY_IMPORT[layer], f"{module.name} ({layer}) imports {name} ({target})"


@pytest.mark.parametrize("top", sorted(ONLY_IN))
def test_some_imports_live_in_one_place(top: str) -> None:
    users = {m.name for m in MODULES if _imports_module(m, top)}
    if top == "os":
        users = {m.name for m in MODULES if m.name in users and not m.os_names <= HARMLESS_OS}
        uses = {m.name: sorted(m.os_names - HARMLESS_OS) for m in MODULES if m.name in users - ONLY_IN[top]}
        assert users <= ONLY_IN[top], f"os used for {uses}: only fsio and writer touch the disk"
    assert users <= ONLY_IN[top], f"{top} imported by {sorted(users - ONLY_IN[top])}"


CORE = [m for m in MODULES if _layer_of(m.name) in ("pure core", "ground")]


@pytest.mark.parametrize("module", CORE, ids=[m.name for m in CORE])
def test_pure_core_does_no_io(module: Module) -> None:
    for forbidden in sorted(CORE_FORBIDDEN):
        assert not _imports_module(module, forbidden), f"{module.name} imports {forbidden}: the core does no I/O"
    for adapter in ("vaultlink.fsio", "vaultlink.writer", "vaultlink.render", "vaultlink.api", "vaultlink.cli"):
        assert not _imports_module(module, adapter), f"{module.name} imports {adapter}"
    called = module.calls & CORE_FORBIDDEN_CALLS
    assert not called, f"{module.name} calls {sorted(called)}: the core takes text and returns data"
    clock = {name for name in module.calls if name.lstrip(".") in CLOCK_CALLS and name.startswith(".")}
    assert not clock, f"{module.name} reads the clock ({sorted(clock)}): pass the date in"


@pytest.mark.parametrize("name", ["vaultlink.model", "vaultlink.errors"])
def test_ground_imports_only_the_standard_library(name: str) -> None:
    module = next(m for m in MODULES if m.name == name)
    outside = {i for i in module.imports if i.split(".")[0] not in sys.stdlib_module_names and i != "__future__"}
    outside -= {i for i in outside if i.startswith("__future__.")}
    vaultlink_ground = {i for i in outside if _layer_of(i) == "ground"}
    assert outside - vaultlink_ground == set(), f"{name} imports {sorted(outside - vaultlink_ground)}"


def test_the_rules_can_fail() -> None:
    """A core module that did I/O, or a module in no layer, would be caught."""
    fake = Module("vaultlink.markdown", PACKAGE / "markdown.py", frozenset({"os", "pathlib", "pathlib.Path"}), frozenset({"open"}))
    with pytest.raises(AssertionError):
        test_pure_core_does_no_io(fake)
    with pytest.raises(AssertionError):
        test_every_module_has_a_layer(Module("vaultlink.newthing", PACKAGE / "newthing.py", frozenset(), frozenset()))
