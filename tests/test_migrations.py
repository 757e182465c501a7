"""Migrations stand alone: what a migration did must not change when live code does.

So a migration imports Django and the standard library only, never an app of
this project (its models, roles or helpers), and its data steps are named
functions that can be undone.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "accounts",
    "news",
    "notifications",
    "discussions",
    "opinion",
    "moderation",
    "demo",
    "aouad",
    "search",
]
MIGRATIONS = sorted(
    path for app in APPS for path in (ROOT / app / "migrations").glob("0*.py") if path.is_file()
)


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


@pytest.mark.parametrize(
    "path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.stem}"
)
def test_migration_imports_no_live_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = [
        module
        for module in imported_modules(tree)
        if module.startswith(".") or module.split(".")[0] in APPS
    ]
    assert own == []


@pytest.mark.parametrize(
    "path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.stem}"
)
def test_data_steps_are_named_and_reversible(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "RunPython"):
            continue
        steps = list(call.args[:2]) + [
            kw.value for kw in call.keywords if kw.arg in {"code", "reverse_code"}
        ]
        assert len(steps) == 2, "RunPython without a reverse step"
        for step in steps:
            assert isinstance(step, ast.Name) and step.id in functions, ast.unparse(step)


def test_every_app_with_migrations_is_checked():
    assert {path.parent.parent.name for path in MIGRATIONS} >= {
        "accounts",
        "news",
        "notifications",
        "discussions",
        "moderation",
    }
