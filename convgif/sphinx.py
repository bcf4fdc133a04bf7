"""``extensions = ["convgif.sphinx"]``: the Sphinx directive, by the name ``conf.py`` files use.

The extension lives in :mod:`convgif.integrations.sphinx`.
"""

from .integrations.sphinx import ConvgifDirective, setup

__all__ = ["ConvgifDirective", "setup"]
