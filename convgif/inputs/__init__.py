"""What a render takes in besides a spec: kernels, pictures, and PyTorch layers and saved models."""
