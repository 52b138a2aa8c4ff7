"""Line breaking with a fixed-width fake measure: 10 px per code point, so
the tests depend on no font."""

from itertools import pairwise

import icu
import pytest

from rendering.engine.text.breaking import wrap


def fake(text: str) -> float:
    return 10.0 * len(text)


def texts(text: str, width: float) -> list[str]:
    return [line.text for line in wrap(text, width, fake)]


def word_boundaries(text: str) -> set[int]:
    """ICU's word boundaries (dictionary based for Southeast Asian scripts),
    as code point offsets: the oracle for where a line may end."""
    iterator = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    iterator.setText(text)
    assert not any(ord(char) > 0xFFFF for char in text)  # UTF-16 offsets are code points here
    return {0, *iterator}


def line_ends(text: str, lines: list[str]) -> list[int]:
    """Where each line but the last ends in `text` (lines lose trailing spaces only)."""
    ends, position = [], 0
    for line in lines[:-1]:
        position = text.index(line, position) + len(line)
        ends.append(position)
    return ends


def narrowest_whole_word_width(text: str) -> float:
    bounds = sorted(word_boundaries(text) | {len(text)})
    return fake("x") * max(end - start for start, end in pairwise(bounds))


# --- Southeast Asian scripts: dictionary breaks -----------------------------

SENTENCES = {
    "thai": "ฉันชอบอ่านหนังสือทุกวันเพราะมันทำให้ฉันมีความสุขมาก",
    "lao": "ເດັກນ້ອຍຫຼິ້ນຢູ່ໃນສວນຫຼັງເຮືອນທຸກມື້",
    "khmer": "ក្មេងៗលេងនៅក្នុងសួនច្បាររាល់ថ្ងៃ",
    "myanmar": "ကလေးတွေဟာနေ့တိုင်းပန်းခြံထဲမှာကစားကြတယ်",
}


@pytest.mark.parametrize("script", sorted(SENTENCES))
def test_sentences_without_spaces_break_only_between_words(script):
    text = SENTENCES[script]
    lines = texts(text, narrowest_whole_word_width(text))

    assert len(lines) >= 3
    assert "".join(lines) == text
    assert set(line_ends(text, lines)) <= word_boundaries(text)


def test_a_thai_word_with_a_preposed_vowel_is_never_split():
    text = SENTENCES["thai"]

    for width in range(50, 200, 10):
        lines = texts(text, width)
        assert any("ทำให้" in line for line in lines)
        assert not any(line.endswith(("ใ", "เ", "แ", "โ", "ไ")) for line in lines)


def test_a_thai_word_wider_than_the_line_keeps_vowels_with_their_syllable():
    lines = texts("เปลี่ยนแปลงเสมอ", 30)

    assert "".join(lines) == "เปลี่ยนแปลงเสมอ"
    assert not any(line.endswith(("เ", "แ")) for line in lines)
    assert not any(line[0] in "\u0e31\u0e34\u0e35\u0e48\u0e49" for line in lines)  # no mark starts a line


# --- URLs and code-like tokens ----------------------------------------------


def test_a_url_moves_whole_to_the_next_line_when_it_fits():
    url = "https://example.org/docs/start"

    assert texts(f"read this {url} first", 300) == ["read this", url, "first"]


def test_a_url_wider_than_the_line_breaks_after_its_separators():
    url = "https://example.org/guides/line-breaking?lang=th&view=full"
    lines = texts(f"see {url}", 220)

    assert "".join(lines[1:]) == url
    assert all(fake(line) <= 220 for line in lines)
    assert all(line[-1] in "/?&=-." for line in lines[1:-1])
    assert lines[1] != "https://"


def test_a_url_breaks_after_its_scheme_only_when_nothing_else_fits():
    lines = texts("https://example.org/" + "z" * 30, 100)

    assert lines[0] == "https://"
    assert "".join(lines) == "https://example.org/" + "z" * 30
    assert all(fake(line) <= 100 for line in lines)


@pytest.mark.parametrize("token", ["C++", "C#", "F#", "i++", "->", "=>", "..."])
def test_code_like_tokens_are_never_split(token):
    text = f"ab {token} cd {token}, ef"
    starts = [index for index in range(len(text)) if text.startswith(token, index)]
    inside = {start + offset for start in starts for offset in range(1, len(token))}

    for width in range(30, 200, 10):
        assert not inside & set(line_ends(text, texts(text, width)))


def test_plus_plus_stays_with_its_name():
    assert texts("I write C++ and C# daily, i++ too", 60) == [
        "I",
        "write",
        "C++",
        "and C#",
        "daily,",
        "i++",
        "too",
    ]


def test_a_row_of_emoji_still_breaks_between_them():
    assert texts("😂😂😂😂", 20) == ["😂😂", "😂😂"]


# --- CJK and clusters ---------------------------------------------------------


def test_cjk_breaks_between_characters_but_never_before_closing_punctuation():
    text = "今日は雨が降っています。「傘」を持って行きます。"

    for width in range(30, 120, 10):
        lines = texts(text, width)
        assert "".join(lines) == text
        assert not any(line[0] in "。」、" for line in lines)
        assert all(fake(line) <= width for line in lines)


def test_a_long_word_with_combining_marks_is_cut_between_clusters():
    word = "e\u0301a\u0300o\u0302u\u0308i\u0301" * 4  # five clusters of two code points, four times
    lines = texts(word, 50)

    assert "".join(lines) == word
    assert all(fake(line) <= 50 for line in lines)
    assert not any(line[0] in "\u0300\u0301\u0302\u0308" for line in lines)


# --- The contract -------------------------------------------------------------


def test_widths_come_from_the_measure_without_trailing_spaces():
    lines = wrap("one two three four", 90, fake)

    assert [(line.text, line.width) for line in lines] == [("one two", 70.0), ("three", 50.0), ("four", 40.0)]


def test_an_empty_paragraph_is_one_empty_line():
    assert texts("", 100) == [""]
    assert texts("   ", 100) == [""]


def test_direction_is_resolved_on_the_whole_paragraph():
    lines = wrap("עברית text one two (three) עוד", 100, fake)

    # Alone, "(three)" would take the RTL paragraph's direction at its edges;
    # in its paragraph the brackets sit between English words.
    assert [line.text for line in lines] == ["עברית text", "one two", "(three)", "עוד"]
    assert [(s.text, s.rtl) for s in lines[2].segments] == [("(three)", False)]
    assert all(line.rtl for line in lines)


def test_an_override_spanning_lines_keeps_its_effect_on_each():
    lines = wrap("\u202eabc def ghi\u202c", 80, fake)

    assert len(lines) == 2
    assert [[(s.text, s.rtl) for s in line.segments] for line in lines] == [
        [("abc def", True)],
        [("ghi", True)],
    ]
