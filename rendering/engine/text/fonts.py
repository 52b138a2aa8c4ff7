"""Fonts: the style's family first, then a fallback set wide enough that no
character of any script is drawn as a missing-glyph box, then colour emoji.

Every file ships with the install, so every machine draws the same pixels
(nothing is read from /usr/share/fonts):

- the style families and Noto Sans from the fontpkg-* packages;
- one Noto font per script, Regular and Bold, vendored in
  `rendering/engine/fonts/noto/` with Noto Color Emoji (its README says
  where each file came from);
- Noto Sans CJK, a variable collection, from the manimgx-fonts-cjk package.

Which font covers which code point, and where fontpkg put each family, is
read from `fonts/index.json`, made
from the fonts' character maps by `python -m rendering.engine.fonts.build_index`
(a test checks it matches the files): reading 190 character maps at every
process start costs about a second, the index a few milliseconds. A font is
opened only when a character first needs it.

Fallback priority, after the style's family: Noto Sans, the script fonts,
then math, symbols and music (so ∑ ≠ → never come from the CJK font), then
CJK. From weight 600 a script's Bold file comes before its Regular one.
The CJK face follows the text's language (see `language.han_language`).

A user's own font (brand kit) reaches the engine as bytes: `custom_family`
writes them once to a folder of the machine's temporary directory, named by
their SHA-256, and returns the family name the engine knows them by
("custom:<sha256>"); its coverage is read from its own character map. It
stands where a style family stands, with the same fallbacks after it."""

import hashlib
import importlib.resources
import json
import os
import tempfile
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import icu

from rendering.engine.vocabulary import FAMILIES

FONT_FOLDER = Path(__file__).resolve().parents[1] / "fonts"
NOTO_FOLDER = FONT_FOLDER / "noto"
INDEX_PATH = FONT_FOLDER / "index.json"
EMOJI_FILE = "NotoColorEmoji.ttf"
# Noto Color Emoji is a bitmap font with one strike, this many pixels high.
EMOJI_BITMAP_SIZE = 109
FALLBACK_FAMILY = "Noto Sans"
BOLD_FROM = 600  # weights from here on take a script's Bold file
# After the scripts and in this order: their arrows and operators overlap.
LAST_FALLBACKS = ("NotoSansMath", "NotoSansSymbols", "NotoSansSymbols2", "NotoMusic")
CJK_PACKAGE, CJK_FILE = "manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc"
# The collection's faces: 0 JP, 1 KR, 2 SC, 3 TC (4 HK is not chosen).
CJK_FACES = {"ja": 0, "ko": 1, "zh-Hans": 2, "zh-Hant": 3}
CUSTOM_PREFIX = "custom:"
# Users' fonts as files for FreeType and HarfBuzz, one per content hash:
# written once, shared by every process of the machine.
CUSTOM_FOLDER = Path(tempfile.gettempdir()) / "threadnavigator-fonts"


@dataclass(frozen=True)
class Face:
    """One face of a font file."""

    path: str
    variable: bool
    index: int = 0  # the face in a collection (.ttc)
    language: str | None = None  # told to the shaper: CJK punctuation follows it


@dataclass(frozen=True)
class Coverage:
    """The code points a font has glyphs for, as sorted inclusive ranges."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __contains__(self, point: object) -> bool:
        if not isinstance(point, int):
            return False
        at = bisect_right(self.starts, point) - 1
        return at >= 0 and point <= self.ends[at]

    def covers(self, points: tuple[int, ...]) -> bool:
        return all(point in self for point in points)


@lru_cache(maxsize=1)
def index_file() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(INDEX_PATH.read_text(encoding="utf-8"))
    return loaded


def index() -> dict[str, dict[str, int | str]]:
    """File name → {"bytes": size, "ranges": "20-7e,a0,…"} (hexadecimal)."""
    files: dict[str, dict[str, int | str]] = index_file()["files"]
    return files


def family_files() -> dict[str, list[str]]:
    """Family → [package, file inside it], as fontpkg placed it: asking
    fontpkg reads every installed package's metadata, 40 ms in a new process."""
    families: dict[str, list[str]] = index_file()["families"]
    return families


def parse_ranges(ranges: str) -> Coverage:
    starts, ends = [], []
    for part in ranges.split(","):
        first, _, last = part.partition("-")
        starts.append(int(first, 16))
        ends.append(int(last or first, 16))
    return Coverage(tuple(starts), tuple(ends))


@lru_cache(maxsize=512)
def coverage(face: Face) -> Coverage:
    if is_custom_path(face.path):
        return character_map_coverage(face.path)
    return parse_ranges(str(index()[Path(face.path).name]["ranges"]))


def character_map_coverage(path: str) -> Coverage:
    """The code points a font file maps, from its own character map (a
    user's font: not in the index)."""
    from fontTools.ttLib import TTFont  # only for users' fonts: its import costs 30 ms at start-up

    points = sorted(TTFont(path, lazy=True).getBestCmap() or {})
    starts: list[int] = []
    ends: list[int] = []
    for point in points:
        if ends and point == ends[-1] + 1:
            ends[-1] = point
        else:
            starts.append(point)
            ends.append(point)
    return Coverage(tuple(starts), tuple(ends))


@lru_cache(maxsize=16)
def family_characters(family: str) -> frozenset[str]:
    """The style family's characters as a set, for the fast path of text it
    covers whole (a subset test of a string's characters)."""
    cover = coverage(style_face(family))
    return frozenset(
        chr(point)
        for start, end in zip(cover.starts, cover.ends, strict=True)
        for point in range(start, end + 1)
    )


