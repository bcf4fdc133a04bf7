"""Install hints name the command that works for how convgif was installed."""

import json
from pathlib import Path

import pytest

from convgif import extras


@pytest.fixture
def origin(monkeypatch):
    """Pretend convgif was installed as given: (kind, path, editable)."""

    def pretend(kind, path=None, editable=False):
        monkeypatch.setattr(extras, "_origin", lambda: (kind, path, editable))

    return pretend


def test_from_an_index_the_extra_of_the_published_package(origin):
    origin("index")
    assert extras.install_command("video") == 'pip install "convgif[video]"'
    assert extras.install_hint("torch") == 'pip install "convgif[torch]" (PyTorch)'


def test_from_a_clone_the_folder_with_or_without_e(origin, tmp_path, monkeypatch):
    origin("folder", tmp_path, True)
    monkeypatch.chdir(tmp_path)
    assert extras.install_command("video") == 'pip install -e ".[video]"'
    monkeypatch.chdir(tmp_path.parent)
    assert extras.install_command("video") == f'pip install -e "{tmp_path}[video]"'
    origin("folder", tmp_path, False)
    assert extras.install_command("mkdocs") == f'pip install "{tmp_path}[mkdocs]"'


def test_from_a_wheel_the_wheel_while_it_is_there_else_the_requirements(origin, tmp_path):
    wheel = tmp_path / "convgif-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    origin("file", wheel)
    assert extras.install_command("video") == f'pip install "{wheel}[video]"'
    wheel.unlink()
    command = extras.install_command("video")
    assert command.startswith("pip install ") and "imageio" in command and "extra" not in command


def test_the_real_origin_is_read_from_pip_s_record():
    kind, path, editable = extras._origin()
    assert kind in ("index", "folder", "file", "source")
    if kind == "folder" and editable:  # the test suite runs from the clone it is installed from
        assert (path / "convgif" / "__init__.py").is_file()


def test_every_extra_of_the_metadata_has_words():
    from importlib import metadata

    declared = set(metadata.metadata("convgif").get_all("Provides-Extra") or [])
    assert declared == set(extras.EXTRAS)


def test_direct_url_records_are_read_as_pip_writes_them(monkeypatch, tmp_path):
    from importlib import metadata

    class Dist:
        def __init__(self, record):
            self.record = record

        def read_text(self, name):
            return json.dumps(self.record) if self.record is not None else None

    for record, expected in (
        (None, ("index", None, False)),
        ({"url": f"file://{tmp_path}", "dir_info": {"editable": True}}, ("folder", tmp_path, True)),
        ({"url": f"file://{tmp_path}", "dir_info": {}}, ("folder", tmp_path, False)),
        ({"url": f"file://{tmp_path}/c.whl", "archive_info": {}}, ("file", Path(f"{tmp_path}/c.whl"), False)),
        ({"url": "https://example.org/c.whl", "archive_info": {}}, ("index", None, False)),
    ):
        monkeypatch.setattr(metadata, "distribution", lambda name, r=record: Dist(r))
        extras._origin.cache_clear()
        assert extras._origin() == expected
    extras._origin.cache_clear()
