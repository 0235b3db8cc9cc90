"""The project's own promises: dependencies in step, codebook complete, README commands."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent

# conda-forge names of packages whose PyPI name differs or that come as extras.
CONDA_NAMES = {"dask[distributed]": {"dask", "distributed"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~; ]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted: set[str] = set()
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name = _name(req)
        wanted |= CONDA_NAMES.get(name, {name})
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert conda == wanted
    assert "-e ." in pip_section


def test_every_codebook_value_has_both_labels_and_a_description():
    spec = yaml.safe_load((REPO / "data" / "codebook.yml").read_text(encoding="utf-8"))
    for name, dim in spec["dimensions"].items():
        groups = dim["scales"].values() if "scales" in dim else [dim["values"]]
        for values in groups:
            for v in values:
                assert v.get("da") and v.get("en") and v.get("description"), (name, v["key"])


def test_readme_opens_with_the_two_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ", readme.index("make test"))]
    assert "make reports" in head and "make test" in head


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_public_api_is_listed_and_importable():
    import synergi_analysis

    names = [n for n in synergi_analysis.__all__ if n != "__version__"]
    assert sorted(names) == sorted(synergi_analysis._EXPORTS)
    assert len(names) <= 22
    for name in names:
        assert getattr(synergi_analysis, name).__name__ == name


# -- the package's layout ----------------------------------------------------------------

PACKAGE = REPO / "synergi_analysis"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, deferred imports inside functions included.

    ``from synergi_analysis.x import y`` counts as importing ``x.y`` when that is a
    module, else ``x``; the package's lazy ``_EXPORTS`` count as imports of it.
    """
    import ast

    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE.name):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith(PACKAGE.name)}
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"synergi_analysis(\.\w+)+", node.value):
                targets.add(node.value)  # a module named in a string (importlib, the kernel)
        graph[name] = {t for t in targets if t in modules and t != name}
    import synergi_analysis

    graph[PACKAGE.name] |= {f"{PACKAGE.name}.{m}" for m in synergi_analysis._EXPORTS.values()}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_among_the_package_modules():
    graph = _import_graph()
    assert "synergi_analysis.qda.mapping" in graph["synergi_analysis.load"]
    assert _cycles(graph) == []


def test_no_module_is_over_800_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800}
    assert long == {}


def test_report_keys_cover_every_module_of_the_package():
    from synergi_analysis.report.plan import package_files

    covered = {p.relative_to(PACKAGE).as_posix() for p in package_files()}
    on_disk = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    assert covered == on_disk
    assert {"report/_kernel.py", "qda/_read.py", "plotting.py"} <= covered


def test_a_change_in_a_subpackage_changes_the_code_hash(tmp_path, monkeypatch):
    import shutil

    from synergi_analysis.report import plan

    copy = tmp_path / "synergi_analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(plan, "__file__", str(copy / "report" / "plan.py"))
    before = plan._code_hash()
    (copy / "qda" / "_read.py").write_text("# changed\n", encoding="utf-8")
    assert plan._code_hash() != before


def test_a_library_upgrade_changes_the_code_hash(monkeypatch):
    from synergi_analysis.report import plan

    installed = plan._library_versions()
    assert installed["matplotlib"] and installed["seaborn"] and installed["nbconvert"]
    before = plan._code_hash()
    monkeypatch.setattr(plan, "_library_versions", lambda: {**installed, "matplotlib": "99.0"})
    assert plan._code_hash() != before


def test_every_word_has_both_languages():
    from synergi_analysis import words

    for section, entries in words._WORDS.items():
        for key, pair in entries.items():
            assert len(pair) == 2 and all(isinstance(w, str) and w for w in pair), (section, key)
    assert words.word("ranking.range", "en", lo=1, hi=3) == "rank 1–3"
