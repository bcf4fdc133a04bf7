"""convgif from Python: specs, the recorded forward pass, and pictures.

Run from the project root, after ``pip install -e ".[test]"``:

    python examples/python_api.py [OUTPUT_FOLDER]

Writes four files into OUTPUT_FOLDER (default examples/out/python/, which git ignores, beside
the shell example's examples/out/shell/) and nothing anywhere else.
"""

import sys
from pathlib import Path

import convgif
from convgif.api import render_still
from convgif.inputs.kernels import PRESETS, factors_note, weights_for

out = Path(sys.argv[1] if len(sys.argv) > 1 else "examples/out/python")
out.mkdir(parents=True, exist_ok=True)

spec = convgif.Conv2dSpec((3, 7, 7), out_channels=2, kernel_size=3, stride=2, padding=1, dilation=2)
print(spec.caption)
print("output", spec.output_shape, "parameters", spec.num_parameters)

recording = convgif.record(spec, seed=0)
first = recording.placements[0]
print("y[0, 0, 0] =", first.value, "reads", len(first.taps), "cells")

print(convgif.render(spec, out / "headline.gif", values=True))
print(render_still(spec, out / "headline-step5.png", step=5))

edge = convgif.Conv2dSpec((1, 9, 9), 1, 3, bias=False)
weight = weights_for(edge, PRESETS["sobel-x"])
print(convgif.render(edge, out / "sobel.gif", weight=weight, values=True, notes=(factors_note(PRESETS["sobel-x"]),)))

transposed = convgif.ConvTranspose2dSpec((2, 3, 3), 1, 3, stride=2, padding=1, output_padding=1)
print(convgif.render(transposed, out / "transposed.gif"))
print(f"the files are in {out}/")
