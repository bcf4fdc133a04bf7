"""The picture of a layer: the drawing model, its layout in pixels, the static scene, the moving
overlay, painting into palette images and the glyphs of its text."""
