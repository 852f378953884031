"""Apps depend one way (README, "What is inside"): each may import only the apps
below it. Read from the source with `ast`, so a lazy import inside a function counts too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layer of every first-party module; a module may import its own layer and those below.
# `kompra.shortcuts` and `kompra.slots` are small helpers for every app; the rest of the
# top level (`kompra.home`, `kompra.urls`, the demo data) gathers from all of them.
LAYERS = {
    "kompra.env": 0,
    "kompra.accounts": 0,
    "kompra.ops": 0,
    "kompra.shortcuts": 0,
    "kompra.slots": 0,
    "notices": 0.5,
    "communities": 1,
    "activities": 2,
    "publishing": 3,
    "schools": 3,
    "reports": 4,
    "supervision": 4,
    # A person's own evidence draws on the community portfolio's period and PDF set-up.
    "evidence": 4.5,
    "search": 5,
    # Personal data rights gather a person's records from every app (export, erasure).
    "privacy_rights": 6,
    "kompra": 9,
}

APPS = [
    "kompra",
    "notices",
    "communities",
    "activities",
    "publishing",
    "schools",
    "reports",
    "supervision",
    "evidence",
    "search",
    "privacy_rights",
]


def layer_of(module):
    """The layer of a dotted module name, by its longest known prefix; None if not ours."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # Judged by the full name: `from kompra import slots` is kompra.slots.
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def upward_imports(source, module):
    """["line N imports X"] for each import of `source` (the text of `module`) that
    points to a later layer."""
    own = layer_of(module)
    return [
        f"line {lineno} imports {imported}"
        for lineno, imported in imports_of(source)
        if (layer_of(imported) or 0) > own
    ]


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_app_imports_a_later_one():
    found = {
        str(path.relative_to(ROOT)): upward
        for path in source_files()
        if (upward := upward_imports(path.read_text(), module_name(path)))
    }
    assert found == {}


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= set(LAYERS), "a new app needs its place in LAYERS"


@pytest.mark.parametrize(
    ("module", "line", "upward"),
    [
        ("activities.views", "from publishing.models import Publication", True),
        ("communities.models", "from kompra.home import views", True),
        ("activities.selectors", "import schools.models", True),
        ("kompra.accounts.views", "from communities.models import Community", True),
        ("reports.views", "from activities.models import Activity", False),
        ("communities.tabs", "from kompra import slots", False),
        ("kompra.home.views", "from reports import views", False),
    ],
)
def test_the_check_catches_an_upward_import(module, line, upward):
    """The check itself: a planted import, even one inside a function, is reported
    exactly when it points up."""
    source = f"def later():\n    {line}\n"
    assert bool(upward_imports(source, module)) is upward
