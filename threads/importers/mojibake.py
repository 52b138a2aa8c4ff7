"""Repair text that went through a wrong code page on its way here.

Text copied between apps often arrives as UTF-8 bytes read as a Windows
code page: `β€’` for `•` and `πŸ‘‹` for 👋 (cp1253, Greek), `вЂ”` for `—`
(cp1251, Cyrillic). ftfy repairs the common Latin cases; for the code pages
it leaves alone, sequences are re-decoded one character at a time and kept
only when the result is the kind of character that travels badly (symbols,
punctuation, emoji, accented Latin) — never a letter of another script, so
Greek or Cyrillic written on purpose is not touched.
"""

import itertools
import unicodedata

import ftfy

# ftfy's own fixes beyond encoding (uncurling quotes, widths, HTML) would
# change correct text, so only its encoding repair runs.
FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    restore_byte_a0=False,  # "Â " may be a word and a space
    # Mixed text is left to the per-character pass below, whose rules are
    # stricter: ftfy's version turns odd but correct text like "áœ a" around.
    decode_inconsistent_utf8=False,
    normalization=None,
    explain=False,
)
# Each decoder that damages text: a code page, plus what sloppy software
# does with its gaps (the C1 range read as cp1252, the Greek range read as
# ISO-8859-7, which is how the seed's `β€’` came about).
DAMAGE: dict[str, tuple[tuple[str, range], ...]] = {
    "western": (("cp1252", range(0x80, 0x100)),),
    "greek": (
        ("cp1253", range(0x80, 0x100)),
        ("iso8859_7", range(0xA0, 0x100)),
        ("cp1252", range(0x80, 0xA0)),
    ),
    "cyrillic": (("cp1251", range(0x80, 0x100)), ("cp1252", range(0x80, 0xA0))),
    "central-european": (("cp1250", range(0x80, 0x100)), ("cp1252", range(0x80, 0xA0))),
    "turkish": (("cp1254", range(0x80, 0x100)),),
    "baltic": (("cp1257", range(0x80, 0x100)), ("cp1252", range(0x80, 0xA0))),
}
# Mojibake of these would usually be a quoting style, not damage.
KEEP_TWO_BYTE = {"\u00ab", "\u00bb", "\u00a0"}
# When bytes are ambiguous (’ is 0x92 in one table and 0xA2 in another),
# the character that usually travels badly wins.
TRAVELS_BADLY = (
    ("\u2000", "\u2bff"),
    ("\u3000", "\u303f"),
    ("\ufe0e", "\ufe0f"),
    ("\U0001f000", "\U0001faff"),
)
GREEK_TONOS_CAPITALS = set("ΆΈΉΊΌΎΏ")
CP1252_CONTINUATIONS = {bytes([byte]).decode("cp1252", errors="ignore") for byte in range(0x80, 0xC0)} - {""}
# How the commonest UTF-8 lead bytes look when read as cp1252 (accents,
# Cyrillic, Greek, Arabic, punctuation, emoji); a text without any of them
# is not given to ftfy, which would otherwise "repair" a correct "€•".
WESTERN = {"sloppy-windows-1252", "windows-1252", "latin-1"}
LATIN_LEADS = set("ÂÃÄÅÎÏÐÑØÙâãð")
LIKELY = set("•…–—‘’“”‚„°©®™€£¥×÷·±§¶†‡‰")


def latin_repair(text: str) -> str:
    """ftfy's encoding repair, one step at a time while the text still shows
    the cp1252 face of a UTF-8 lead byte. ftfy's own loop goes on fixing
    until nothing looks odd, which turns a correct "€•" into "ۥ"; the
    one-step function is private but pinned with ftfy."""
    for _ in range(3):
        if not any(char in LATIN_LEADS for char in text):
            return text
        fixed, plan = ftfy._fix_encoding_one_step_and_explain(text, FTFY_ENCODING_ONLY)
        encodings = {argument for operation, argument in plan or () if operation == "encode"}
        # Only the Western code page: ftfy's MacRoman and cp437 guesses
        # turn rare but correct words ("œâ") into Greek.
        if fixed == text or not encodings <= WESTERN:
            return text
        text = fixed
    return text


def byte_table(decoders: tuple[tuple[str, range], ...]) -> dict[str, tuple[int, ...]]:
    """Character -> the bytes it may stand for."""
    table: dict[str, list[int]] = {}
    for codec, byte_range in decoders:
        for byte in byte_range:
            try:
                char = bytes([byte]).decode(codec)
            except UnicodeDecodeError:
                continue
            if byte not in table.setdefault(char, []):
                table[char].append(byte)
    return {char: tuple(byte_list) for char, byte_list in table.items()}


TABLES = {name: byte_table(decoders) for name, decoders in DAMAGE.items()}


def repair_mojibake(text: str) -> str:
    text = latin_repair(text)
    if text.isascii():
        return text
    for table in TABLES.values():
        text = redecode(text, table)
    return text


def redecode(text: str, table: dict[str, tuple[int, ...]]) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        found = sequence_at(text, index, table)
        if found is None:
            out.append(text[index])
            index += 1
            continue
        out.append(found[0])
        index += found[1]
    return "".join(out)


def byte_length(lead: int) -> int:
    return 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0


def sequence_at(text: str, index: int, table: dict[str, tuple[int, ...]]) -> tuple[str, int] | None:
    """The character whose UTF-8 bytes `text[index:]` spells, if any."""
    leads = table.get(text[index], ())
    length = max((byte_length(lead) for lead in leads), default=0)
    chunk = text[index : index + length]
    if not length or len(chunk) < length or any(char not in table for char in chunk):
        return None
    candidates = []
    for raw in itertools.product(*(table[char] for char in chunk)):
        try:
            char = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if plausible(char, chunk):
            candidates.append(char)
    if not candidates:
        return None
    return next((c for c in candidates if c in LIKELY), candidates[0]), length


def plausible(char: str, chunk: str) -> bool:
    if len(char) != 1 or char in KEEP_TWO_BYTE:
        return False
    category = unicodedata.category(char)
    if len(chunk) == 2 and not chunk[0].isalpha():
        return False  # a symbol then a symbol ("×€") is how people write
    if len(chunk) == 2:
        # Two-byte sequences read as a capital letter and a symbol; only
        # believe them when the symbol half looks like damage.
        symbol_half = unicodedata.category(chunk[1])[0] in "SP"
        latin_pair = chunk[0] in "ÂÃ" and chunk[1] in CP1252_CONTINUATIONS
        if latin_pair or (chunk[0] == "Γ" and chunk[1] in GREEK_TONOS_CAPITALS) or chunk[1] == "\u00a0":
            # ü reads as Ã¼ (cp1252) or ΓΌ (Greek), à as Γ and a no-break
            # space: pairs real text does not write, unlike Cyrillic Гё.
            return is_accented_latin(char)
        return symbol_half and (category[0] in "SP" or is_accented_latin(char))
    # Longer sequences: only the blocks that travel badly (punctuation,
    # currency, arrows, maths, shapes, dingbats, emoji), never letters:
    # Ukrainian "вії" spells a Coptic sign in UTF-8.
    in_block = any(low <= char <= high for low, high in TRAVELS_BADLY)
    return in_block and (category[0] in "SPZC" or char in "\ufe0e\ufe0f")


def is_accented_latin(char: str) -> bool:
    return "\u00c0" <= char <= "\u024f" and "LATIN" in unicodedata.name(char, "")
