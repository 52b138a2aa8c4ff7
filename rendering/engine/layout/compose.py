"""Composing a carousel: which part of which post each slide shows, and at
what text size. Pure: widths come from the metrics' measures.

A post is cut into slides at its paragraphs first. A paragraph too long for
the room left is cut after a sentence (ICU's UAX #29 boundaries, never a
guess at full stops), and only a sentence too long for a slide is cut
between lines, that is between words. A cut paragraph keeps two lines at
least on each side, so no slide starts with a paragraph's last line alone
(a widow) or ends with its first (an orphan). A post's pictures stay with
the text before them: when they do not fit after it, the last paragraph
(or its last lines) goes along with them to the next slide.

With `text.fit: slide` each post takes the largest size at which it needs
no more slides than at the smallest size, and each of its slides then
grows as far as its own text allows (a little, on a long post's later
slides, so the post reads as one). With `carousel.pack` consecutive posts
that each fit a slide share slides while they fit together."""

import copy
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rendering.engine.layout.blocks import images_height, paragraphs
from rendering.engine.layout.model import (
    MIN_COLUMN_EM,
    MIN_SLIDE_LINES,
    Metrics,
    PostInfo,
    SlideEdit,
    ThreadInfo,
    Unrenderable,
)
from rendering.engine.text.breaking import BreakPoints, Line, break_points, line_spans, sentence_breaks, wrap

# A paragraph cut across slides keeps this many lines on each side.
MIN_SPLIT_LINES = 2
# Pictures shrink to this share of their height to stay on their slide.
MIN_IMAGE_SHARE = 0.45
# A long post's later slides grow at most this much over its first.
GROWTH = 1.25
# A post kept together may shrink its text to this share of the smallest size.
KEEP_SHARE = 0.75
# The paragraph gap, in lines.
PARAGRAPH_GAP = 0.55


@dataclass(frozen=True)
class Part:
    """What a slide shows of one post: paragraphs (whole or cut), and the
    post's pictures when they are on this slide."""

    post: int
    paragraphs: tuple[str, ...]
    images: bool = False
    start: int = -1  # the post's paragraph (from 0) it begins in; -1: words of its own
    continued: bool = False  # it begins inside that paragraph
    number: int = 1  # which of its post's slides it is (from 1)

    @property
    def starts(self) -> tuple[int, ...]:
        """The post's paragraphs that begin on this part."""
        if self.start < 0:
            return ()
        first = self.start + 1 if self.continued else self.start
        return tuple(range(first, self.start + len(self.paragraphs)))


@dataclass(frozen=True)
class Slide:
    parts: tuple[Part, ...]
    size: int  # the body text's pixel size
    whole: bool = False  # every post it shows is all on it (it may take more)


class Setting:
    """The body text at one size: where each paragraph's lines break
    (found once a size, from break points found once a text) and the
    heights of paragraphs and slides."""

    def __init__(
        self,
        size: int,
        metrics: Metrics,
        room: float,
        pictures: dict[int, float],
        points: dict[str, BreakPoints] | None = None,
    ) -> None:
        self.size = size
        self.measure = (
            metrics.measure["body"] if size == metrics.body_size else metrics.measure_at("body", size)
        )
        self.line_height = metrics.line_height_at(size)
        self.gap = round(self.line_height * PARAGRAPH_GAP)
        self.rule = metrics.gap * 2
        self.column = metrics.column
        self.room = room
        self.pictures = pictures  # each post's pictures' height, at most the room
        self.points = {} if points is None else points  # shared by every size
        self.cut: dict[str, list[tuple[int, int]]] = {}

    def with_room(self, room: float) -> "Setting":
        """The same text in less room (its line breaks shared)."""
        narrower = copy.copy(self)
        narrower.room = room
        return narrower

    def spans(self, paragraph: str) -> list[tuple[int, int]]:
        """Each line's start and end in `paragraph` (its line breaks kept)."""
        if paragraph not in self.cut:
            found: list[tuple[int, int]] = []
            offset = 0
            for raw in paragraph.split("\n"):
                found += [
                    (offset + start, offset + end)
                    for start, end, _ in line_spans(raw, self.column, self.measure, self.break_points(raw))
                ]
                offset += len(raw) + 1
            self.cut[paragraph] = found
        return self.cut[paragraph]

    def count(self, paragraph: str) -> int:
        return len(self.spans(paragraph))

    def lines(self, paragraph: str) -> list[Line]:
        """The paragraph's lines, to draw."""
        return [
            line
            for raw in paragraph.split("\n")
            for line in wrap(raw, self.column, self.measure, self.break_points(raw))
        ]

    def break_points(self, raw: str) -> BreakPoints:
        if raw not in self.points:
            self.points[raw] = break_points(raw)
        return self.points[raw]

    def text_height(self, texts: Sequence[str]) -> float:
        if not texts:
            return 0.0
        return sum(self.count(text) for text in texts) * self.line_height + self.gap * (len(texts) - 1)

    def picture_share(self, parts: Sequence[Part]) -> float | None:
        """How much of their height the slide's pictures keep (1: all of
        it), or None when `parts` do not fit one slide."""
        text = sum(self.text_height(part.paragraphs) for part in parts) + self.rule * (len(parts) - 1)
        pictures = sum(self.pictures[part.post] for part in parts if part.images)
        if text + pictures <= self.room:
            return 1.0
        if pictures and self.room - text >= pictures * MIN_IMAGE_SHARE:
            return (self.room - text) / pictures
        return None

    def fits(self, parts: Sequence[Part]) -> bool:
        return self.picture_share(parts) is not None


