"""longtail (to be built)."""
