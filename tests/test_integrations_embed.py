"""One embedding and one still name (``convgif.integrations.embed``) and one front end for a render
written as shell words (``convgif.integrations.words``), used by every integration alike."""

import base64
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import convgif
from convgif.cli import main
from convgif.integrations import embed, words

SIZE = (120, 80)
AWKWARD = """a "quoted" <b>caption</b> & 'more' [x] *y* _z_ \\ `q`"""


class Tags(HTMLParser):
    """The tags of a snippet, in order, each as (name, attributes); also its text."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], ""
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


# -- the still's name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, still",
    [
        ("fig.gif", "fig-still.png"),
        ("docs/figures/a b.webp", "docs/figures/a b-still.png"),
        ("fig.png", "fig-still.png"),
        ("fig.mp4", "fig-still.png"),
        ("entry-name", "entry-name-still.png"),
    ],
)
def test_the_still_name_rule(given, still):
    assert embed.still_name(given) == still
    assert embed.still_name(Path(given)) == Path(still) and isinstance(embed.still_name(Path(given)), Path)
    assert embed.still_name(PurePosixPath(given)) == PurePosixPath(still)


def test_mime_types_come_from_the_format_registry():
    from convgif.files.formats import FORMATS

    for name, format in FORMATS.items():
        assert embed.mime(name) == format.mime
    assert embed.mime("png") == "image/png"
    with pytest.raises(ValueError, match="must be one of"):
        embed.mime("bmp")


# -- the forms -------------------------------------------------------------------------------


def test_an_animation_with_its_still_is_a_picture_for_readers_who_prefer_reduced_motion():
    markup = embed.html("fig.gif", "caption", SIZE, still="fig-still.png")
    assert markup == (
        '<picture><source media="(prefers-reduced-motion: reduce)" srcset="fig-still.png">'
        '<img src="fig.gif" alt="caption" width="120" height="80" style="max-width:100%;height:auto"></picture>'
    )


def test_without_a_still_a_plain_img_and_without_a_size_no_width_height_or_style():
    assert embed.html("a.webp", "c", SIZE) == (
        '<img src="a.webp" alt="c" width="120" height="80" style="max-width:100%;height:auto">'
    )
    assert embed.html("a.webp", "c") == '<img src="a.webp" alt="c">'
    assert embed.html("a.png", "c", still="a-still.png").startswith("<picture>")  # an APNG with its still


def test_an_mp4_is_a_video_with_its_still_as_poster_that_plays_when_asked():
    markup = embed.html("clip.mp4", "caption", SIZE, still="clip-still.png")
    assert markup == (
        '<video src="clip.mp4" poster="clip-still.png" width="120" height="80" style="max-width:100%;height:auto"'
        ' controls loop muted playsinline aria-label="caption"></video>'
    )
    assert "poster" not in embed.html("clip.mp4", "c", SIZE) and "autoplay" not in markup


def test_markdown_form():
    assert embed.markdown("fig.gif", "caption") == "![caption](fig.gif)"
    assert embed.markdown("docs/my fig (1).gif", "a\nb") == "![a b](docs/my%20fig%20%281%29.gif)"


def test_the_notebook_form_is_a_data_uri_no_wider_than_the_cell():
    data = b"GIF89a-not-really"
    markup = embed.notebook(data, "gif", "caption", SIZE)
    uri = "data:image/gif;base64," + base64.b64encode(data).decode()
    assert markup == f'<img src="{uri}" alt="caption" width="120" height="80" style="max-width:100%;height:auto">'
    video = Tags(embed.notebook(b"mp4", "mp4", "c", SIZE)).tags[0]
    assert video[0] == "video" and video[1]["src"].startswith("data:video/mp4;base64,")
    assert "autoplay" in video[1] and video[1]["aria-label"] == "c"
    png = Tags(embed.notebook(b"png", "png", "c")).tags[0]
    assert png[1]["src"].startswith("data:image/png;base64,")
    with pytest.raises(ValueError, match="needs its format"):
        embed.html(b"bytes", "c")


# -- escaping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("format, still", [("gif", "s.png"), ("gif", None), ("mp4", "s.png")])
def test_awkward_captions_and_paths_are_escaped_once(format, still):
    source = f'dir/a "b" <c> & d#e?f%g.{format}'
    markup = embed.html(source, AWKWARD, SIZE, still=still)
    tags = dict(Tags(markup).tags)
    main = tags["video"] if format == "mp4" else tags["img"]
    assert main.get("alt", main.get("aria-label")) == AWKWARD  # read back exactly as given
    assert main["src"] == "dir/a%20%22b%22%20%3Cc%3E%20%26%20d%23e%3Ff%25g." + format
    assert "<b>" not in markup and "&amp;amp;" not in markup  # escaped, and only once
    if still and format == "gif":
        assert tags["source"]["srcset"] == "s.png"
    markdown = embed.markdown(source, AWKWARD)
    assert markdown.startswith('![a "quoted" ') and markdown.count("](") == 1
    assert r"\<b\>caption\</b\> \& 'more' \[x\] \*y\* \_z\_ \\ \`q\`" in markdown
    assert " " not in markdown.split("](")[1]


def test_the_markdown_alt_text_reads_back_as_the_caption():
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt().render(embed.markdown("my fig.gif", AWKWARD))
    (img,) = [attrs for tag, attrs in Tags(rendered).tags if tag == "img"]
    assert img["alt"] == AWKWARD and img["src"] == "my%20fig.gif"


# -- every integration writes the same markup ------------------------------------------------

ARGS = ["--in", "1,5,5", "--k", "3", "--p", "1"]
CAPTION = convgif.Conv2dSpec((1, 5, 5), 1, 3, padding=1).caption


def shape(markup: str) -> list[tuple[str, dict]]:
    """The tags of a snippet with the paths (and data URIs) left out: what every integration
    must agree on."""
    return [
        (tag, {k: v for k, v in attrs.items() if k not in ("src", "srcset", "poster")})
        for tag, attrs in Tags(markup).tags
    ]


def from_cli(tmp_path: Path, *extra: str, name: str = "fig.gif") -> str:
    (tmp_path / "cli").mkdir()
    result = CliRunner().invoke(main, [*ARGS, *extra, "-o", str(tmp_path / "cli" / name), "-q", "--html"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[1]


def from_gallery(tmp_path: Path) -> str:
    from convgif.integrations.gallery import build, load

    folder = tmp_path / "gallery"
    folder.mkdir()
    (folder / "gallery.toml").write_text(f'[[entry]]\nname = "fig"\ntitle = "Fig"\nargs = "{" ".join(ARGS)}"\n')
    gallery = load(folder / "gallery.toml")
    build(gallery, folder, gallery.entries, 1)
    page = (folder / "index.html").read_text(encoding="utf-8")
    return re.search(r"<picture>.*?</picture>", page).group(0)


def mkdocs_page(tmp_path: Path, name: str = "index.md") -> SimpleNamespace:
    docs = tmp_path / "site-src" / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    uri = name.removesuffix(".md") + ".html"
    return SimpleNamespace(file=SimpleNamespace(src_uri=name, abs_src_path=str(docs / name), dest_uri=uri))


def mkdocs_plugin(tmp_path: Path, **options):
    pytest.importorskip("mkdocs")
    from convgif.integrations.mkdocs import ConvgifPlugin

    plugin = ConvgifPlugin()
    errors, _ = plugin.load_config(options)
    assert not errors
    plugin.on_config(SimpleNamespace(config_file_path=str(tmp_path / "site-src" / "mkdocs.yml")))
    return plugin


def from_mkdocs(tmp_path: Path) -> str:
    return mkdocs_plugin(tmp_path).figure(" ".join(ARGS), mkdocs_page(tmp_path), 3)


def test_the_cli_the_gallery_mkdocs_and_the_notebook_embed_a_picture_alike(tmp_path):
    cli, gallery, mkdocs = from_cli(tmp_path), from_gallery(tmp_path), from_mkdocs(tmp_path)
    width, height = convgif.render(convgif.Conv2dSpec((1, 5, 5), 1, 3, padding=1), tmp_path / "same.gif").size
    expected = [
        ("picture", {}),
        ("source", {"media": "(prefers-reduced-motion: reduce)"}),
        ("img", {"alt": CAPTION, "width": str(width), "height": str(height), "style": "max-width:100%;height:auto"}),
    ]
    assert shape(cli) == shape(gallery) == shape(mkdocs) == expected
    assert cli.startswith("<picture><source") and gallery.startswith("<picture><source")
    # the same markup but for the paths: each the still's and the picture's, by the one rule
    for markup in (cli, gallery, mkdocs):
        (_, source), (_, img) = Tags(markup).tags[1:]
        assert source["srcset"] == embed.still_name(img["src"])
    # the notebook shows the same <img>, with the picture's bytes for its path
    notebook = convgif.render(convgif.Conv2dSpec((1, 5, 5), 1, 3, padding=1), tmp_path / "nb.gif")._repr_html_()
    assert shape(notebook) == expected[2:]


def test_a_video_is_embedded_alike_by_the_cli_and_mkdocs(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    cli = from_cli(tmp_path, name="clip.mp4")
    plugin = mkdocs_plugin(tmp_path, still=False)
    mkdocs = plugin.figure(" ".join([*ARGS, "--format", "mp4"]), mkdocs_page(tmp_path), 3)
    assert shape(cli)[0][0] == "video" and "width" in shape(cli)[0][1]
    assert shape(mkdocs) == [("video", shape(cli)[0][1])]  # the same size; no poster with still: false
    assert "poster" in Tags(cli).tags[0][1] and "poster" not in Tags(mkdocs).tags[0][1]


# -- the words of a render -------------------------------------------------------------------


def test_an_unclosed_quote_is_named_the_same_way_everywhere(tmp_path):
    message = "cannot split the arguments as a shell would: No closing quotation"
    with pytest.raises(words.WordsError, match=message):
        words.read('--in "3,7,7')
    pytest.importorskip("mkdocs")
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError, match=f"convgif: index.md, line 3: {message}"):
        mkdocs_plugin(tmp_path).figure('--in "3,7,7', mkdocs_page(tmp_path), 3)
    from convgif.integrations.gallery import GalleryError, load

    (tmp_path / "gallery.toml").write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in \\"3,7,7"\n')
    with pytest.raises(GalleryError, match=f"entry 'a': {message}"):
        load(tmp_path / "gallery.toml")
    IPython = pytest.importorskip("IPython")  # noqa: F841
    from IPython.core.error import UsageError

    from convgif.integrations.notebook import run_magic

    with pytest.raises(UsageError, match=f"convgif: {message}"):
        run_magic('--in "3,7,7')


def test_refusals_carry_the_message_and_the_option():
    with pytest.raises(words.WordsError) as error:
        _ = words.read("--in 3,7,7 --g 2").request
    assert "groups=2 must divide in_channels=3" in error.value.message and error.value.option == "--g"
    with pytest.raises(words.WordsError) as error:
        _ = words.read("--in 3,7,7 --bogus").request
    assert error.value.option == "--bogus"
    with pytest.raises(words.WordsError, match="the gallery chooses -o itself") as error:
        words.read("--in 3,7,7 -o x.gif", who="the gallery")
    assert error.value.option == "-o"
    with pytest.raises(words.WordsError, match="--help and --version print text"):
        words.read("--in 3,7,7 --version")
    with pytest.raises(words.WordsError, match="'info' is a subcommand"):
        words.read("info --in 3,7,7")
    with pytest.raises(words.WordsError, match=r"give the arguments of a render, e.g. %convgif"):
        words.read("-o x.gif", output=True, example="%convgif --in 3,7,7 --k 3")
    with pytest.raises(words.WordsError, match="a file the arguments name is not a valid path"):
        words.read(["--image", "a\0.png"], lambda path: str(Path(path).resolve()))
    with pytest.raises(words.WordsError, match="-o needs a file name"):
        words.read("--in 3,7,7 -o", output=True)


def test_options_are_told_from_their_values():
    read = words.read("--in 3,7,7 --module -o --module info --module --help -o out.gif", output=True)
    assert read.output == "out.gif" and read.typed == (
        "--in",
        "3,7,7",
        "--module",
        "-o",
        "--module",
        "info",
        "--module",
        "--help",
    )
    assert words.read("--in 3,7,7 --output=a.gif", output=True).output == "a.gif"


def test_files_are_located_and_their_bytes_make_the_digest(tmp_path):
    image = tmp_path / "pic.png"
    image.write_bytes(b"one")
    read = words.read("--in 1,6,6 --image pic.png", lambda path: str(tmp_path / path))
    assert read.args == ("--in", "1,6,6", "--image", str(image)) and read.files == (str(image),)
    assert read.digest() == words.digest(read.typed, read.files)
    before = read.cache_name()
    assert before.endswith(f"-{read.digest()[:12]}.gif")
    image.write_bytes(b"two")
    assert read.cache_name() != before  # a changed file is a new picture


def test_the_gallery_digest_is_the_words_digest(tmp_path):
    from convgif.integrations.gallery import digest, load

    (tmp_path / "gallery.toml").write_text('[[entry]]\nname = "a"\ntitle = "A"\nargs = "--in 1,4,4"\n')
    (entry,) = load(tmp_path / "gallery.toml").entries
    assert digest(entry) == words.read("--in 1,4,4").digest()


def test_gallery_entries_in_other_formats_are_shown_with_their_stills(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    from PIL import Image

    from convgif.integrations.gallery import build, load, stale

    (tmp_path / "gallery.toml").write_text(
        '[[entry]]\nname = "apng"\ntitle = "A"\nargs = "--in 1,4,4 --format apng"\n'
        '[[entry]]\nname = "clip"\ntitle = "C"\nargs = "--in 1,4,4 --format mp4"\n'
        '[[entry]]\nname = "step"\ntitle = "S"\nargs = "--in 1,4,4 --frame 2"\n'
    )
    gallery = load(tmp_path / "gallery.toml")
    assert not [o for o in build(gallery, tmp_path, gallery.entries, 1) if o.error]
    assert not stale(gallery, tmp_path)  # each picture found, with its still
    page = Tags((tmp_path / "index.html").read_text(encoding="utf-8")).tags
    shown = [(tag, attrs.get("src") or attrs.get("srcset"), attrs.get("poster")) for tag, attrs in page]
    assert ("source", "apng-still.png", None) in shown and ("img", "apng.png", None) in shown
    assert ("video", "clip.mp4", "clip-still.png") in shown
    assert ("img", "step.png", None) in shown and not (tmp_path / "step-still.png").exists()
    (video,) = [attrs for tag, attrs in page if tag == "video"]
    with Image.open(tmp_path / "clip-still.png") as still:
        assert (int(video["width"]), int(video["height"])) == still.size
