import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgif.cli import main
from convgif.cli.options import parse
from convgif.integrations.gallery import GalleryError, digest, load, stale


def spec_from_args(args):
    return parse(args).spec


ROOT = Path(__file__).resolve().parent.parent
SMALL = """
title = "A small gallery"
intro = "Two entries."

[[entry]]
name = "one"
title = "One"
args = "--in 1,4,4 --k 3"
explanation = "First."

[[entry]]
name = "two"
title = "Two"
args = "--in 2,5,5 --out 2 --k 3 --g 2 --values"
explanation = "Second."
"""


def write(folder: Path, text: str = SMALL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "gallery.toml"
    config.write_text(text, encoding="utf-8")
    return config


def run(*args):
    return CliRunner().invoke(main, ["gallery", *args], catch_exceptions=False)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_builds_gifs_and_pages_then_skips_what_is_up_to_date(tmp_path, jobs):
    config = write(tmp_path / "g")
    result = run("--config", str(config), "--jobs", jobs, "-q")
    assert result.exit_code == 0, result.output
    assert "rendered 2 of 2 entries" in result.output
    folder = tmp_path / "g"
    assert (folder / "one.gif").is_file() and (folder / "two.gif").is_file()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    page = (folder / "index.html").read_text(encoding="utf-8")
    caption = spec_from_args(["--in", "2,5,5", "--out", "2", "--k", "3", "--g", "2"]).caption
    still = '<picture><source media="(prefers-reduced-motion: reduce)" srcset="two-still.png">'
    assert f'{still}<img src="two.gif" alt="{caption}"></picture>' in readme and "convgif --in 2 5 5" not in readme
    assert (folder / "two-still.png").is_file() and still in page
    assert "```sh\nconvgif --in 2,5,5 --out 2 --k 3 --g 2 --values\n```" in readme
    assert "Output shape (2, 3, 3), 20 parameters." in readme
    assert f'alt="{caption}"' in page and "<script" not in page and "http" not in page.split("</style>")[1]
    mtimes = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = run("--config", str(config), "-q")
    assert again.exit_code == 0 and again.output.startswith("nothing to render: 2 up to date; pages")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == mtimes


def test_changed_arguments_or_force_render_again(tmp_path):
    config = write(tmp_path)
    run("--config", str(config), "-q")
    write(tmp_path, SMALL.replace("--in 1,4,4 --k 3", "--in 1,5,5 --k 3"))
    gallery = load(config)
    assert [e.name for e in stale(gallery, tmp_path)] == ["one"]
    assert [e.name for e in stale(gallery, tmp_path, only=["two"], force=True)] == ["two"]
    result = run("--config", str(config), "--only", "one", "-q")
    assert "rendered 1 of 1 entries (1 up to date)" in result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["one"] == digest(gallery.entries[0])


def test_only_into_a_new_folder_counts_and_pages_only_what_is_there(tmp_path):
    config = write(tmp_path / "g")
    out = tmp_path / "new"
    result = run("--config", str(config), "--out", str(out), "--only", "two", "-q")
    assert result.exit_code == 0, result.output
    assert "rendered 1 of 1 entries (1 left out by --only, without a picture in" in result.output
    assert "up to date" not in result.output
    readme = (out / "README.md").read_text(encoding="utf-8")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "## Two" in readme and "## One" not in readme and "(#one)" not in readme
    assert 'id="two"' in page and 'id="one"' not in page and 'href="#one"' not in page
    again = run("--config", str(config), "--out", str(out), "--only", "two", "-q")
    assert again.output.startswith("nothing to render: 1 up to date; 1 left out by --only, without a picture")
    whole = run("--config", str(config), "--out", str(out), "-q")
    assert "rendered 1 of 1 entries (1 up to date)" in whole.output
    assert "## One" in (out / "README.md").read_text(encoding="utf-8")


def test_a_failing_entry_is_reported_and_the_others_still_render(tmp_path):
    config = write(tmp_path, SMALL.replace("--in 1,4,4 --k 3", "--in 3,4,4 --g 2"))
    result = CliRunner().invoke(main, ["gallery", "--config", str(config), "--jobs", "2", "-q"])
    assert result.exit_code == 1
    assert "failed: one: Invalid value for '--g' / '--groups': groups=2 must divide in_channels=3" in result.output
    assert (tmp_path / "two.gif").is_file() and not (tmp_path / "one.gif").exists()
    assert "one" not in json.loads((tmp_path / "manifest.json").read_text())


@pytest.mark.parametrize(
    "text, words",
    [
        ("title = 'x'", "no [[entry]] tables"),
        ('[[entry]]\nname = "a"\ntitle = "A"', "needs args"),
        ('[[entry]]\nname = "a b"\ntitle = "A"\nargs = "--in 1,4,4"', "letters, digits"),
        ('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4 -o x.gif"', "chooses -o"),
        ("[[entry", "Expected"),
    ],
)
def test_bad_gallery_files(tmp_path, text, words):
    with pytest.raises(GalleryError, match=re.escape(words)):
        load(write(tmp_path, text))
    result = CliRunner().invoke(main, ["gallery", "--config", str(tmp_path / "gallery.toml")])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_shipped_gallery_is_complete_and_built():
    gallery = load(ROOT / "gallery" / "gallery.toml")
    names = {e.name for e in gallery.entries}
    assert len([n for n in names if n.startswith("article-")]) == 12
    assert len([n for n in names if n.startswith("arith-")]) == 8
    assert {
        "groups-1",
        "groups-2",
        "groups-4",
        "padding-zeros",
        "padding-reflect",
        "padding-replicate",
        "padding-circular",
        "padding-same-even",
        "no-bias",
        "values",
        "transposed",
        "conv1d",
        "separable",
        "sobel-edges",
    } <= names
    readme = (ROOT / "gallery" / "README.md").read_text(encoding="utf-8")
    for entry in gallery.entries:
        assert (ROOT / "gallery" / f"{entry.name}.gif").is_file()
        caption = spec_from_args(entry.paths).caption
        alt = html.escape(caption)  # the page writes the caption as HTML
        assert f'srcset="{entry.name}-still.png"><img src="{entry.name}.gif" alt="{alt}"></picture>' in readme
        assert (ROOT / "gallery" / f"{entry.name}-still.png").is_file()
    assert not stale(gallery, ROOT / "gallery"), "run `convgif gallery` and commit the result"


def test_any_gallery_file_ends_in_pages_a_failure_report_or_a_usage_error():
    import tempfile

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    arguments = st.lists(
        st.sampled_from(
            [
                "--in",
                "1,4,4",
                "2,3",
                "--k",
                "2",
                "--g",
                "3",
                "--p",
                "same",
                "--s",
                "2",
                "-x",
                "--image",
                "nope.png",
                "--values",
            ]
        ),
        max_size=6,
    ).map(" ".join)
    entry = st.fixed_dictionaries(
        {
            "name": st.sampled_from(["a", "b", "a b", "ok-1"]),
            "title": st.text(max_size=8),
            "args": arguments,
        }
    )

    def toml(entries):
        return "\n".join(
            f"[[entry]]\nname = {e['name']!r}\ntitle = {json.dumps(e['title'])}\nargs = {e['args']!r}\n"
            for e in entries
        )

    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(entry, max_size=3).map(toml) | st.text(max_size=40))
    def check(text):
        with tempfile.TemporaryDirectory() as folder:
            config = write(Path(folder), text)
            result = CliRunner().invoke(main, ["gallery", "--config", str(config), "--jobs", "1", "-q"])
            assert result.exit_code in (0, 1, 2), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
            assert "Traceback" not in result.output
            if result.exit_code == 1:
                assert "failed: " in result.output and (Path(folder) / "index.html").is_file()

    check()


