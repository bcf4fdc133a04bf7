"""Whole networks: a model traced once, every layer convgif draws drawn with what it really
receives, a table of every module, and the receptive field through the stack
(:func:`convgif.model`, ``convgif model``)."""
