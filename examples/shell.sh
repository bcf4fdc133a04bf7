#!/usr/bin/env bash
# convgif from the shell: run from the project root, after `pip install -e ".[test]"`:
#
#     bash examples/shell.sh [OUTPUT_FOLDER]
#
# Writes five files into OUTPUT_FOLDER (default examples/out/shell/, which git ignores) and
# nothing anywhere else; prints two snippets and a layer's costs.
set -euo pipefail
out="${1:-examples/out/shell}"
mkdir -p "$out"

# the reference article's headline figure, with a Markdown snippet to paste into notes
convgif --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2 -o "$out/headline.gif" --markdown
# the numbers in every cell, on a dark background
convgif --in 1,5,5 --k 3 --p 1 --values --theme dark -o "$out/values-dark.gif"
# one step as a PNG, and a contact sheet of them all, for slides and PDFs
convgif --in 1,5,5 --k 3 --p 1 --frame 7 -o "$out/step7.png"
convgif --in 1,5,5 --k 3 --p 1 --sheet -o "$out/sheet.png"
# a real kernel on a real picture, as an animated WebP (60 of its 900 steps: WebP encodes slowly)
convgif --in 1,32,32 --image examples/shapes.png --kernel sobel-x --no-bias --max-frames 60 --format webp -o "$out/edges.webp"
# what a layer costs, without drawing
convgif info --separable --in 16,7,7 --out 32 --k 3 --no-bias
echo "the files are in $out/"
