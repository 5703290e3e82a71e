"""The dependency files tell the truth: what the running code imports is declared in requirements.in,
nothing is declared there that nothing uses, and the locks pin every package with hashes, the runtime
lock without test tools and the image installing only that one.
"""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_CODE = ("bot", "actions", "rasa_sdk_plugins")
# Declared although no module imports them: what loads them does so by name.
LOADED_BY_NAME = {
    "jieba": "Rasa's JiebaTokenizer (config.yml, bot/rasa/nlu/) imports it; Rasa does not declare it",
    "psycopg2-binary": "SQLAlchemy loads it for DATABASE_URL=postgresql+psycopg2://... (the production store)",
}
TOOLS = {"pytest", "pytest-asyncio", "hypothesis", "playwright", "kubernetes-validate", "pip-tools", "ruff", "mypy",
         "py-spy"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(path: Path) -> dict[str, Requirement]:
    """The requirements of a .in file by canonical name (options such as -c are skipped)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {canonical(r.name): r for r in (Requirement(line) for line in lines if line and not line.startswith("-"))}


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """A lock's entries by canonical name: (version, hashes)."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text())
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)((?:\s+--hash=\S+)*)", line)
        assert match, f"{path.name}: not an exact pin with hashes: {line[:80]}"
        name, version, hashes = match.groups()
        entries[canonical(name)] = (version, re.findall(r"--hash=(\S+)", hashes))
    return entries


def third_party_imports(folders: tuple[str, ...]) -> dict[str, set[str]]:
    """Top-level names imported by the code in `folders` that are neither the standard library nor ours."""
    ours = {p.name for p in ROOT.iterdir() if p.is_dir()} | {p.stem for p in ROOT.glob("*.py")}
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in ours and top != "__future__":
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


RUNTIME_IN = declared(ROOT / "requirements.in")
DEV_IN = declared(ROOT / "requirements-dev.in")
RUNTIME_LOCK = locked(ROOT / "requirements.lock")
DEV_LOCK = locked(ROOT / "requirements-dev.lock")


def providers() -> dict[str, list[str]]:
    """Which installed distributions provide each top-level module: top_level.txt, else the files'
    first path parts (what importlib.metadata.packages_distributions does from Python 3.11 on)."""
    found: dict[str, list[str]] = {}
    for dist in importlib.metadata.distributions():
        names = (dist.read_text("top_level.txt") or "").split() or {
            file.parts[0].removesuffix(".py") for file in dist.files or []
            if len(file.parts) > 1 or file.suffix == ".py"
        }
        for name in names:
            if name.isidentifier():
                found.setdefault(name, []).append(dist.metadata["Name"])
    return found


PROVIDERS = providers()


def test_every_third_party_import_of_the_running_code_is_a_declared_runtime_dependency():
    undeclared = {
        module: sorted(files)[:3]
        for module, files in third_party_imports(RUNTIME_CODE).items()
        if not {canonical(d) for d in PROVIDERS.get(module, [module])} & set(RUNTIME_IN)
    }
    assert not undeclared, f"imported but not declared in requirements.in: {undeclared}"


def test_every_declared_runtime_dependency_is_imported_or_loaded_by_name():
    imported = {canonical(d) for module in third_party_imports(RUNTIME_CODE) for d in PROVIDERS.get(module, [])}
    unused = set(RUNTIME_IN) - imported - set(LOADED_BY_NAME)
    assert not unused, f"declared in requirements.in but used by nothing under {RUNTIME_CODE}: {sorted(unused)}"


def test_the_checker_sees_a_new_import():
    """The import scan is not vacuous: it finds what the code imports, mapped to the declared packages."""
    imports = third_party_imports(RUNTIME_CODE)
    assert {"rasa", "rasa_sdk", "sqlalchemy", "aiohttp", "babel"} <= set(imports)
    assert canonical(PROVIDERS["yaml"][0]) == "pyyaml" and "pyyaml" in RUNTIME_IN


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_hashes(lock):
    entries = locked(ROOT / lock)
    assert len(entries) > 10
    without = sorted(name for name, (_, hashes) in entries.items() if not hashes)
    assert not without, f"{lock}: no --hash for {without}"
    assert all(h.startswith("sha256:") for _, hashes in entries.values() for h in hashes)


@pytest.mark.parametrize("source, lock", [("requirements.in", "requirements.lock"),
                                          ("requirements-dev.in", "requirements-dev.lock")])
def test_each_lock_holds_what_its_source_declares(source, lock):
    wanted, entries = declared(ROOT / source), locked(ROOT / lock)
    missing = sorted(set(wanted) - set(entries))
    assert not missing, f"{lock} is stale (run `make lock`): it lacks {missing}"
    outside = {name: entries[name][0] for name, r in wanted.items() if not r.specifier.contains(entries[name][0])}
    assert not outside, f"{lock} is stale (run `make lock`): {outside} break {source}"


def test_the_runtime_lock_has_no_test_tools_and_the_two_locks_agree():
    assert not TOOLS & set(RUNTIME_LOCK), "test and development tools belong in requirements-dev.in"
    assert TOOLS <= set(DEV_IN)
    assert "-c requirements.lock" in (ROOT / "requirements-dev.in").read_text().splitlines()
    differ = {n: (RUNTIME_LOCK[n][0], DEV_LOCK[n][0]) for n in set(RUNTIME_LOCK) & set(DEV_LOCK)
              if RUNTIME_LOCK[n][0] != DEV_LOCK[n][0]}
    assert not differ


def test_this_virtualenv_has_the_locked_versions():
    """What the tests run against is what the locks say (scripts/setup-venv.sh installs both)."""
    wrong = {}
    for name, (version, _) in {**RUNTIME_LOCK, **DEV_LOCK}.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"locked vs installed: {wrong}; run scripts/setup-venv.sh"


def test_the_image_installs_the_runtime_lock_only_and_make_installs_both_with_hashes():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "requirements-dev" not in dockerfile
    setup = (ROOT / "scripts" / "setup-venv.sh").read_text()
    assert "pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock" in setup
