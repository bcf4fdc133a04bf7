"""Draw examples/shapes.png: dark shapes on a light ground, for edge-detection examples.

python examples/make_shapes.py

convgif --in 1,32,32 --image examples/shapes.png --kernel sobel-x --no-bias
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 128


def draw() -> Image.Image:
    picture = Image.new("L", (SIZE, SIZE), 235)
    pen = ImageDraw.Draw(picture)
    pen.rectangle((14, 18, 54, 58), fill=40)  # a square
    pen.ellipse((70, 14, 114, 58), fill=70)  # a disc
    pen.polygon([(22, 112), (50, 66), (78, 112)], fill=20)  # a triangle
    pen.rectangle((88, 70, 102, 114), fill=110)  # an upright bar
    return picture


if __name__ == "__main__":
    target = Path(__file__).with_name("shapes.png")
    draw().save(target, optimize=True)
    print(target)
