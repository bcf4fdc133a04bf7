"""The picture of a layer: the drawing model, its layout in pixels, the static scene, the moving
overlay, painting into palette images and the glyphs of its text.

What the command line offers of the picture is declared here, without loading NumPy: the
themes (:data:`convgif.picture.paint.THEMES` holds their colours), the largest scale and the
width a picture fits by default.
"""

#: The colour themes, the first the default.
THEME_NAMES = ("light", "dark")
#: Text, cells and lines are drawn at most this many times larger.
MAX_SCALE = 4
#: Cells shrink until a frame fits a page's column: COLUMN_PX wide (at scale 1); at scale 2 and
#: more (slides and projectors) a 1080p slide, SLIDE_PX, as wide as the column enlarged.
COLUMN_PX = 480
SLIDE_PX = (1920, 1080)
