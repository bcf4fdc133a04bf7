"""A layer animated: the part of it drawn, the job that records it, lays it out and plays its
frames, and what a render returns."""
