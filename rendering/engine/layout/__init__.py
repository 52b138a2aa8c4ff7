"""Layout: where every line, image, avatar and card goes. Pure: it is given
the measurements (a function from text to width per text role) and returns
frozen boxes; it never draws and knows nothing of Pillow or Django.

    model     inputs, metrics, boxes and pages
    blocks    a post as lines, gaps and a picture grid
    pieces    header, placed blocks, footer
    room      styles that leave no room to draw, refused
    cards     cards and the thread image
    compose   posts cut into slides, sizes fitted, short posts packed
    carousel  cover, post slides, end slide
    frames    cards in a fixed frame, a post over one frame or more"""

from rendering.engine.layout.blocks import drawable, is_blank
from rendering.engine.layout.cards import lay_out_cards, lay_out_thread
from rendering.engine.layout.carousel import lay_out_carousel
from rendering.engine.layout.model import (
    AvatarBox,
    ImageBox,
    ImageInfo,
    LogoBox,
    Metrics,
    Page,
    PostInfo,
    RuleBox,
    SlideEdit,
    TextBox,
    ThreadInfo,
    Unrenderable,
)
from rendering.engine.layout.room import room_problem
from rendering.engine.text.breaking import Line, Measure, wrap

__all__ = [
    "AvatarBox",
    "ImageBox",
    "ImageInfo",
    "Line",
    "LogoBox",
    "Measure",
    "Metrics",
    "Page",
    "PostInfo",
    "RuleBox",
    "SlideEdit",
    "TextBox",
    "ThreadInfo",
    "Unrenderable",
    "drawable",
    "is_blank",
    "lay_out_cards",
    "lay_out_carousel",
    "lay_out_thread",
    "room_problem",
    "wrap",
]
