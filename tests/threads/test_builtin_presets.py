from threads.builtin_presets import BUILTIN_PRESETS
from threads.style import contrast_ratio, style_validate


def test_at_least_eight_presets_with_unique_slugs_and_names():
    assert len(BUILTIN_PRESETS) >= 8
    assert len({p.slug for p in BUILTIN_PRESETS}) == len(BUILTIN_PRESETS)
    assert len({p.name for p in BUILTIN_PRESETS}) == len(BUILTIN_PRESETS)


def test_every_preset_is_a_valid_style():
    for preset in BUILTIN_PRESETS:
        style_validate(preset.style)


def test_text_is_readable_on_every_card():
    for preset in BUILTIN_PRESETS:
        style = style_validate(preset.style)
        ratio = contrast_ratio(style["text"]["color"][:7], style["card"]["background"][:7])
        assert ratio >= 4.5, f"{preset.name}: contrast {ratio:.1f}:1"


def test_presets_differ_from_each_other():
    styles = [style_validate(p.style) for p in BUILTIN_PRESETS]
    assert len({repr(s) for s in styles}) == len(styles)


def test_contrast_ratio_matches_wcag():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert contrast_ratio("#777777", "#777777") == 1.0
