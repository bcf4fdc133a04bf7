"""The package as users install it: the sdist and the wheel hold every file of the source tree."""

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def package_files() -> set[str]:
    """Every file of the package's source tree (bytecode caches left out), relative to the root."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "convgif").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The wheel and the sdist, built by setuptools (as pip would) from a copy of the tree."""
    pytest.importorskip("setuptools")
    tree = tmp_path_factory.mktemp("tree")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tree / name)
    shutil.copytree(ROOT / "convgif", tree / "convgif", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    code = "from setuptools import build_meta as b; w = b.build_wheel('dist'); s = b.build_sdist('dist'); print('built', w, s)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, env=env)
    if done.returncode and "setuptools" in done.stderr and "license" in done.stderr.lower():
        pytest.skip(f"this setuptools is older than the one pyproject.toml asks for: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr
    wheel, sdist = done.stdout.splitlines()[-1].split()[1:]
    return tree / "dist" / wheel, tree / "dist" / sdist


def test_the_wheel_holds_every_file_of_the_package(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = package_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    assert {"convgif/ops/__init__.py", "convgif/py.typed"} <= names


def test_the_sdist_holds_every_file_of_the_package_and_the_licence(built):
    _, sdist = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = (package_files() | {"LICENSE", "README.md", "pyproject.toml"}) - names
    assert not missing, f"not in the sdist: {sorted(missing)}"


def test_the_metadata_states_the_licence_the_command_and_the_plugins(built):
    wheel, _ = built
    archive = zipfile.ZipFile(wheel)
    info = next(name.split("/")[0] for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
    metadata = archive.read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "Classifier: Intended Audience :: Education" in metadata
    assert "MIT License" in archive.read(f"{info}/licenses/LICENSE").decode()
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert (
        "convgif = convgif.cli.launch:run" in entry_points
        and "convgif.integrations.mkdocs:ConvgifPlugin" in entry_points
    )
