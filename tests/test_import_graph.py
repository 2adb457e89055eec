"""The structure holds: reads never import writes, services form no circle, and programs/
never imports the CMS or the API. Read from the source with ast, so nothing is imported."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "programs"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module the file imports, absolute; `from . import x` counts as `package.x`."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def _services_imported(path: Path) -> set[str]:
    services = {_module_name(p) for p in (PROGRAMS / "services").glob("*.py")}
    services.discard("programs.services")
    return _imports(path) & services


def test_the_selectors_and_the_eligibility_module_import_no_service():
    for name in ("selectors.py", "eligibility.py"):
        assert _services_imported(PROGRAMS / name) == set(), name


def test_the_services_import_each_other_without_a_circle():
    modules = {_module_name(p): p for p in (PROGRAMS / "services").glob("*.py")}
    graph = {name: _services_imported(path) - {name} for name, path in modules.items()}
    done, path = set(), []

    def visit(name):
        if name in path:
            cycle = path[path.index(name) :] + [name]
            raise AssertionError("import circle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for target in sorted(graph.get(name, ())):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_programs_never_imports_the_cms_or_the_api():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in PROGRAMS.rglob("*.py")
        for module in _imports(path)
        if module.split(".")[0] in ("cms", "api")
    ]
    assert offenders == []


def test_no_import_inside_a_function_in_the_services_or_the_reads():
    """A function-level import is how a circle gets hidden; the domain modules have none."""
    files = [*(PROGRAMS / "services").glob("*.py"), PROGRAMS / "selectors.py"]
    files += [PROGRAMS / name for name in ("eligibility.py", "launch.py", "tasks.py")]
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
