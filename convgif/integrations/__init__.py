"""convgif where people write: the gallery, Sphinx, MkDocs, Jupyter, and the bench of costs."""
