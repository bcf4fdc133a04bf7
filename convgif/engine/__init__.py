"""The numeric core every layer kind records with: the value policy and the direct convolution."""
