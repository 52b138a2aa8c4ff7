"""Every style the validator accepts renders inside its frame: over the
whole style space × short and long texts × every kind and canvas size,
every box lies inside its card, the card inside the canvas, and the
footer's watermark and slide number apart in the band under the card.
Real fonts measure; nothing is painted."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from config.errors import Invalid
from rendering.engine.layout import (
    AvatarBox,
    ImageBox,
    ImageInfo,
    Page,
    PostInfo,
    RuleBox,
    TextBox,
    ThreadInfo,
)
from rendering.engine.renderer import RenderInput, lay_out
from rendering.engine.spec import Spec, spec_from_style
from rendering.engine.vocabulary import CANVAS_SIZES, FAMILIES, KINDS
from threads.style import RANGES, style_validate

SLACK = 0.5  # half a pixel of rounding

NAMES = [
    "Ann",
    "Maximiliana Alexandra Konstantinopoulou Van Der Berg",
    "ליאורה בת־שבע כהן־אברהמי מרמת השרון הצפונית",
    "山田太郎",
    "🎉 Party Person",
    "W" * 100,
]
HANDLES = ["a", "a_fairly_long_handle_here_ok", "x" * 30]
TITLES = [
    "Short",
    "How we moved our whole build to a new system in a week and what it taught us about patience",
    "Titlewithoutanyspaces" * 9,
    "כותרת ארוכה מאוד על דברים רבים ושונים שקרו לנו בשנה האחרונה " * 3,
]
POSTS = [
    "Hi",
    "One plain sentence that a reader can follow without trouble.",
    "word " * 120,
    "https://example.com/" + "segment/" * 30,
    "\n\n".join(["A paragraph of a few words."] * 12),
    "טקסט בעברית עם מספר 42 ועוד מילים באנגלית like this one.",
    "中文的句子很长，需要换行。" * 20,
]


def ranged(name: str) -> st.SearchStrategy:
    low, high = RANGES[name]
    if isinstance(low, int):
        return st.integers(low, int(high))
    return st.floats(low, high, allow_nan=False)


canvas_sizes = st.sampled_from(list(CANVAS_SIZES)) | st.fixed_dictionaries(
    {"width": st.integers(320, 4096), "height": st.integers(320, 4096)}
)
styles = st.fixed_dictionaries(
    {
        "canvas": st.fixed_dictionaries({"size": canvas_sizes, "padding": ranged("canvas.padding")}),
        "card": st.fixed_dictionaries(
            {
                "radius": ranged("card.radius"),
                "padding": ranged("card.padding"),
                "shadow": st.booleans(),
                "align": st.sampled_from(["top", "center"]),
            }
        ),
        "text": st.fixed_dictionaries(
            {
                "font": st.sampled_from(FAMILIES),
                "size": ranged("text.size"),
                "line_height": ranged("text.line_height"),
                "fit": st.sampled_from(["off", "slide"]),
                "fit_min": ranged("text.fit_min"),
                "fit_max": ranged("text.fit_max"),
            }
        ),
        "carousel": st.fixed_dictionaries({"pack": st.booleans()}),
        "header": st.fixed_dictionaries(
            {"avatar": st.booleans(), "name": st.booleans(), "handle": st.booleans()}
        ),
        "footer": st.fixed_dictionaries({"slide_numbers": st.booleans(), "watermark": st.booleans()}),
    }
)
images = st.lists(st.builds(ImageInfo, st.integers(0, 4000), st.integers(0, 4000), st.booleans()), max_size=4)
posts = st.lists(
    st.builds(
        PostInfo,
        st.sampled_from(POSTS),
        images.map(tuple),
        st.lists(st.integers(0, 12), max_size=2).map(tuple),
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
)
threads = st.builds(
    ThreadInfo,
    st.sampled_from(TITLES),
    st.sampled_from(NAMES),
    st.sampled_from(HANDLES),
    posts.map(tuple),
    st.sampled_from(["", "Thanks for reading all the way to the end of this one."]),
)


def text_bottom(box: TextBox, spec: Spec) -> float:
    size = box.size or spec.text_role(box.role)[0]
    return box.y + size


def within(extent: tuple[float, float, float, float], frame: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = frame
    return (
        extent[0] >= left - SLACK
        and extent[1] >= top - SLACK
        and extent[2] <= right + SLACK
        and extent[3] <= bottom + SLACK
    )


def extent_of(box: object, spec: Spec) -> tuple[float, float, float, float]:
    if isinstance(box, TextBox):
        left = box.x + (box.width - box.line.width if box.line.rtl else 0)
        return (left, box.y, left + box.line.width, text_bottom(box, spec))
    if isinstance(box, ImageBox):
        return (box.x, box.y, box.x + box.width, box.y + box.height)
    if isinstance(box, AvatarBox):
        return (box.x, box.y, box.x + box.diameter, box.y + box.diameter)
    assert isinstance(box, RuleBox)
    return (box.x, box.y, box.x + box.width, box.y)


def assert_inside(page: Page, spec: Spec) -> None:
    cx, cy, cw, ch = page.card
    card = (cx, cy, cx + cw, cy + ch)
    assert within(card, (0, 0, page.width, page.height)), page.card
    band = (0, cy + ch, page.width, page.height)
    footer = [box for box in page.boxes if isinstance(box, TextBox) and box.role in ("footer", "number")]
    for box in page.boxes:
        assert within(extent_of(box, spec), band if box in footer else card), (box, page.card)
    if len(footer) == 2:
        first, second = sorted(footer, key=lambda box: box.x)
        assert first.x + first.line.width < second.x, footer


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(style=styles, thread=threads, kind=st.sampled_from(KINDS), scale=st.sampled_from([1, 2]))
def test_every_accepted_style_renders_inside_its_frame(style, thread, kind, scale):
    try:
        valid = style_validate(style)
    except Invalid:
        assume(False)
    spec = spec_from_style(valid, kind=kind, scale=scale)

    for page in lay_out(RenderInput(thread), spec, kind):
        assert_inside(page, spec)