def compose(thread: ThreadInfo, shown: Sequence[int], metrics: Metrics, room: float) -> list[Slide]:
    """The post slides of `shown` posts, in order."""
    pictures = {
        index: min(images_height(thread.posts[index].images, metrics.column, metrics), room)
        for index in shown
        if thread.posts[index].images
    }
    points: dict[str, BreakPoints] = {}
    settings = [Setting(size, metrics, room, pictures, points) for size in body_sizes(metrics, room)]
    slides: list[Slide] = []
    for index in shown:
        post = thread.posts[index]
        parts, chosen = post_parts(index, post, settings)
        kept = kept_together(index, post, metrics, settings[0]) if post.keep and len(parts) > 1 else None
        if kept is not None:
            parts = list(kept.parts)
        edits = {edit.slide: edit for edit in thread.edits if edit.post == index}
        if edits:
            parts = edited(index, post, parts, edits, settings[chosen])
        if not parts:
            continue
        if kept is not None and parts == list(kept.parts):
            slides.append(kept)
            continue
        if metrics.pack and len(parts) == 1 and slides and slides[-1].whole:
            together = (*slides[-1].parts, parts[0])
            if settings[0].fits(together):
                slides[-1] = Slide(together, largest_fitting(together, settings, 0), whole=True)
                continue
        slides += [
            Slide((part,), grown(part, settings, chosen, len(parts) > 1), whole=len(parts) == 1)
            for part in parts
        ]
        if metrics.max_pages is not None and len(slides) > metrics.max_pages:
            raise too_many_pages(metrics.max_pages)  # stop early: a huge thread costs the limit's time
    return slides


def too_many_pages(limit: int) -> Unrenderable:
    return Unrenderable(f"would make more than {limit} pages here, the most one render makes.", field="kind")


def body_sizes(metrics: Metrics, room: float) -> list[int]:
    """The sizes a slide's text may take, smallest first: those of the fit
    range that leave a column of MIN_COLUMN_EM and two lines under the
    header (the smallest always: the style validator saw to it), else
    the body size alone."""
    sizes = [
        size
        for size in metrics.fit_sizes
        if size == metrics.fit_sizes[0]
        or (MIN_SLIDE_LINES * metrics.line_height_at(size) <= room and metrics.column >= MIN_COLUMN_EM * size)
    ]
    return sizes or [round(metrics.body_size)]


def post_parts(index: int, post: PostInfo, settings: list[Setting]) -> tuple[list[Part], int]:
    """The post cut for its slides and the position in `settings` of the
    size it was cut at: the largest that needs no more slides than the
    smallest. A post cut at a fitted size is cut evenly (`balanced`), as
    each of its slides then grows to fill itself."""
    cuts = {0: split_post(index, post, settings[0])}
    low, high = 0, len(settings) - 1
    while low < high:  # slides needed never fall as the size grows
        middle = (low + high + 1) // 2
        cuts[middle] = split_post(index, post, settings[middle])
        if len(cuts[middle]) <= len(cuts[0]):
            low = middle
        else:
            high = middle - 1
    if len(settings) > 1 and len(cuts[low]) > 1:
        return balanced(index, post, settings[low], len(cuts[low])), low
    return cuts[low], low


