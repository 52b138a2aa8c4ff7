"""Text before painting: the font set and fallback, shaping, runs by font,
line breaking and bidi."""
