"""operating (to be built)."""
