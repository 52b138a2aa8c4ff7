"""Visual order against known UAX #9 results, and against ICU's own
reordering of the whole line as an oracle."""

import icu
import pytest

from rendering.engine.text.bidi import CONTROLS, Segment, is_rtl, isolate, line_segments, visual_segments

MIRRORED = str.maketrans("()[]{}<>", ")(][}{><")


def pairs(text: str, rtl: bool) -> list[tuple[str, bool]]:
    return [(segment.text, segment.rtl) for segment in visual_segments(text, rtl)]


def on_screen(text: str, rtl: bool) -> str:
    """The characters left to right as drawn: an RTL segment is laid out
    reversed, its brackets mirrored (as HarfBuzz does)."""
    return "".join(
        segment.text[::-1].translate(MIRRORED) if segment.rtl else segment.text
        for segment in visual_segments(text, rtl)
    )


def icu_visual(text: str, rtl: bool) -> str:
    bidi = icu.Bidi()
    bidi.setPara(icu.UnicodeString(text), 1 if rtl else 0)
    return str(bidi.writeReordered(icu.Bidi.REMOVE_BIDI_CONTROLS | icu.Bidi.DO_MIRRORING))


def test_left_to_right_text_is_one_segment():
    assert visual_segments("Good morning, friends!", rtl=False) == (Segment("Good morning, friends!", False),)


def test_a_number_after_a_hebrew_word_stays_right_after_it_in_reading_order():
    # "I bought 3 apples": read from the right, 3 comes after the verb, so on
    # screen it is to the verb's left.
    assert pairs("קניתי 3 תפוחים", rtl=True) == [(" תפוחים", True), ("3", False), ("קניתי ", True)]


def test_a_number_after_an_arabic_word_in_an_english_sentence_joins_it():
    # W7 leaves "12" European, N1 makes the space between the Arabic word
    # and the number right-to-left: the number shows to the word's left.
    assert pairs("Read الفصل 12 tonight", rtl=False) == [
        ("Read ", False),
        ("12", False),
        ("الفصل ", True),
        (" tonight", False),
    ]


def test_bracket_pairs_keep_their_content_in_a_right_to_left_paragraph():
    assert on_screen("[test] {x} <y>.", rtl=True) == ".<y> {x} [test]"
    assert on_screen("מילה [test] {x} (עוד).", rtl=True) == ".(דוע) {x} [test] הלימ"


def test_an_override_lays_latin_letters_out_right_to_left():
    assert pairs("abc \u202edef ghi\u202c jkl", rtl=False) == [
        ("abc ", False),
        ("def ghi", True),
        (" jkl", False),
    ]
    assert on_screen("abc \u202edef ghi\u202c jkl", rtl=False) == "abc ihg fed jkl"


def test_a_left_to_right_override_keeps_hebrew_in_logical_order():
    assert pairs("\u202dשלום\u202c", rtl=True) == [("שלום", False)]


def test_an_isolate_keeps_a_following_number_out_of_the_hebrew_run():
    assert pairs("User שלום 5 points", rtl=False) == [
        ("User ", False),
        ("5", False),
        ("שלום ", True),
        (" points", False),
    ]
    assert pairs("User \u2067שלום\u2069 5 points", rtl=False) == [
        ("User ", False),
        ("שלום", True),
        (" 5 points", False),
    ]


def test_an_embedding_keeps_trailing_punctuation_with_the_english():
    assert pairs("שלום abc, def! עולם", rtl=True) == [("! עולם", True), ("abc, def", False), ("שלום ", True)]
    assert pairs("שלום \u202aabc, def!\u202c עולם", rtl=True) == [
        (" עולם", True),
        ("abc, def!", False),
        ("שלום ", True),
    ]


@pytest.mark.parametrize("item", ["1. פריט ראשון", "2. פריט שני", "10. פריט אחרון"])
def test_a_hebrew_numbered_list_puts_each_number_at_the_right(item):
    number, rest = item.split(".", 1)

    assert pairs(item, rtl=True) == [(f".{rest}", True), (number, False)]
    assert on_screen(item, rtl=True).endswith(f".{number}")


def test_english_inside_arabic_reads_in_the_right_order():
    assert pairs("أحب لغة Python كثيرا", rtl=True) == [
        (" كثيرا", True),
        ("Python", False),
        ("أحب لغة ", True),
    ]


def test_formatting_characters_are_absent_from_the_segments():
    text = "\u200fa\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u061c"

    segments = visual_segments(text, rtl=False)

    assert segments
    assert not any(CONTROLS.search(segment.text) for segment in segments)
    assert sorted("".join(segment.text for segment in segments)) == sorted("abcdefghijk")


@pytest.mark.parametrize(
    ("text", "rtl"),
    [
        ("Read الفصل 12 tonight", False),
        ("ثمن الكتاب 45 ريالا فقط", True),
        ("[test] {x} <y>.", True),
        ("abc \u202edef ghi\u202c jkl", False),
        ("User \u2067שלום\u2069 5 points, \u2066ok\u2069!", False),
        ("שלום \u202aabc, def!\u202c עולם", True),
        ("עברית (English 3.5%) ועוד 1,000 ש״ח", True),
        ("Visit 😀 شكرا 😀 now", False),
    ],
)
def test_segments_agree_with_icu_reordering_of_the_whole_line(text, rtl):
    assert on_screen(text, rtl) == icu_visual(text, rtl)


def test_paragraph_direction_is_that_of_the_first_strong_character_outside_isolates():
    assert is_rtl("שלום world") is True
    assert is_rtl("hello שלום") is False
    assert is_rtl("\u2066hello\u2069 שלום") is True
    assert is_rtl("123 ... !") is False


def test_an_isolated_handle_shows_at_sign_first_in_an_rtl_header():
    # Without the isolate the "@" would take the header's direction and
    # show on the handle's right.
    assert on_screen("@handle", rtl=True) == "handle@"
    assert on_screen(isolate("@handle"), rtl=True) == "@handle"
    assert on_screen("ليلى " + isolate("@handle"), rtl=True) == "@handle ىليل"


def test_an_isolated_arabic_handle_keeps_at_sign_at_its_start_in_reading_order():
    assert pairs(isolate("@ليلى"), rtl=True) == [("@ليلى", True)]
    assert pairs("by " + isolate("@ليلى"), rtl=False) == [("by ", False), ("@ليلى", True)]


def test_lines_of_a_paragraph_with_emoji_are_cut_at_code_points():
    text = "😀 שלום abc 😀 עולם"

    first, second = line_segments(text, True, [(0, 6), (7, len(text))])

    assert first == (Segment("😀 שלום", True),)
    assert second == (Segment(" 😀 עולם", True), Segment("abc", False))
    assert line_segments(text, True, [(0, len(text))]) == [visual_segments(text, True)]
