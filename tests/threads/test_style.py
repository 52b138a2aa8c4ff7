import copy
import math

import pytest
from hypothesis import given, settings

from config.errors import Invalid
from tests.strategies import json_like
from threads.style import (
    FONTS,
    default_style,
    style_check_plan,
    style_validate,
)


def with_value(path: str, value):
    """A one-setting document: with_value("card.radius", 3) -> {"card": {"radius": 3}}."""
    document: dict = {}
    node = document
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return document


def refusal(document) -> Invalid:
    with pytest.raises(Invalid) as error:
        style_validate(document)
    return error.value


def test_empty_document_gives_the_seed_editor_defaults():
    style = style_validate({})

    assert style == default_style()
    assert style["canvas"]["background"]["type"] == "linear"
    assert style["canvas"]["background"]["angle"] == 135
    assert (style["card"]["radius"], style["card"]["padding"], style["text"]["size"]) == (40, 16, 16)


def test_partial_document_keeps_given_values_and_fills_the_rest():
    style = style_validate({"card": {"radius": 8}, "text": {"font": "Lora"}})

    assert style["card"] == {**default_style()["card"], "radius": 8}
    assert style["text"]["font"] == "Lora"
    assert style["text"]["size"] == 16


def test_defaults_cannot_be_changed_through_a_result():
    style_validate({})["card"]["radius"] = 1

    assert style_validate({})["card"]["radius"] == 40


BOUNDS = [
    ("canvas.padding", 0, 200),
    ("card.radius", 0, 200),
    ("card.padding", 0, 160),
    ("card.opacity", 0.0, 1.0),
    ("text.size", 8.0, 64.0),
    ("text.line_height", 1.0, 3.0),
]


@pytest.mark.parametrize(("path", "low", "high"), BOUNDS)
def test_numbers_inside_their_bounds_pass(path, low, high):
    for value in (low, high):
        style = style_validate(with_value(path, value))
        section, key = path.split(".")
        assert style[section][key] == value


@pytest.mark.parametrize(("path", "low", "high"), BOUNDS)
def test_numbers_outside_their_bounds_are_refused_naming_the_field(path, low, high):
    step = 1 if isinstance(low, int) else 0.01
    for value in (low - step, high + step):
        error = refusal(with_value(path, value))
        assert error.field == f"style.{path}"
        assert f"style.{path}" in error.message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("card.radius", True),
        ("card.radius", 12.5),
        ("card.radius", "12"),
        ("card.shadow", 1),
        ("card.opacity", float("nan")),
        ("text.size", float("inf")),
        ("text.size", None),
        ("header.avatar", "yes"),
        ("footer.watermark", 0),
        ("canvas.size", "huge"),
        ("canvas.size", {"width": 1080}),
        ("canvas.size", {"width": 319, "height": 1000}),
        ("canvas.size", {"width": 1080, "height": 4097}),
        ("canvas.size", {"width": 1080, "height": 1080, "depth": 3}),
        ("text.font", "Comic Sans"),
        ("text.font", "inter"),
        ("text.color", "red"),
        ("text.color", "#12345"),
        ("card.background", "#gggggg"),
    ],
)
def test_wrong_values_are_refused_naming_the_field(path, value):
    error = refusal(with_value(path, value))

    assert error.field.startswith(f"style.{path}")


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"glow": True}, "style.glow"),
        ({"card": {"glow": True}}, "style.card.glow"),
        (
            {"canvas": {"background": {"type": "solid", "color": "#fff", "angle": 3}}},
            "style.canvas.background.angle",
        ),
        ({"canvas": {"background": {"type": "radial"}}}, "style.canvas.background.type"),
        ({"canvas": {"background": {"type": "solid"}}}, "style.canvas.background.color"),
        ({"version": 2}, "style.version"),
        ({"version": True}, "style.version"),
        ({"card": []}, "style.card"),
    ],
)
def test_unknown_or_malformed_keys_are_refused(document, field):
    assert refusal(document).field == field


def test_non_objects_are_refused():
    for document in (None, [], "style", 3):
        assert refusal(document).field == "style"


def test_colours_are_normalised():
    style = style_validate({"text": {"color": "#ABC"}, "card": {"background": "#FFFFFF80"}})

    assert style["text"]["color"] == "#aabbcc"
    assert style["card"]["background"] == "#ffffff80"


def test_a_solid_background_replaces_the_gradient_whole():
    style = style_validate({"canvas": {"background": {"type": "solid", "color": "#112233"}}})

    assert style["canvas"]["background"] == {"type": "solid", "color": "#112233"}
    assert style["canvas"]["padding"] == 48


def test_gradient_stops():
    stops = [["#000", 0], ["#f00", 0.5], ["#00f", 1]]
    style = style_validate({"canvas": {"background": {"type": "linear", "angle": 0, "stops": stops}}})
    assert style["canvas"]["background"]["stops"] == [["#000000", 0.0], ["#ff0000", 0.5], ["#0000ff", 1.0]]

    backwards = [["#000", 0.6], ["#fff", 0.4]]
    error = refusal({"canvas": {"background": {"type": "linear", "stops": backwards}}})
    assert error.field == "style.canvas.background.stops[1][1]"

    assert refusal({"canvas": {"background": {"type": "linear", "stops": [["#000", 0]]}}}).field == (
        "style.canvas.background.stops"
    )
    bad_colour = [["#000", 0], ["nope", 1]]
    assert refusal({"canvas": {"background": {"type": "linear", "stops": bad_colour}}}).field == (
        "style.canvas.background.stops[1][0]"
    )
    assert refusal({"canvas": {"background": {"type": "linear", "angle": 361}}}).field == (
        "style.canvas.background.angle"
    )


def test_every_font_is_accepted():
    for font in FONTS:
        assert style_validate({"text": {"font": font}})["text"]["font"] == font


def test_named_and_custom_sizes():
    assert style_validate({"canvas": {"size": "story"}})["canvas"]["size"] == "story"
    custom = {"width": 1600, "height": 900}
    assert style_validate({"canvas": {"size": custom}})["canvas"]["size"] == custom


def test_plan_rules_on_the_watermark():
    clean = style_validate({"footer": {"watermark": False}})

    with pytest.raises(Invalid) as error:
        style_check_plan(clean, watermark_forced=True)
    assert error.value.field == "style.footer.watermark"
    style_check_plan(clean, watermark_forced=False)


STYLE_KEYS = [
    "version",
    "canvas",
    "card",
    "text",
    "header",
    "footer",
    "size",
    "background",
    "type",
    "color",
    "angle",
    "stops",
    "padding",
    "radius",
    "opacity",
    "shadow",
    "font",
    "line_height",
    "avatar",
    "name",
    "handle",
    "slide_numbers",
    "watermark",
    "width",
    "height",
]
STYLE_VALUES = ("#fff", "#123456", "Inter", "solid", "linear", "auto", "portrait", 0.5, 16, 135)


@settings(max_examples=400, deadline=None)
@given(json_like(STYLE_KEYS, values=STYLE_VALUES, max_leaves=20))
def test_any_input_validates_to_a_fixed_point_or_is_refused(document):
    try:
        style = style_validate(copy.deepcopy(document))
    except Invalid as error:
        assert error.field.startswith("style")
        return
    assert style_validate(style) == style
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in style["card"].values())
