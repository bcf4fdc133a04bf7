"""The picture of a layer: the drawing model, its layout in pixels, the static scene, the moving
overlay, painting into palette images and the glyphs of its text.

What the command line offers of the picture is declared here, without loading NumPy: the
themes (:data:`convgif.picture.paint.THEMES` holds their colours) and the largest scale.
"""

#: The colour themes, the first the default.
THEME_NAMES = ("light", "dark")
#: Text, cells and lines are drawn at most this many times larger.
MAX_SCALE = 4
