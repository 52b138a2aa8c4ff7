from rendering.engine.text.bidi import Segment, visual_segments


def test_left_to_right_text_is_one_segment():
    assert visual_segments("Hello, world!", rtl=False) == (Segment("Hello, world!", False),)


def test_right_to_left_paragraph_keeps_its_punctuation():
    assert visual_segments("שלום עולם, זה טקסט.", rtl=True) == (Segment("שלום עולם, זה טקסט.", True),)


def test_english_inside_hebrew_reads_in_the_right_order():
    segments = visual_segments("שלום hello עולם 123", rtl=True)

    assert [s.text.strip() for s in segments] == ["123", "עולם", "hello", "שלום"]
    assert [s.rtl for s in segments] == [False, True, False, True]


def test_hebrew_inside_english_stays_in_place():
    segments = visual_segments("hello שלום עולם world", rtl=False)

    assert [s.text for s in segments] == ["hello ", "שלום עולם", " world"]


def test_numbers_in_arabic_stay_left_to_right():
    segments = visual_segments("السعر 250 ريال", rtl=True)

    assert [s.text.strip() for s in segments] == ["ريال", "250", "السعر"]
    assert segments[1].rtl is False
