"""io (to be built)."""
