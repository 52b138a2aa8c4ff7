import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threads.importers import repair_mojibake

GREEK_DAMAGE = {"•": "β€’", "👋": "πŸ‘‹", "°": "Β°", "—": "β€”", "→": "β†’", "😀": "πŸ˜€"}


@pytest.mark.parametrize(("meant", "damaged"), GREEK_DAMAGE.items())
def test_utf8_read_as_greek_is_repaired(meant, damaged):
    assert repair_mojibake(f"a {damaged} b") == f"a {meant} b"


@pytest.mark.parametrize(
    ("damaged", "meant"),
    [("cafÃ©", "café"), ("â€œquotedâ€\x9d", "“quoted”"), ("вЂ” dash", "— dash"), ("It’s fine", "It’s fine")],
)
def test_other_code_pages_are_repaired(damaged, meant):
    assert repair_mojibake(damaged) == meant


@pytest.mark.parametrize(
    "text",
    [
        "Καλημέρα κόσμε, τι κάνεις;",
        "ΑΥΤΌ ΤΌ ΚΕΊΜΕΝΟ",
        "Привет, как дела? «Война и мир» — роман.",
        "Zażółć gęślą jaźń",
        "Її вії та брови",
        "× € ÷ ×€ œâ",
        "İstanbul'da güzel bir gün",
        "Grüße, déjà vu, naïve café",
        "你好，世界 👋🏽 👨\u200d👩\u200d👧 🇬🇷 ❤️",
        "שלום עולם",
        "مرحبا بالعالم",
        "∑ x² ≤ ∞ ± 1 × 2 ÷ 3 → ←",
        "“curly” ‘quotes’ – en — em … • bullets",
    ],
)
def test_correct_text_is_never_changed(text):
    assert repair_mojibake(text) == text


def words(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=2, max_size=12)


GREEK = "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
LATIN = "abcdefghijklmnopqrstuvwxyzàáâäçèéêëìíîïñòóôöùúûüßøåæœ"
CJK = "東京大阪天然酵母面包需要耐心你好世界"
EMOJI = "👋😀🍞🚀✨😊❤🎉🇬🇷"
PUNCT = " ,.;:!?—–…•“”‘’«»()-"


def sentence(alphabet: str) -> st.SearchStrategy[str]:
    word = words(alphabet)
    capitalised = word.map(str.capitalize)
    return st.lists(
        st.one_of(word, capitalised, st.sampled_from(list(PUNCT + EMOJI))), min_size=1, max_size=20
    ).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(sentence(GREEK), sentence(CYRILLIC), sentence(LATIN), sentence(CJK), sentence(GREEK + LATIN))
)
def test_real_looking_text_in_any_script_passes_unchanged(text):
    assert repair_mojibake(text) == text


SYMBOLS = "•…–—“”‘’°©®™€£×÷→←↑↓★☆✓✔✗♥" + EMOJI + "éèàçüöäñ"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*SYMBOLS, "word", "Salt", "42", " "]), min_size=1, max_size=12).map("".join))
def test_symbols_damaged_by_cp1252_or_cp1253_come_back(text):
    for code_page in ("cp1252", "cp1253"):
        try:
            damaged = text.encode("utf-8").decode(code_page)
        except UnicodeDecodeError:
            continue  # the code page has no character for some byte: not a paste that can happen
        assert repair_mojibake(damaged) == text
