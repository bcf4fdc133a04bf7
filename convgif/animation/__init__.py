"""A layer animated: the part of it drawn, the job that records it, lays it out and plays its
frames, and what a render returns.

The defaults of a render are declared here, once, where the command line can read them
without loading NumPy.
"""

#: The reference article's GIFs show each step for 300 ms.
DEFAULT_FPS = 1000 / 300
#: A render draws at most this many steps unless told otherwise.
DEFAULT_MAX_FRAMES = 300
#: GIF delays are whole hundredths of a second; below 2, viewers slow them down.
MAX_FPS = 50
#: Ten seconds a frame: the last frame's hold must stay within a GIF's longest delay.
MIN_FPS = 0.1