def balanced(index: int, post: PostInfo, setting: Setting, count: int) -> list[Part]:
    """The post cut into `count` slides as even as its text allows: cut
    in the smallest room that still needs no more slides (to half a line),
    not filling the first slides and leaving the last nearly empty."""
    low, high = setting.room / count, setting.room
    best = split_post(index, post, setting)
    while high - low > setting.line_height / 2:
        middle = (low + high) / 2
        parts = split_post(index, post, setting.with_room(middle))
        if len(parts) <= count:
            best, high = parts, middle
        else:
            low = middle
    return best


def edited(
    index: int, post: PostInfo, parts: list[Part], edits: dict[int, SlideEdit], setting: Setting
) -> list[Part]:
    """The post's parts with Carousel Studio's changes: a part's words
    replaced by the user's (over more slides if they need them; the post
    itself is never changed), or the part left out."""
    result: list[Part] = []
    for part in parts:
        edit = edits.get(part.number)
        if edit is not None and edit.hidden:
            continue
        if edit is None or edit.text is None:
            result.append(part)
            continue
        own = PostInfo(edit.text, post.images if part.images else ())
        result += [
            replace(new, start=-1, continued=False, number=part.number)
            for new in split_post(index, own, setting)
        ]
    return result


def kept_together(index: int, post: PostInfo, metrics: Metrics, smallest: Setting) -> Slide | None:
    """A post kept together whole on one slide, its text shrunk below the
    smallest size if it must (down to KEEP_SHARE of it); None when even
    that does not hold it."""
    whole = Part(index, tuple(paragraphs(post.text)), images=bool(post.images))
    size = smallest.size
    while size >= smallest.size * KEEP_SHARE:
        setting = Setting(size, metrics, smallest.room, smallest.pictures, smallest.points)
        if setting.fits([whole]):
            return Slide((replace(whole, start=0),), size, whole=True)
        size -= max(round(metrics.unit), 1)
    return None


def grown(part: Part, settings: list[Setting], chosen: int, later: bool) -> int:
    """The largest size `part` fits at, from its post's own size up (on a
    post of several slides, up to GROWTH times that)."""
    if not later:
        return largest_fitting((part,), settings, chosen)
    ceiling = settings[chosen].size * GROWTH
    allowed = [at for at in range(chosen, len(settings)) if settings[at].size <= ceiling]
    return largest_fitting((part,), settings[: allowed[-1] + 1], chosen)


def largest_fitting(parts: Sequence[Part], settings: list[Setting], smallest: int) -> int:
    """The largest size from `settings[smallest]` up at which `parts` fit
    one slide (a binary search: larger text never takes less room)."""
    low, high = smallest, len(settings) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if settings[middle].fits(parts):
            low = middle
        else:
            high = middle - 1
    return settings[low].size


# --- Cutting a post ---------------------------------------------------------


def split_post(index: int, post: PostInfo, setting: Setting) -> list[Part]:
    """The post's parts, one a slide, at `setting`'s size."""
    cut = Cutter(index)
    queue = deque((at, paragraph, False) for at, paragraph in enumerate(paragraphs(post.text)))
    while queue:
        at, paragraph, continued = queue.popleft()
        if cut.text and at in post.breaks and not continued:
            cut.close()
        if setting.text_height([*cut.text, paragraph]) <= setting.room:
            cut.add(at, paragraph, continued)
            continue
        if cut.text and setting.text_height([paragraph]) <= setting.room:
            cut.close()
            cut.add(at, paragraph, continued)
            continue
        space = setting.room - setting.text_height(cut.text) - (setting.gap if cut.text else 0)
        found = cut_paragraph(paragraph, space, setting, strict=bool(cut.text))
        if found is None and cut.text:
            cut.close()
            queue.appendleft((at, paragraph, continued))
            continue
        head, tail = found or (paragraph, "")
        cut.add(at, head, continued)
        cut.close()
        if tail:
            queue.appendleft((at, tail, True))
    parts = cut.parts
    if post.images:
        parts += with_pictures(cut.current(images=True), setting)
    elif cut.text:
        parts.append(cut.current())
    return [replace(part, number=number) for number, part in enumerate(parts, start=1)]


