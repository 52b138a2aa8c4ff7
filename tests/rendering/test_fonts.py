"""Fonts as a reader sees them: every script drawn (no missing-glyph boxes),
the right weight, Han in the right language, emoji in colour only where
Unicode says so, and an avatar initial for any name."""

from pathlib import Path

import pytest
from PIL import ImageStat

from rendering.engine import paint
from rendering.engine.fonts import build_index
from rendering.engine.layout.pieces import initials
from rendering.engine.text import fonts, shaping
from rendering.engine.text.language import han_language
from rendering.engine.text.runs import Run, measure, split_runs

# One short sentence of our own per script.
SENTENCES = {
    "Bengali": "আমি রোজ সকালে চা খাই।",
    "Tamil": "நான் நேற்று புத்தகம் படித்தேன்.",
    "Malayalam": "ഞങ്ങൾ പുഴയുടെ അരികിൽ നടന്നു.",
    "Sinhala": "මම අද ගෙදර යනවා.",
    "Khmer": "ខ្ញុំចូលចិត្តអានសៀវភៅ។",
    "Myanmar": "ကျွန်တော် ထမင်းစားပြီးပြီ။",
    "Ethiopic": "ዛሬ ዝናብ ይዘንባል።",
    "Georgian": "დღეს მზიანი ამინდია.",
    "Mtavruli": "ᲓᲦᲔᲡ ᲛᲖᲘᲐᲜᲘ ᲐᲛᲘᲜᲓᲘᲐ",
    "Gurmukhi": "ਮੈਂ ਸਕੂਲ ਜਾ ਰਿਹਾ ਹਾਂ।",
    "Gujarati": "આજે હવામાન સરસ છે.",
    "Odia": "ମୁଁ ଘରକୁ ଯାଉଛି।",
    "Telugu": "నేను పాట వింటున్నాను.",
    "Kannada": "ನಾನು ಹಣ್ಣು ತಿನ್ನುತ್ತೇನೆ.",
    "Tibetan": "ང་ཁ་ལག་ཟ་གི་ཡོད།",
    "Syriac": "ܟܬܒܐ ܛܒܐ ܩܪܝܬ",
    "Thaana": "އަހަރެން ފޮތް ކިޔަނީ",
    "Mongolian": "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ",
    "Cherokee": "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ",
    "Javanese": "ꦲꦏꦸ ꦩꦔꦤ꧀ ꦱꦼꦒ",
    "OlChiki": "ᱟᱹᱰᱤ ᱱᱟᱯᱟᱭ ᱫᱤᱱ",
    "Adlam": "𞤀𞤣𞤤𞤢𞤥 𞤆𞤵𞤤𞤢𞤪",
    "Hebrew": "הכלב ישן ליד הדלת.",
    "Arabic": "القطة تنام على الكرسي.",
    "Armenian": "Բարև, ինչպե՞ս ես։",
    "Lao": "ຂ້ອຍກິນເຂົ້າແລ້ວ",
    "Thai": "ฉันชอบดื่มกาแฟ",
    "Devanagari": "मैं बाज़ार जा रहा हूँ।",
    "Greek": "Καλημέρα σε όλους.",
}


def glyph_ids(run: Run, size: int = 24, weight: int = 400) -> list[int]:
    assert run.face is not None
    return [glyph for glyph, _, _ in shaping.shape(run.text, run.face, size, weight).glyphs]


def text_runs(text: str, family: str = "Inter", weight: int = 400) -> tuple[Run, ...]:
    runs = split_runs(text, family, weight)
    assert all(run.face is not None for run in runs), "no colour emoji expected"
    return runs


def file_name(run: Run) -> str:
    assert run.face is not None
    return Path(run.face.path).name


@pytest.mark.parametrize("weight", [400, 700])
@pytest.mark.parametrize("family", ["Inter", "Noto Serif", "JetBrains Mono"])
@pytest.mark.parametrize("script", sorted(SENTENCES))
def test_every_script_is_drawn_without_a_missing_glyph_box(script, family, weight):
    for run in text_runs(SENTENCES[script], family, weight):
        assert 0 not in glyph_ids(run, weight=weight), f"{run.text!r} in {file_name(run)}"


