"""simulation (to be built)."""