class Cutter:
    """The parts of a post made so far and the text of the one being
    filled, with where in the post it begins."""

    def __init__(self, post: int) -> None:
        self.post = post
        self.parts: list[Part] = []
        self.text: list[str] = []
        self.start = -1
        self.continued = False

    def add(self, at: int, paragraph: str, continued: bool) -> None:
        if not self.text:
            self.start, self.continued = at, continued
        self.text.append(paragraph)

    def current(self, images: bool = False) -> Part:
        return Part(self.post, tuple(self.text), images, self.start, self.continued)

    def close(self) -> None:
        self.parts.append(self.current())
        self.text = []


def cut_paragraph(paragraph: str, space: float, setting: Setting, *, strict: bool) -> tuple[str, str] | None:
    """`paragraph` cut in two, the first part fitting `space`: after a
    sentence if one ends where the first part fits, else between lines; a
    `strict` cut (the slide has other text) keeps two lines on each side
    or is not made. On an empty slide the rule gives way rather than stop."""
    fits = int(space // setting.line_height)
    for least in (MIN_SPLIT_LINES,) if strict else (MIN_SPLIT_LINES, 1):
        found = sentence_cut(paragraph, fits, setting, least) or line_cut(paragraph, fits, setting, least)
        if found:
            return found
    return None


def sentence_cut(paragraph: str, fits: int, setting: Setting, least: int) -> tuple[str, str] | None:
    """The longest run of whole sentences that fits `fits` lines, with at
    least `least` lines on each side of the cut."""
    found = None
    for end in sentence_breaks(paragraph)[:-1]:
        head, tail = paragraph[:end].rstrip(), paragraph[end:].lstrip()
        if not head or not tail:
            continue
        lines = setting.count(head)
        if lines > fits:
            break
        if lines >= least and setting.count(tail) >= least:
            found = (head, tail)
    return found


def line_cut(paragraph: str, fits: int, setting: Setting, least: int) -> tuple[str, str] | None:
    lines = setting.count(paragraph)
    keep = min(fits, lines - least)
    if keep < max(least, 1):
        return None
    return cut_after(paragraph, setting, keep)


def cut_after(paragraph: str, setting: Setting, count: int) -> tuple[str, str]:
    """`paragraph` cut after its `count`th line."""
    end = setting.spans(paragraph)[count - 1][1]
    return paragraph[:end].rstrip(), paragraph[end:].lstrip()


def with_pictures(last: Part, setting: Setting) -> list[Part]:
    """The post's last slide and its pictures: after the text if they fit
    (shrunk at most to MIN_IMAGE_SHARE), else on the next slide with the
    last paragraph, or the last lines of it, that they illustrate."""
    text = last.paragraphs
    if setting.fits([last]) or not text:
        return [last]
    alone = replace(last, paragraphs=(), images=True, start=-1, continued=False)
    final = len(text) - 1
    moved = replace(
        last, paragraphs=(text[-1],), start=last.start + final, continued=last.continued and not final
    )
    if final and setting.fits([moved]):
        return [replace(last, paragraphs=text[:-1], images=False), moved]
    for head, tail in tail_cuts(text[-1], setting):
        carried = replace(moved, paragraphs=(tail,), continued=True)
        if setting.fits([carried]):
            return [replace(last, paragraphs=(*text[:-1], head), images=False), carried]
    return [replace(last, images=False), alone]


def tail_cuts(paragraph: str, setting: Setting) -> list[tuple[str, str]]:
    """Ways to cut `paragraph`, the longest second part first: after its
    sentences, then between its lines, two lines at least on each side."""
    cuts: list[tuple[str, str]] = []
    for end in sentence_breaks(paragraph)[:-1]:
        head, tail = paragraph[:end].rstrip(), paragraph[end:].lstrip()
        if head and tail and min(setting.count(head), setting.count(tail)) >= MIN_SPLIT_LINES:
            cuts.append((head, tail))
    lines = setting.count(paragraph)
    cuts += [
        cut_after(paragraph, setting, keep) for keep in range(MIN_SPLIT_LINES, lines - MIN_SPLIT_LINES + 1)
    ]
    return cuts
