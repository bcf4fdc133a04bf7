"""A tiny Sphinx project that shows convgif's directive: ``sphinx-build examples/sphinx /tmp/html``."""

project = "convgif"
extensions = ["convgif.sphinx"]
