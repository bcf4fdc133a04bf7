"""A layer animated: what was asked, checked and turned into a job (request), the part of the
layer drawn (region), the job that records it, lays it out and plays its frames (job), the
contact sheet of its frames (sheet), and what a render returns (result)."""
