"""experiment (to be built)."""
