"""How the code is built, checked on the code itself: procedures are data (no transition named in
code), one unit of work (no commit elsewhere), roles asked of permissions modules, domains that
import each other one way only, and a code base that speaks for itself."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path

import yaml

from app.auth.roles import ROLES
from app.procedures.vocabulary import KINDS

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
VOCABULARY = APP / "procedures" / "vocabulary.py"
UNIT_OF_WORK = APP / "core" / "uow.py"


def _python_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _transition_names() -> set[str]:
    names = set(KINDS)
    for path in (ROOT / "workflows").glob("*.yaml"):
        names.update(t["name"] for t in yaml.safe_load(path.read_text(encoding="utf-8"))["transitions"])
    return names


def _strings(path: Path):  # noqa: ANN202
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            if isinstance(value, str):
                yield token.start[0], value


def test_no_transition_is_named_in_the_code_outside_the_vocabulary():
    """What a transition does is declared (its kind, its effects); code never asks its name."""
    names = _transition_names()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in _python_files()
        if path != VOCABULARY
        for line, value in _strings(path)
        if value in names
    ]
    template_literal = re.compile(r"""['"]([a-z_]+)['"]""")
    for path in sorted((APP / "templates").rglob("*.*")):
        for block in re.findall(r"\{[{%].*?[%}]\}", path.read_text(encoding="utf-8"), re.S):
            found += [
                f"{path.relative_to(ROOT)}: {name!r}"
                for name in template_literal.findall(block)
                if name in names
            ]
    assert found == []


def _calls(path: Path, attribute: str, owner: str) -> list[int]:
    """Lines calling `<...owner>.<attribute>(...)`: `db.session.commit()`, `uow.rollback()` ..."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == attribute
        ):
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name == owner:
                found.append(node.lineno)
    return found


def test_only_the_unit_of_work_commits_or_rolls_back():
    """A session is committed or rolled back in app/core/uow.py only; the unit of work itself is
    ended only by its boundaries in app/core (requests, errors) and app/jobs."""
    sessions = [
        f"{path.relative_to(ROOT)}:{line}: session.{name}()"
        for path in _python_files()
        if path != UNIT_OF_WORK
        for name in ("commit", "rollback")
        for line in _calls(path, name, "session")
    ]
    units = [
        f"{path.relative_to(ROOT)}:{line}: uow.{name}()"
        for path in _python_files()
        if path.parent.name not in ("core", "jobs")
        for name in ("commit", "rollback")
        for line in _calls(path, name, "uow")
    ]
    assert sessions == [] and units == []
    assert _calls(UNIT_OF_WORK, "commit", "session")  # and it does


def _role_comparisons(path: Path) -> list[str]:
    """Role names compared (==, !=, in) or handed to a role check as literal strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def literal_roles(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant) and node.value in ROLES:
            return True
        return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(literal_roles(e) for e in node.elts)

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(literal_roles(n) for n in (node.left, *node.comparators)):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.Call) and any(literal_roles(a) for a in node.args):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in ("require_api_user", "has_role"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_roles_are_compared_only_in_permissions_modules():
    allowed = {"permissions.py", "roles.py"}
    found = [hit for path in _python_files() if path.name not in allowed for hit in _role_comparisons(path)]
    assert found == []


def _domain_imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in _python_files():
        parts = path.relative_to(APP).parts
        if len(parts) < 2:  # app/__init__.py, app/worker.py ... build the app from every domain
            continue
        domain = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                bits = module.split(".")
                if bits[0] == "app" and len(bits) > 1 and bits[1] not in (domain, "extensions"):
                    edges[domain].add(bits[1])
    return edges


def test_domains_import_each_other_one_way_only():
    """The import graph between app's domains has no cycle (lazy imports in functions included)."""
    edges = _domain_imports()
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for domain in sorted(edges):
        if domain not in state:
            visit(domain, [domain])
    assert cycles == []
    assert "workflow" in edges["portal"] and "dossiers" in edges["workflow"]  # the graph is really read


def test_the_code_cites_no_issue_and_no_document_outside_the_repository():
    pattern = re.compile(r"(?i:\bissue\s+#?\d)|\bDOMAIN\s*§|\.\./shared|\bDOMAIN\.md")
    found = []
    places = [*_python_files(), *sorted((APP / "templates").rglob("*.*")), ROOT / "config.py"]
    for folder in ("tests", "benchmarks", "migrations", "scripts", "docs", "workflows"):
        found_here = sorted((ROOT / folder).rglob("*"))
        places += [p for p in found_here if p.suffix in (".py", ".md", ".yaml", ".sh")]
    places = [p for p in places if p != Path(__file__)]
    for path in places:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)