@lru_cache(maxsize=16)
def style_face(family: str) -> Face:
    if family.startswith(CUSTOM_PREFIX):
        path = custom_path(family.removeprefix(CUSTOM_PREFIX))
        return Face(path=str(path), variable=is_variable(path))
    package, name = family_files()[family]
    path = Path(str(importlib.resources.files(package) / name))
    return Face(path=str(path), variable="[" in path.name)


# --- Users' fonts -------------------------------------------------------------


def custom_path(sha256: str) -> Path:
    return CUSTOM_FOLDER / f"{sha256}.font"


def is_custom_path(path: str) -> bool:
    return Path(path).parent == CUSTOM_FOLDER


def custom_family(content: bytes) -> str:
    """The engine's family name for a user's font (sanitised when it was
    uploaded), its file written if this machine does not have it yet:
    whole or not at all (a temporary file renamed), so a process reading
    it never sees half a font."""
    sha256 = hashlib.sha256(content).hexdigest()
    path = custom_path(sha256)
    if not path.exists():
        CUSTOM_FOLDER.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=CUSTOM_FOLDER, prefix=".writing-")
        with os.fdopen(handle, "wb") as written:
            written.write(content)
        os.replace(partial, path)
    return CUSTOM_PREFIX + sha256


def is_variable(path: Path) -> bool:
    from fontTools.ttLib import TTFont

    return "fvar" in TTFont(str(path), lazy=True)


def family_file(family: str) -> tuple[str, str]:
    """Where fontpkg has `family`'s regular file: (package, file inside it)."""
    import fontpkg  # only to build and check the index: its import reads package metadata

    path = fontpkg.path(family, weight=400)
    package = next(folder for folder in path.parents if (folder / "__init__.py").exists())
    return package.name, path.relative_to(package).as_posix()


def cjk_path() -> Path:
    return Path(str(importlib.resources.files(CJK_PACKAGE) / CJK_FILE))


@lru_cache(maxsize=4)
def cjk_face(language: str) -> Face:
    return Face(str(cjk_path()), variable=True, index=CJK_FACES[language], language=language)


def noto_face(name: str) -> Face:
    return Face(str(NOTO_FOLDER / name), variable=False)


def script_order(stem: str) -> tuple[int, str]:
    return (LAST_FALLBACKS.index(stem) + 1 if stem in LAST_FALLBACKS else 0, stem)


@lru_cache(maxsize=2)
def noto_faces(bold: bool) -> tuple[Face, ...]:
    """The vendored script fonts in priority order; with `bold`, each
    script's Bold file before its Regular one."""
    names = set(index())
    stems = sorted(
        {name.removesuffix("-Regular.ttf") for name in names if name.endswith("-Regular.ttf")},
        key=script_order,
    )
    faces: list[Face] = []
    for stem in stems:
        if bold and f"{stem}-Bold.ttf" in names:
            faces.append(noto_face(f"{stem}-Bold.ttf"))
        if f"{stem}-Regular.ttf" in names:
            faces.append(noto_face(f"{stem}-Regular.ttf"))
    return tuple(faces)


@lru_cache(maxsize=8)
def fallback_faces(bold: bool, language: str) -> tuple[Face, ...]:
    """Every font after the style's family, in priority order."""
    return (style_face(FALLBACK_FAMILY), *noto_faces(bold), cjk_face(language))


@lru_cache(maxsize=8192)
def first_covering(points: tuple[int, ...], bold: bool, language: str) -> Face | None:
    """The first fallback font with all of `points`, if any has them all;
    the font made for their script comes first (Grantha's font also has
    some Tamil letters, but Tamil is drawn with Tamil's)."""
    faces = fallback_faces(bold, language)
    own = script_faces(script_of(points), bold)
    return next((face for face in (*own, *faces) if coverage(face).covers(points)), None)


def script_of(points: tuple[int, ...]) -> str:
    """The Unicode script of the first letter that has one, as Noto's file
    names spell it ("OlChiki"); "" if none has."""
    for point in points:
        name = str(icu.Script.getScript(point).getName())
        if name not in ("Common", "Inherited", "Unknown"):
            return name.replace("_", "")
    return ""


@lru_cache(maxsize=256)
def script_faces(script: str, bold: bool) -> tuple[Face, ...]:
    if not script:
        return ()
    stems = (f"NotoSans{script}-", f"NotoSerif{script}-")
    return tuple(face for face in noto_faces(bold) if Path(face.path).name.startswith(stems))


@lru_cache(maxsize=1)
def emoji_face() -> Face:
    return noto_face(EMOJI_FILE)


def font_files() -> dict[str, Path]:
    """Every font file the renderer may open, by file name: what the index
    is made from and checked against."""
    families = [style_face(family) for family in style_families()]
    files = {Path(face.path).name: Path(face.path) for face in families}
    files.update({path.name: path for path in sorted(NOTO_FOLDER.glob("*.ttf"))})
    files[CJK_FILE] = cjk_path()
    return files


def style_families() -> tuple[str, ...]:
    return tuple(dict.fromkeys((*FAMILIES, FALLBACK_FAMILY)))


def warm_up(family: str = "Inter") -> None:
    """Read the index and the style's character set now, not during the
    first render: a worker process calls this as it starts."""
    family_characters(family)
    coverage(emoji_face())
