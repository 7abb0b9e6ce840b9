"""congvan: Vietnamese official dispatches → structured records → registers and replies."""
__version__ = "0.1.0"
