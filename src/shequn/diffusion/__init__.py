"""diffusion (to be built)."""
