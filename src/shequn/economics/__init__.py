"""economics (to be built)."""
