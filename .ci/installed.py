"""CI: convgif as a user installs it. Run from an empty folder with the installed wheel's Python,
no source tree on the path: the design card's command, one render of every registered layer
kind, `convgif info`, `convgif gallery` on a small gallery file, and the Python API."""

import subprocess
import sys
from pathlib import Path


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    here = Path.cwd()
    found = run(sys.executable, "-c", "import convgif; print(convgif.__file__)").strip()
    if "site-packages" not in found:
        sys.exit(f"convgif is imported from {found}, not from the installed wheel")
    written = run("convgif", "--in", "3,7,7", "--k", "3", "--s", "2").split()[0]
    assert (here / written).is_file(), written
    every_kind = (
        "import convgif, convgif.ops as o\n"
        "drawn = 0\n"
        "for op in o.operations():\n"
        "    spec = op.spec_type(**op.example())\n"
        "    convgif.describe(spec)\n"
        "    try:\n"
        "        convgif.render(spec, f'kind-{op.name}.gif')\n"
        "        drawn += 1\n"
        "    except convgif.SpecError as error:\n"
        "        assert 'is not drawn' in str(error), (op.name, error)\n"
        "print(drawn, len(o.operations()))\n"
    )
    drawn, kinds = (int(v) for v in run(sys.executable, "-c", every_kind).split())
    assert drawn > 30 and len(list(here.glob("kind-*.gif"))) == drawn, (drawn, kinds)
    run("convgif", "info", "--layer", "MaxPool2d", "--in", "2,6,6", "--k", "2")
    (here / "small.toml").write_text(
        'title = "smoke"\n[[entry]]\nname = "one"\ntitle = "One layer"\nargs = "--in 1,5,5 --k 3"\n', encoding="utf-8"
    )
    run("convgif", "gallery", "--config", "small.toml", "--jobs", "1", "-q")
    assert (here / "one.gif").is_file() and (here / "index.html").is_file() and (here / "README.md").is_file()
    code = (
        "import convgif; spec = convgif.Conv2dSpec((3, 7, 7), out_channels=2, kernel_size=3, stride=2);"
        "print(spec.output_shape, convgif.render(spec, 'api.gif').frames)"
    )
    assert run(sys.executable, "-c", code).strip() == "(2, 3, 3) 18"
    print(f"installed wheel: {drawn} of {kinds} kinds drawn, info, gallery and the Python API work from {here}")


if __name__ == "__main__":
    main()
