"""Write `index.json`: which code points each font file covers.

Run after adding, removing or upgrading a font (a vendored file, a fontpkg
family or the CJK package): `python -m rendering.engine.fonts.build_index`.
The renderer reads this instead of the fonts' character maps at start-up."""

import json
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from rendering.engine.text.fonts import CJK_FILE, INDEX_PATH, family_file, font_files, style_families

HEADER = "Made by `python -m rendering.engine.fonts.build_index`; do not edit."


def character_map(path: Path) -> set[int]:
    if path.name != CJK_FILE:
        return set(TTFont(path, lazy=True).getBestCmap())
    maps = [set(font.getBestCmap()) for font in TTCollection(path, lazy=True).fonts]
    # One coverage stands for every face of the collection.
    if any(face_map != maps[0] for face_map in maps):
        raise ValueError(f"{path.name}: its faces differ in coverage")
    return maps[0]


def ranges(points: set[int]) -> str:
    """Sorted code points as hexadecimal ranges: "20-7e,a0,a2-ff"."""
    parts: list[str] = []
    ordered = sorted(points)
    start = previous = ordered[0]
    for point in [*ordered[1:], None]:
        if point is not None and point == previous + 1:
            previous = point
            continue
        parts.append(f"{start:x}" if start == previous else f"{start:x}-{previous:x}")
        if point is not None:
            start = previous = point
    return ",".join(parts)


def build() -> dict[str, object]:
    files = {
        name: {"bytes": path.stat().st_size, "ranges": ranges(character_map(path))}
        for name, path in sorted(font_files().items())
    }
    families = {family: list(family_file(family)) for family in style_families()}
    return {"comment": HEADER, "families": families, "files": files}


def write() -> None:
    INDEX_PATH.write_text(json.dumps(build(), indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
