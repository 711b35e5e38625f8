"""The house keeps its floors: every module imports only from its own floor or below, no two
modules import each other in a circle, and the command line talks to the application layer
only. Read from the code's own imports (lazy ones inside functions included) with ast, so
that a new import that runs back up fails here, not in a review. docs/arkitektur.md draws the
same floors."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "indikator"

# From the ground up. A component is a top-level module or package of indikator.
FLOORS = [
    {
        "vocabulary",
        "errors",
        "masking",
        "locations",
        "atomic",
        "coding",
        "catalog",
        "timings",
        "memory",
        "parallel",
    },
    {"periods", "esf_config", "config", "ids", "problems", "logs", "secret"},
    {"reading", "schema", "validation"},
    {"rules", "dataset"},
    {
        "indicators",
        "protection",
        "targets",
        "hours",
        "finsam",
        "sample",
        "cache",
        "reports",
        "matrices",
    },
    {"templates", "project"},
    {"output"},
    {"batch"},
    {"app"},
    {"cli", "__main__", "cli_text"},
]
FLOOR = {name: i for i, names in enumerate(FLOORS) for name in names}


def _component(parts: list[str]) -> str:
    return parts[0] if parts else "__init__"


def imports() -> dict[str, set[str]]:
    """module (dotted, under indikator) -> the indikator modules it imports."""
    out: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("")
        parts = list(rel.parts)
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts) or "__init__"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    target = base + (node.module.split(".") if node.module else [])
                    if node.module is None:  # from . import a, b: modules, or names of __init__
                        for a in node.names:
                            sub = SRC.joinpath(*target, a.name)
                            is_module = sub.with_suffix(".py").exists() or sub.is_dir()
                            found.add(
                                ".".join(target + [a.name])
                                if is_module
                                else ".".join(target) or "__init__"
                            )
                    else:
                        found.add(".".join(target) or "__init__")
                elif node.module and node.module.startswith("indikator"):
                    found.add(node.module.removeprefix("indikator").lstrip(".") or "__init__")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("indikator."):
                        found.add(a.name.removeprefix("indikator."))
        out[name] = found
    return out


def test_every_component_has_a_floor():
    components = {_component(m.split(".")) for m in imports()} - {"__init__"}
    assert components <= set(FLOOR), components - set(FLOOR)


def test_no_import_runs_back_up():
    upward = []
    for module, targets in imports().items():
        here = _component(module.split("."))
        if here == "__init__":
            continue  # the package face loads its names lazily, from every floor
        for t in targets:
            there = _component(t.split("."))
            if there == "__init__":
                continue  # __version__
            if FLOOR[there] > FLOOR[here]:
                upward.append(f"{module} -> {t}")
    assert upward == []


def test_no_circle_between_modules():
    graph = {m: {t for t in ts if t in imports_cache and t != m} for m, ts in imports_cache.items()}
    seen, stack, circles = set(), [], []

    def visit(m):
        if m in stack:
            circles.append(stack[stack.index(m) :] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for t in graph.get(m, ()):
            visit(t)
        stack.pop()

    for m in graph:
        visit(m)
    # a package importing its own submodules is its face, not a circle
    real = [
        c
        for c in circles
        if not any(
            a.startswith(b + ".") or b.startswith(a + ".") for a, b in zip(c, c[1:], strict=False)
        )
    ]
    assert real == []


def test_the_command_line_talks_to_the_application_layer_only():
    allowed = {"__init__", "app", "errors", "output", "cli_text"}
    assert imports()["cli"] <= allowed, imports()["cli"] - allowed


def test_renderers_do_not_compute():
    """output/ renders report values: it never loads data or computes figures."""
    computing = {"dataset", "indicators", "protection", "targets", "rules", "reading", "batch"}
    for module, targets in imports().items():
        if module.startswith("output"):
            assert {_component(t.split(".")) for t in targets} & computing == set(), module


imports_cache = imports()
