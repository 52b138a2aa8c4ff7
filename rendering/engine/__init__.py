"""The renderer, pure of Django: thread data and a validated style in,
encoded files out. Nothing here imports Django or reads the database or
storage; `rendering.adapters` turns the app's rows into `RenderInput`.

    vocabulary  kinds, formats, canvas sizes and families, defined once
    spec        the style document as output pixels (frozen)
    text/       fonts (the font set and fallback), shaping, runs, breaking, bidi
    layout      pure geometry: lines, boxes, slide flow (measurement passed in)
    paint       Pillow draws what layout placed
    outputs     encoders (PNG, JPEG, WebP, PDF, ZIP)
    renderer    the entry points: render, render_page, lay_out, warm_up

This module imports nothing itself, so reading the vocabulary (as the style
validator does) does not load the fonts and image libraries."""
