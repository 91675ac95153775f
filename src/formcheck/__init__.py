"""formcheck: a camera-based home-exercise coach for the program after lumbar disc surgery."""

__version__ = "0.1.0"
