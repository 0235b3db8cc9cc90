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
