"""How authflow is installed and how fast its command starts: one top-level package in the wheel, no
import cycle, and no boto3/botocore (nor prompt_toolkit) for commands that do not call Cognito."""

from __future__ import annotations

import ast
import json
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from authflow.localpool import LocalUserPool
from authflow.tokencache import CacheKey, TokenCache
from authflow.tokens import Tokens
from tests.helpers.cli import REPO, credential_free_env

HEAVY = ("boto3", "botocore", "s3transfer", "prompt_toolkit")


def imported_modules(importtime_stderr: str) -> set[str]:
    """The modules ``python -X importtime`` says were imported."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def heavy_imports(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def run_importtime(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "authflow", *args],
        env=env, cwd=str(REPO), capture_output=True, text=True, timeout=60, check=False,
    )


@pytest.mark.parametrize("args", [["--help"], ["diagram"], ["login", "--help"]])
def test_commands_without_cognito_import_no_boto_nor_prompt_toolkit(tmp_path: Path, args: list[str]) -> None:
    done = run_importtime(args, credential_free_env(tmp_path))
    assert done.returncode == 0, done.stderr
    modules = imported_modules(done.stderr)
    assert "authflow.cli" in modules  # the measure works
    assert heavy_imports(modules) == []


def test_cached_token_imports_no_boto_nor_prompt_toolkit(tmp_path: Path) -> None:
    env = credential_free_env(tmp_path)
    cached = Tokens.from_authentication_result(
        {"AccessToken": "cached.access.token", "IdToken": "cached.id.token", "ExpiresIn": 3600}
    )
    TokenCache(env["AUTHFLOW_CACHE_DIR"]).store(CacheKey("us-east-1_Example", "client123", "alice"), cached)
    args = ["token", "--pool-id", "us-east-1_Example", "--client-id", "client123", "--username", "alice"]
    done = run_importtime(args, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "cached.access.token\n"
    assert heavy_imports(imported_modules(done.stderr)) == []


@pytest.mark.parametrize("local_pool", ["demo"], indirect=True)
def test_a_non_interactive_login_imports_no_prompt_toolkit(local_pool: LocalUserPool, tmp_path: Path) -> None:
    alice = next(u for u in local_pool.demo_users() if u["username"] == "alice")
    env = credential_free_env(tmp_path, {"AUTHFLOW_PASSWORD": str(alice["password"])})
    args = ["login", "--non-interactive", "--pool-id", str(alice["pool_id"]), "--client-id", str(alice["client_id"]),
            "--endpoint-url", local_pool.endpoint_url, "--username", "alice"]
    done = run_importtime(args, env)
    assert done.returncode == 0, done.stderr
    assert "AccessToken" in json.loads(done.stdout)
    modules = imported_modules(done.stderr)
    assert "botocore" in modules  # it did call Cognito
    assert [m for m in modules if m.startswith("prompt_toolkit")] == []


def test_local_pool_imports_no_boto_nor_py_webauthn_until_it_serves(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "authflow", "local-pool", "--quiet"],
        env=credential_free_env(tmp_path), cwd=str(REPO), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        assert "endpoint_url" in json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    modules = imported_modules(stderr)
    assert "authflow.localpool.server" in modules
    assert "authflow.passkeys" in modules  # the demo's passkey user got her software passkey
    assert heavy_imports(modules) == []
    assert [m for m in modules if m.split(".")[0] == "webauthn"] == []  # imported at the first WebAuthn request


def test_the_wheel_has_one_top_level_package_typed(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources, never into the checkout.
    source = tmp_path / "source"
    junk = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                  "node_modules", ".pytest_cache", ".ruff_cache", ".mypy_cache")
    shutil.copytree(REPO, source, ignore=junk, symlinks=True)
    before = sorted(p.name for p in REPO.iterdir())
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        check=True, capture_output=True, timeout=300,
    )
    assert sorted(p.name for p in REPO.iterdir()) == before  # nothing written into the checkout
    (wheel,) = (tmp_path / "dist").glob("authflow-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"authflow"}
    assert "authflow/py.typed" in names
    assert {"authflow/states/__init__.py", "authflow/states/base.py", "authflow/localpool/demo_seed.json"} <= set(
        names
    )


# --- no import cycle -------------------------------------------------------------------------------------


def project_modules() -> dict[str, Path]:
    """Every module of the installed package, by dotted name (states/ installs as authflow.states)."""
    modules: dict[str, Path] = {}
    for root, package in ((REPO / "authflow", "authflow"), (REPO / "states", "authflow.states")):
        for path in root.rglob("*.py"):
            parts = [package, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import of a module, wherever it runs (top level, or inside a function or class), but not the
    ones for type checkers only (under ``if TYPE_CHECKING``); ``importlib.import_module("a.b")`` with a
    literal name counts as ``import a.b``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
            continue
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("importlib.import_module", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(ast.Import(names=[ast.alias(name=node.args[0].value)]))
        pending += ast.iter_child_nodes(node)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in modules}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # "from package import submodule" needs the submodule, not what the package's __init__ defines
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules.keys()
            edges |= submodules
            if base in modules and len(submodules) < len(node.names):
                edges.add(base)
        # Importing a.b.c runs a/b/__init__ first: from outside package a.b, that is an edge to it too.
        for target in list(edges):
            parent = target.rpartition(".")[0]
            while parent in modules and not name.startswith(parent + ".") and name != parent:
                edges.add(parent)
                parent = parent.rpartition(".")[0]
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_the_imports() -> None:
    graph = import_graph()
    assert "authflow.errors" in graph["authflow.cli"]
    assert "authflow.states.base" in graph["authflow.states"]
    assert "authflow.localpool" in graph["authflow.localpool.cli"]  # from authflow.localpool import LocalUserPool
    assert "authflow.srp" in graph["authflow.localpool.auth"]  # from authflow import srp
    assert "authflow" not in graph["authflow.localpool.auth"]
    assert "authflow.demo" in graph["authflow.cli.demo"]  # imported inside cmd_demo: it counts too
    assert "authflow.cli.login" in graph["authflow.cli"]  # a command module


def test_no_import_cycle_among_the_modules() -> None:
    assert cycles(import_graph()) == []
