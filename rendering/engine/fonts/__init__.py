"""The font files that ship with the renderer and the index of what they cover."""
