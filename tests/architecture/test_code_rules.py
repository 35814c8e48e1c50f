"""Rules about the code itself, checked over every module of the apps (migrations aside), so that new code is
covered as soon as it is written: only the lifecycle functions write a status, no module or function grows past
what a reader can hold (issue 18), and no app imports or reverses the URLs of an app above it (DESIGN §2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80

# The only functions that write the status of a work order, a follow-up or a complaint (file, function).
STATUS_WRITERS = {
    ("workorders/actions/__init__.py", "perform"),
    ("feedback/actions/follow_ups.py", "move_follow_ups"),
    ("feedback/actions/follow_ups.py", "move_follow_up"),
    ("feedback/actions/complaints.py", "_complaint_step"),
    # The demo builds its rows in memory for one bulk INSERT, walking TRANSITIONS (tests/workorders/
    # test_timelines.py checks every timeline it writes is a path through the table).
    ("workorders/demo.py", "walk"),
    ("feedback/demo.py", "seed_demo_follow_ups"),
    # A hazard's own one mover, along its table (operations.choices).
    ("operations/actions/hazards.py", "move_hazard"),
}
# Status enumerations of other models, whose rows are jobs rather than cases (sending, exporting, scoring).
OTHER_STATES = {
    "NotificationStatus",
    "ExportStatus",
    "InspectionStatus",
    "NoticeStatus",
    "RoundStatus",
    "HazardStatus",
    "ImportStatus",
}
# DESIGN's dependency order, lowest first: an app may use the apps before it, never those after it.
LAYERS = ["residents", "crews", "workorders", "operations", "feedback", "hotline"]
WRITE_CALLS = {"update", "create", "get_or_create", "update_or_create", "WorkOrder", "FollowUp", "Complaint"}


def app_modules() -> list[Path]:
    """Every Python module of the project's own apps and config, migrations aside."""
    base = Path(settings.BASE_DIR)
    roots = {Path(a.path) for a in apps.get_app_configs() if Path(a.path).parent == base}
    roots.add(base / "config")
    files = [p for root in roots for p in root.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 50, "the scan must see the apps"
    return sorted(files)


def _relative(path: Path) -> str:
    return path.relative_to(settings.BASE_DIR).as_posix()


def _is_other_state(value: ast.expr) -> bool:
    """Is the value provably a state of another model (`NotificationStatus.SENT`, or a choice of two)?"""
    if isinstance(value, ast.IfExp):
        return _is_other_state(value.body) and _is_other_state(value.orelse)
    return (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Name)
        and value.value.id in OTHER_STATES
    )


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class StatusWrites(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path, self.stack, self.found = path, [], []

    def visit_FunctionDef(self, node) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _write(self, node: ast.AST, value: ast.expr | None) -> None:
        where = (self.path, self.stack[0] if self.stack else "<module>")
        if where not in STATUS_WRITERS and not (value is not None and _is_other_state(value)):
            self.found.append(f"{self.path}:{node.lineno} in {where[1]}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [None] * len(elements)
            for element, value in zip(elements, values, strict=False):
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    self._write(node, value if value is not None else node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node) -> None:
        if isinstance(node.target, ast.Attribute) and node.target.attr == "status":
            self._write(node, None)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name == "setattr" and len(node.args) >= 2:
            if isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
                self._write(node, node.args[2] if len(node.args) > 2 else None)
        elif name in WRITE_CALLS:
            for keyword in node.keywords:
                if keyword.arg == "status":
                    self._write(node, keyword.value)
                elif keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "status":
                            self._write(node, value)
        self.generic_visit(node)


def status_writes(source: str, path: str = "x.py") -> list[str]:
    visitor = StatusWrites(path)
    visitor.visit(ast.parse(source))
    return visitor.found


def test_only_the_lifecycle_functions_write_a_status():
    found = [hit for path in app_modules() for hit in status_writes(path.read_text(), _relative(path))]
    assert found == [], "a status written outside perform and its twins:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "def f(order):\n    order.status = 'closed'\n",
        "def f(o, s):\n    o.crew, o.status = None, s\n",
        "def f(qs):\n    qs.update(status='done')\n",
        "def f():\n    FollowUp.objects.create(work_order=None, status='due')\n",
        "def f(qs):\n    qs.update_or_create(pk=1, defaults={'status': 'closed'})\n",
        "def f(o):\n    setattr(o, 'status', 'done')\n",
        "def f():\n    return WorkOrder(status='closed')\n",
    ],
)
def test_the_scan_sees_every_form_of_status_write(source):
    assert status_writes(source) == ["x.py:2 in f"]


def test_the_scan_lets_other_models_states_and_reads_pass():
    source = (
        "def f(qs, o):\n"
        "    qs.update(status=NotificationStatus.SENT)\n"
        "    o.status = InspectionStatus.PASSED if o.ok else InspectionStatus.FAILED\n"
        "    qs.filter(status='done').count()\n"
        "    return o.status == 'x'\n"
    )
    assert status_writes(source) == []


def test_no_module_or_function_is_too_long():
    too_long = []
    for path in app_modules():
        source = path.read_text()
        if (lines := len(source.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{_relative(path)}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{_relative(path)}:{node.lineno} {node.name}(): {length} lines")
    assert too_long == [], "split these:\n" + "\n".join(too_long)


@pytest.mark.django_db
def test_every_admin_page_shows_statuses_read_only(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if "status" not in {f.name for f in model._meta.get_fields()}:
            continue
        checked += 1
        editable = model_admin.has_change_permission(request) or model_admin.has_add_permission(request)
        assert "status" not in (model_admin.list_editable or ()), model.__name__
        if editable:
            assert "status" in model_admin.get_readonly_fields(request), (
                f"{model.__name__}: status is editable"
            )
    assert checked >= 5


def upward_references(app: str, source: str) -> list[str]:
    """The modules an app's source imports, and the URL namespaces it reverses, that belong to a higher app."""
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and _call_name(node) in {"reverse", "reverse_lazy", "redirect"}:
            first = node.args[0] if node.args else None
            is_name = isinstance(first, ast.Constant) and isinstance(first.value, str) and ":" in first.value
            names = [first.value.split(":")[0]] if is_name else []
        else:
            continue
        found.extend(f"{node.lineno}: {name}" for name in names if name.split(".")[0] in above)
    return found


def test_no_app_depends_on_an_app_above_it():
    upward = []
    for path in app_modules():
        app = path.relative_to(settings.BASE_DIR).parts[0]
        if app in LAYERS:
            upward.extend(f"{_relative(path)}:{ref}" for ref in upward_references(app, path.read_text()))
    assert upward == [], "turn these around (a signal, a registry filled in ready()):\n" + "\n".join(upward)


def test_the_dependency_scan_sees_imports_and_urls():
    source = (
        "from feedback.models import FollowUp\nimport hotline.views\n"
        "def f():\n    from operations import signals\n    return reverse('operations:hazard_new')\n"
    )
    assert len(upward_references("workorders", source)) == 4
    assert upward_references("hotline", source) == []
