"""Framed cards: a card per post in a fixed frame (square, portrait, …),
composed as a carousel's post slide is: the text as large as the style
allows and shrunk to fit (`compose`), pictures shrunk to stay with it, the
post going on over the next frame, numbered "1/2", "2/2" in the footer,
when even its smallest size does not fit one. Never clipped."""

from collections import Counter
from dataclasses import replace

from rendering.engine.layout.blocks import shown_posts
from rendering.engine.layout.carousel import post_room, post_slide
from rendering.engine.layout.compose import Slide, compose
from rendering.engine.layout.model import Metrics, Page, ThreadInfo
from rendering.engine.layout.pieces import with_author


def lay_out_frames(thread: ThreadInfo, metrics: Metrics) -> list[Page]:
    """A frame per post, or more for a post too long for one. Posts are
    never packed together: a card shows one post."""
    thread, metrics = as_cards(thread), replace(metrics, pack=False)
    room = post_room(thread, metrics)
    slides = compose(thread, shown_posts(thread), metrics, room)
    frames = Counter(slide.parts[0].post for slide in slides)
    return [frame_page(thread, slide, metrics, room, frames[slide.parts[0].post]) for slide in slides]


def as_cards(thread: ThreadInfo) -> ThreadInfo:
    """The thread without Carousel Studio's slide controls: cards take none."""
    posts = tuple(replace(post, breaks=(), keep=False) for post in thread.posts)
    return replace(thread, posts=posts, edits=())


def frame_page(thread: ThreadInfo, slide: Slide, metrics: Metrics, room: float, frames: int) -> Page:
    """The post's `slide.parts[0].number`th frame of `frames`: a post slide
    whose alt text names the author, as an auto card's does."""
    part = slide.parts[0].number
    number = f"{part}/{frames}" if frames > 1 else ""
    page = post_slide(thread, slide, metrics, room, number)
    return replace(
        page, alt=with_author(thread, page.alt), role="", part=part if frames > 1 else 0, starts=()
    )
