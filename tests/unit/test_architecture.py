"""The dependency rule, read from the code's own imports: services, the API and the task handlers
see ports, never adapters; the domain imports nothing of ours outside itself."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chalicelib"


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the chalicelib modules a file imports (relative imports resolved)."""
    parts = ("chalicelib", *path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else ()
            module = ".".join((*base, *(node.module.split(".") if node.module else ())))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def files_of(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", files_of("services", "api", "tasks", "render"), ids=lambda p: p.name)
def test_use_cases_and_entry_points_do_not_import_adapters(path):
    offending = {m for m in imported_modules(path) if m.startswith("chalicelib.adapters")}
    assert not offending, f"{path.relative_to(PACKAGE)} imports {offending}"


@pytest.mark.parametrize("path", files_of("domain"), ids=lambda p: p.name)
def test_the_domain_imports_only_the_domain(path):
    ours = {m for m in imported_modules(path) if m.startswith("chalicelib")}
    assert all(m.startswith("chalicelib.domain") for m in ours), f"{path.name} imports {ours}"


def test_the_walk_sees_imports_where_they_are():
    fake = PACKAGE / "services" / "steps.py"
    assert "chalicelib.services.cases" in imported_modules(fake)
    bootstrap = imported_modules(PACKAGE / "bootstrap.py")
    assert "chalicelib.adapters.dynamo" in bootstrap  # the one place that wires adapters