@pytest.mark.parametrize(
    "text, words",
    [
        (
            '[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in \\"1,4,4"',
            "entry 'a': cannot split the arguments as a shell would: No closing quotation",
        ),
        (
            '[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4 \\\\"',
            "entry 'a': cannot split the arguments as a shell would: No escaped character",
        ),
        (
            '[[entry]]\nname = "a"\ntitle = "A"\nargs = "--image \\u0000.png"',
            "entry 'a': a file the arguments name is not a valid path",
        ),
        (
            '[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"\nexplanation = 3',
            "entry 'a': explanation must be text",
        ),
        ("entry = 3", "entries must be [[entry]] tables"),
        ("entry = [1, 2]", "entries must be [[entry]] tables"),
        ('title = 3\n[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"', "title must be text"),
        ('intro = [1]\n[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"', "intro must be text"),
    ],
)
def test_entries_that_cannot_be_read_are_named(tmp_path, text, words):
    with pytest.raises(GalleryError, match=re.escape(words)):
        load(write(tmp_path, text))
    result = CliRunner().invoke(main, ["gallery", "--config", str(tmp_path / "gallery.toml")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit) and "Traceback" not in result.output


def test_a_gallery_file_that_is_not_utf8(tmp_path):
    config = tmp_path / "gallery.toml"
    config.write_bytes(b'title = "\xff"\n')
    with pytest.raises(GalleryError, match="can't decode"):
        load(config)


@pytest.mark.parametrize("out", ["/dev/full", "a-file", "a-file/sub"])
def test_an_out_that_is_not_a_folder_is_a_gallery_error(tmp_path, out):
    from convgif.integrations.gallery import build

    gallery = load(write(tmp_path / "g"))
    (tmp_path / "a-file").write_text("keep")
    target = Path(out) if out.startswith("/") else tmp_path / out
    with pytest.raises(GalleryError, match=re.escape(str(target))) as error:
        build(gallery, target, gallery.entries, 1)
    assert "not a folder" in str(error.value) or "cannot create the folder" in str(error.value)
    assert (tmp_path / "a-file").read_text() == "keep"


def test_an_out_folder_that_is_a_file_is_a_usage_error_not_a_traceback(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    config = tmp_path / "gallery.toml"
    config.write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"\n')
    for out in (tmp_path / "file", "/dev/full"):
        result = CliRunner().invoke(main, ["gallery", "--config", str(config), "--out", str(out), "-q"])
        assert result.exit_code == 2 and str(out) in result.output
        assert "is not a folder" in result.output or "is a file" in result.output
        assert isinstance(result.exception, SystemExit)
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_model_entry_is_drawn_once_and_again_with_force(tmp_path):
    pytest.importorskip("torch")
    model = f"{ROOT / 'examples' / 'models.py'}:vgg_block --in 3,6,6"
    config = write(tmp_path, SMALL + f'\n[[model]]\nname = "vgg"\ntitle = "VGG"\nargs = "{model}"\n')
    first = run("--config", str(config), "-q")
    assert first.exit_code == 0 and re.search(r"(\d+) layers drawn \(0 up to date\)", first.output)
    drawn = int(re.search(r"(\d+) layers drawn", first.output).group(1))
    assert drawn > 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")  # its receptive field, still for reduced motion
    assert 'srcset="vgg/receptive-field-still.png"><img src="vgg/receptive-field.gif"' in page
    assert (tmp_path / "vgg" / "receptive-field-still.png").is_file()
    again = run("--config", str(config), "-q")
    assert "vgg/index.html: up to date" in again.output
    forced = run("--config", str(config), "-q", "--force")
    assert f"{drawn} layers drawn (0 up to date)" in forced.output


def test_an_entrys_cost_counts_the_frames_its_own_options_draw():
    """The gallery starts the longest entries first, measured by the frames each render draws
    with its own options: --values draws a smaller part of this layer (numbers need larger
    cells), and the measure follows it, doubled for the numbers drawn."""
    from convgif.api import frames_of
    from convgif.integrations.gallery import Entry, _cost

    words = ("--in", "3,8,13", "--out", "2", "--k", "3", "--s", "2")
    plain, numbers = (Entry("e", "", "", args, args) for args in (words, (*words, "--values")))
    spec = parse(words).spec
    assert frames_of(spec, values=True) < frames_of(spec)  # the case this test is about
    assert _cost(plain) == frames_of(spec)
    assert _cost(numbers) == 2 * frames_of(spec, values=True)
