"""The files convgif writes: the format registry, atomic writes, GIF (with its LZW coder), WebP,
APNG and still PNG, and MP4."""
