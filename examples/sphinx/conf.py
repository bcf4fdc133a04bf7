"""A tiny Sphinx project that shows convgif's directive: ``sphinx-build examples/sphinx /tmp/html``."""

project = "convgif"
extensions = ["convgif.sphinx"]
# the pictures the pages name are in examples/, the folder above the source folder
convgif_file_roots = [".."]
