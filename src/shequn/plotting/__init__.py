"""plotting (to be built)."""