def test_georgian_capitals_come_from_the_georgian_font():
    letters = [run for run in text_runs(SENTENCES["Mtavruli"]) if not run.text.isspace()]

    assert {file_name(run) for run in letters} == {"NotoSansGeorgian-Regular.ttf"}


def test_tamil_is_drawn_with_the_tamil_font_not_another_that_has_some_letters():
    assert {file_name(run) for run in text_runs("வணக்கம்")} == {"NotoSansTamil-Regular.ttf"}


@pytest.mark.parametrize(
    ("text", "language", "face"),
    [
        ("東京タワーに行きました。", "ja", 0),
        ("서울의 한강 공원을 걸었다.", "ko", 1),
        ("我們今天學習書法。", "zh-Hant", 3),
        ("我们今天去公园散步。", "zh-Hans", 2),
        ("山水", "zh-Hans", 2),
    ],
)
def test_han_is_drawn_in_the_face_of_its_language(text, language, face):
    runs = text_runs(text)

    assert han_language(text) == language
    assert {(run.face.index, run.face.language) for run in runs if run.face} == {(face, language)}


def test_chinese_and_japanese_punctuation_sit_where_each_language_puts_them():
    comma = "，"
    traditional = split_runs(comma, "Inter", lang="zh-Hant")[0]
    simplified = split_runs(comma, "Inter", lang="zh-Hans")[0]

    assert glyph_ids(traditional) != glyph_ids(simplified)


@pytest.mark.parametrize("family", ["Inter", "Noto Serif", "JetBrains Mono"])
def test_math_after_han_never_comes_from_the_cjk_font(family):
    for run in text_runs("总和 ∑ ≠ ≤ → 结束", family):
        if any(char in run.text for char in "∑≠≤→"):
            assert "CJK" not in file_name(run)
            assert 0 not in glyph_ids(run)


@pytest.mark.parametrize(
    ("name", "bold_file"),
    [
        ("אורי כהן", "NotoSansHebrew-Bold.ttf"),
        ("সুমন দাস", "NotoSansBengali-Bold.ttf"),
        ("ნინო ბერიძე", "NotoSansGeorgian-Bold.ttf"),
        ("Արամ", "NotoSansArmenian-Bold.ttf"),
        ("ສົມພອນ", "NotoSansLao-Bold.ttf"),
    ],
)
def test_bold_names_get_the_scripts_bold_font(name, bold_file):
    assert {file_name(run) for run in text_runs(name, weight=700) if not run.text.isspace()} == {bold_file}
    assert bold_file.replace("Bold", "Regular") in {file_name(run) for run in text_runs(name, weight=400)}


def test_cjk_is_drawn_heavier_at_a_heavier_weight():
    face = fonts.cjk_face("zh-Hans")
    glyph = shaping.shape("国", face, 48).glyphs[0][0]

    def ink(weight: int) -> float:
        mask = shaping.font(face, 48, weight).glyph(glyph, 0).mask
        assert mask is not None
        return ImageStat.Stat(mask).sum[0]

    assert ink(800) > ink(400) * 1.3


COLOUR = ["⭐", "⌚", "⌛", "⏳", "⬛", "⬜", "⭕", "⏩", "⏰", "😀", "©️", "®️", "㊗️", "❤️", "1️⃣", "#️⃣"]
COLOUR += ["👍🏽", "👨‍👩‍👧", "🇯🇵", "🏳️‍🌈"]
TEXT = ["©", "®", "❤︎", "☺︎", "❤", "☺", "⌚︎"]


@pytest.mark.parametrize("emoji", COLOUR)
def test_emoji_presentation_is_drawn_in_colour(emoji):
    runs = split_runs(f"a {emoji} b", "Inter")

    assert [run.text for run in runs if run.face is None] == [emoji]
    assert paint.emoji_tile(emoji, 32) is not None


