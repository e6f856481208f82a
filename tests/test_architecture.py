"""The layers of docs/architecture.md, checked on the source so that they stay true.

- Imports run downwards only: the foundation (``tracker.core``, ``tracker.extensions``)
  imports no area; models import no service; the access module imports only models; areas
  import neither views nor the API; only the API, the app factory and the commands import
  the API.
- Every access decision is taken in ``tracker/access.py``: no other module asks for a role
  or compares an owner with the current user.

The checks read the code (``ast`` and plain text) and never run it.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"

FOUNDATION, MODELS, ACCESS, SERVICES, VIEWS, COMMANDS = range(6)
LAYER_NAMES = ["foundation", "models", "access", "services", "views and API", "commands"]


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(name):
    """The layer of a module of the ``tracker`` package, by its place and its name."""
    parts = name.split(".")
    last = parts[-1]
    if name == "tracker" or parts[1:2] == ["commands"] or last == "cli":
        return COMMANDS
    if parts[1] in ("core", "extensions"):
        return FOUNDATION
    if name == "tracker.access":
        return ACCESS
    if last in ("models", "workflow"):
        return MODELS
    if parts[1] in ("api", "main") or last.endswith("views"):
        return VIEWS
    return SERVICES


def imported_modules(path):
    """Every ``tracker`` module ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from tracker import access`` imports the module tracker.access.
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            names = [n if n in MODULES else node.module for n in names]
        else:
            continue
        found.update(n for n in names if n == "tracker" or n.startswith("tracker."))
    return found


def _known(name):
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


IMPORTS = [
    (name, _known(target))
    for name, path in MODULES.items()
    for target in sorted(imported_modules(path))
    if _known(target) != "tracker" or name == "tracker.models"
]


def test_the_layers_are_what_the_architecture_page_says():
    assert layer("tracker.core.errors") == FOUNDATION
    assert layer("tracker.applications.models") == MODELS
    assert layer("tracker.applications.workflow") == MODELS
    assert layer("tracker.access") == ACCESS
    assert layer("tracker.applications.services") == SERVICES
    assert layer("tracker.applications.views") == VIEWS
    assert layer("tracker.api.applications") == VIEWS
    assert layer("tracker.commands.demo") == COMMANDS
    assert layer("tracker.audit.models") == MODELS
    assert layer("tracker.audit.services") == SERVICES
    assert layer("tracker.audit.views") == VIEWS
    assert len(IMPORTS) > 100  # the walk found the imports


def test_imports_run_downwards_only():
    climbing = [
        f"{name} ({LAYER_NAMES[layer(name)]}) imports {target} ({LAYER_NAMES[layer(target)]})"
        for name, target in IMPORTS
        if target != "tracker.models" and layer(target) > layer(name)
    ]
    assert climbing == []


def test_the_foundation_imports_no_area():
    offending = [
        f"{name} imports {target}"
        for name, target in IMPORTS
        if layer(name) == FOUNDATION and layer(target) != FOUNDATION
    ]
    assert offending == []


def test_only_the_api_the_factory_and_the_commands_import_the_api():
    offending = [
        f"{name} imports {target}"
        for name, target in IMPORTS
        if target.startswith("tracker.api")
        and not (name.startswith("tracker.api") or layer(name) == COMMANDS)
    ]
    assert offending == []


# Access decisions -------------------------------------------------------------------------
# Asking for a role, or comparing an owner with the person asking, is an access decision.
ACCESS_PATTERNS = [
    re.compile(r"\.is_admin\b"),
    re.compile(r"\.is_director\b"),
    re.compile(r"\.is_security_officer\b"),
    re.compile(r"\.has_role\("),
    re.compile(r"\b\w*(applicant|user|director|owner|uploader)_id\s*[!=]=\s*\w*user\.id\b"),
    re.compile(r"\b\w*user\.id\s*[!=]=\s*[\w.]*(applicant|user|director|owner|uploader)_id\b"),
]
# Where the roles are defined, and where they are administered (a rule of the directory:
# who holds the director role), not asked.
NOT_DECISIONS = {"tracker/access.py", "tracker/auth/models.py", "tracker/directory/services.py"}


def access_decisions(text):
    """The lines of ``text`` that take an access decision, by the patterns above."""
    return [
        line.strip()
        for line in text.splitlines()
        if not line.lstrip().startswith("#") and any(p.search(line) for p in ACCESS_PATTERNS)
    ]


def test_no_access_decision_outside_the_access_module():
    offending = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative in NOT_DECISIONS:
            continue
        lines = access_decisions(path.read_text())
        if lines:
            offending[relative] = lines
    assert offending == {}


@pytest.mark.parametrize("line", [
    "if not current_user.is_admin:",
    "if application.applicant_id != user.id:",
    "query.where(Notification.user_id == current_user.id)",
    "return user.has_role('director')",
    "if current_user.id == laboratory.director_id:",
])
def test_the_lint_sees_a_decision(line):
    assert access_decisions(line) == [line]


@pytest.mark.parametrize("line", [
    "if access.can_manage_directory(user):",
    "applicant_id=applicant.id,",
    "# a comment may say user.is_admin",
])
def test_the_lint_passes_what_is_not_a_decision(line):
    assert access_decisions(line) == []


LOADER_OPTIONS = {"joinedload", "selectinload", "subqueryload", "contains_eager",
                  "configure_mappers", "with_polymorphic"}


def _module_level_loader_calls(tree):
    """Calls of loader options at a module's top level (outside functions and classes)."""
    found = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in LOADER_OPTIONS:
                    found.append((statement.lineno, name))
    return found


def test_no_module_configures_the_mappers_when_imported():
    """A loader option built at import time configures every mapper, which fails unless
    every model was imported first: a script importing one service before the app would
    stop there (``from tracker.auth.services import create_user`` did)."""
    offenders = [
        f"{name}:{line} {call}"
        for name, path in MODULES.items()
        for line, call in _module_level_loader_calls(ast.parse(path.read_text()))
    ]
    assert offenders == []


def test_the_lint_sees_a_module_level_loader_option():
    tree = ast.parse("OWNER = (joinedload(Token.user), 1)\n"
                     "def f():\n    return selectinload(A.b)\n")
    assert _module_level_loader_calls(tree) == [(1, "joinedload")]