@pytest.mark.parametrize("symbol", TEXT)
def test_text_presentation_is_a_monochrome_glyph(symbol):
    runs = split_runs(f"a {symbol} b", "Inter")

    assert all(run.face is not None for run in runs)
    assert all(0 not in glyph_ids(run) for run in runs)


def test_an_emoji_sequence_the_font_lacks_shows_its_first_emoji():
    flamingo_with_pizza = "🦩\u200d🍕"  # not a sequence Unicode defines

    assert [run.face for run in split_runs(flamingo_with_pizza, "Inter")] == [None]
    assert shaping.emoji_glyph(flamingo_with_pizza) == shaping.emoji_glyph("🦩")


@pytest.mark.parametrize("text", ["Z̷̢͉a̵̰l̶̝g̸̣o̴͚ ̬t̵e̢x͉t", "e\u0346\u0347\u0348\u1ab0\u1dfa", "ব\u0301\u0302"])
def test_stacked_combining_marks_never_become_boxes(text):
    for run in text_runs(text):
        assert 0 not in glyph_ids(run), f"{run.text!r} in {file_name(run)}"


@pytest.mark.parametrize(
    ("name", "initial"),
    [("אורי", "א"), ("সুমন", "সু"), ("山田", "山"), (" \u200eΩmega", "Ω"), ("ωmega", "Ω"), ("ßen", "ß")],
)
def test_an_avatar_initial_is_drawn_in_a_font_that_has_it(name, initial):
    assert initials(name) == initial
    for run in text_runs(initial, weight=paint.AVATAR_WEIGHT):
        assert 0 not in glyph_ids(run, weight=paint.AVATAR_WEIGHT)
    assert paint.initial_image(initial, "Inter", 40) is not None


def test_an_emoji_first_name_gets_a_colour_initial():
    initial = initials("😀 Joy")
    image = paint.initial_image(initial, "Inter", 40)

    assert initial == "😀"
    assert image is not None
    red, green, blue, _ = ImageStat.Stat(image).mean
    assert max(red, green, blue) - min(red, green, blue) > 40, "a colour tile, not white text"


def test_a_line_measures_as_wide_as_its_runs_are_drawn():
    text = "Hi שלום, 東京タワー ∑ 😀 ሰላም"
    runs = split_runs(text, "Inter", 400)

    assert measure(text, "Inter", 24, 400) > sum(
        shaping.shape(run.text, run.face, 24).width for run in runs if run.face
    )


def test_the_committed_index_matches_the_font_files():
    on_disk = {name: path.stat().st_size for name, path in fonts.font_files().items()}

    assert {name: entry["bytes"] for name, entry in fonts.index().items()} == on_disk
    for name in ("NotoSansBengali-Regular.ttf", "NotoColorEmoji.ttf", fonts.style_face("Inter").path):
        path = fonts.font_files()[Path(name).name]
        assert fonts.index()[path.name]["ranges"] == build_index.ranges(build_index.character_map(path))


def test_the_index_finds_each_family_where_fontpkg_has_it():
    import fontpkg

    for family in fonts.style_families():
        assert fonts.style_face(family).path == str(fontpkg.path(family, weight=400))


def test_nothing_is_read_from_the_system_font_folder():
    paths = [face.path for face in (*fonts.fallback_faces(True, "ja"), *fonts.fallback_faces(False, "ko"))]

    assert not any(path.startswith("/usr/share/fonts") for path in paths)
    assert all(Path(path).exists() for path in paths)


def test_every_line_of_a_japanese_paragraph_is_drawn_in_japanese():
    from rendering.engine.text.breaking import wrap

    paragraph = "今日は雨でした。" + "東京都中央区銀座駅前通商店街組合事務所" * 3
    lines = wrap(paragraph, 200, lambda text: 20.0 * len(text))

    assert len(lines) > 2
    assert han_language(lines[-1].text) != "ja", "the last line alone has no kana"
    assert {line.language for line in lines} == {"ja"}
