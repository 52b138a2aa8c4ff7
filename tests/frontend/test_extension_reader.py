"""The shared thread reader (frontend/extension/src/selectors.js + reader.js)
on each fixture page in tests/frontend/fixtures/x/, in Chromium, under the
x.com address the page stands for: the exact import JSON it gives, or the
message it gives the user. Nothing leaves the machine: x.com is answered
from the fixture and X's picture hosts with nothing."""

from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, Route

from frontend.extension.build import bookmarklet, reader_source

FIXTURES = Path(__file__).parent / "fixtures" / "x"
LENA = "https://x.com/lenamarsh_dev/status/18650000000000001"
MEDIA = "https://pbs.twimg.com/media/"

LENA_THREAD = {
    "source_url": f"{LENA}01",
    "author": {
        "name": "Lena Marsh",
        "handle": "lenamarsh_dev",
        "avatar_url": "https://pbs.twimg.com/profile_images/1700000000000000001/Lm3xQpRt_400x400.jpg",
    },
    "posts": [
        {
            "id": "1865000000000000101",
            "text": "I spent the winter writing a tiny ray tracer to finally make sense of linear algebra 🚀"
            "\n\nWhat clicked, in five posts 🧵",
            "images": [{"url": f"{MEDIA}GfRay01AbCd?format=jpg&name=orig", "alt": ""}],
        },
        {
            "id": "1865000000000000102",
            "text": "Vectors stopped feeling like arrows once the same three numbers held a colour, "
            "a position and a direction in one loop.\nThe book that got me going: "
            "https://example.org/books/mathematics-for-graphics",
            "images": [
                {
                    "url": f"{MEDIA}GfRay02EfGh?format=jpg&name=orig",
                    "alt": "A grey sphere lit from the upper left",
                },
                {"url": f"{MEDIA}GfRay03IjKl?format=png&name=orig", "alt": ""},
            ],
        },
        {
            "id": "1865000000000000103",
            "text": "Dot products are the whole lighting model: brightness is the cosine between the surface "
            "normal and the light ✨ Thanks @pixel_prof for the nudge. #raytracing",
            "images": [],
        },
        {
            "id": "1865000000000000104",
            "text": "Matrices are moves. Rotate, scale, shear: each one is a 3×3 grid, and doing two "
            "moves in a row is multiplying them.\nOrder matters ❤️",
            "images": [
                {
                    "url": f"{MEDIA}GfRay04MnOp?format=jpg&name=orig",
                    "alt": "Two teapots: one rotated then scaled, one scaled then rotated",
                }
            ],
        },
        {
            "id": "1865000000000000105",
            "text": "Code and notes: https://github.com/lenamarsh/tinyray\nThanks for reading 🧑‍💻",
            "images": [],
        },
    ],
}

TOMAS_THREAD = {
    "source_url": "https://x.com/tomas_bakes/status/1866000000000000201",
    "author": {
        "name": "Tomás Reyes 🥖",
        "handle": "tomas_bakes",
        "avatar_url": "https://pbs.twimg.com/profile_images/1700000000000000002/TrB4k9Zq_400x400.jpg",
    },
    "posts": [
        {
            "id": "1866000000000000201",
            "text": "Day 40 of feeding my starter. Today it finally doubled in four hours 🔥"
            "\nNotes on what changed below.",
            "images": [
                {
                    "url": f"{MEDIA}GfBread1QrSt?format=jpg&name=orig",
                    "alt": "A jar of bubbly starter on a kitchen scale",
                }
            ],
        },
        {
            "id": "1866000000000000202",
            "text": "1. Warmer spot: 26 °C on top of the fridge instead of the counter."
            "\n2. Rye flour for the first two feeds.",
            "images": [],
        },
        {
            "id": "1866000000000000203",
            "text": "3. Patience. The loaf from this morning, crumb shot included #sourdough",
            "images": [
                {"url": f"{MEDIA}GfBread2UvWx?format=jpg&name=orig", "alt": ""},
                {"url": f"{MEDIA}GfBread3YzAb?format=jpg&name=orig", "alt": "Open crumb of a sliced loaf"},
            ],
        },
    ],
}

PRIYA_THREAD = {
    "source_url": "https://x.com/priya_maps/status/1867000000000000301",
    "author": {
        "name": "Priya Nair",
        "handle": "priya_maps",
        "avatar_url": "https://pbs.twimg.com/profile_images/1700000000000000005/PnM1aP5x_400x400.jpg",
    },
    "posts": [
        {
            "id": "1867000000000000301",
            "text": "This chart is older than the telephone and still beats most dashboards I review. "
            "Why, in two posts 👇",
            "images": [],
        },
        {
            "id": "1867000000000000302",
            "text": "It shows one thing, big, and labels it where it sits. No legend hunt, no colour key.",
            "images": [
                {
                    "url": f"{MEDIA}GfMap02GhIj?format=jpg&name=orig",
                    "alt": "The same map redrawn with direct labels",
                }
            ],
        },
    ],
}

NO_POST = "This page shows no post: open a post on x.com and try again."
LOGIN_WALL = (
    "X is showing its log-in page instead of the post: log in on x.com, open the post again and retry."
)
NOT_LOADED = "The post in the address bar is not on the page yet: wait until it shows, then try again."

READ = """() => {
  try {
    return {thread: ThreadNavigatorReader.readThread(document, location)};
  } catch (error) {
    return {error: error.message, name: error.name};
  }
}"""


def read(page: Page, fixture: str, address: str) -> dict:
    """Open `address` answered with the fixture page, run the reader there."""

    def answer(route: Route) -> None:
        route.fulfill(path=FIXTURES / fixture, content_type="text/html; charset=utf-8")

    page.route("https://*.twimg.com/**", lambda route: route.fulfill(status=404))
    page.route(address, answer)
    page.goto(address)
    page.add_script_tag(content=reader_source())
    return page.evaluate(READ)


def test_a_thread_opened_at_its_first_post(page: Page):
    assert read(page, "thread_first_post.html", f"{LENA}01") == {"thread": LENA_THREAD}


def test_the_same_thread_opened_at_its_third_post_reads_from_the_first(page: Page):
    assert read(page, "thread_third_post.html", f"{LENA}03") == {"thread": LENA_THREAD}


def test_twitter_com_addresses_give_x_com_source_urls(page: Page):
    address = "https://twitter.com/lenamarsh_dev/status/1865000000000000101"
    assert read(page, "thread_first_post.html", address) == {"thread": LENA_THREAD}


def test_the_thread_stops_at_the_first_other_author(page: Page):
    assert read(page, "thread_then_replies.html", "https://x.com/tomas_bakes/status/1866000000000000201") == {
        "thread": TOMAS_THREAD
    }


def test_posts_shown_cut_short_are_named(page: Page):
    read(page, "thread_then_replies.html", "https://x.com/tomas_bakes/status/1866000000000000201")
    cut = (
        "() => ThreadNavigatorReader.cutShort(document, ThreadNavigatorReader.readThread(document, location))"
    )
    assert page.evaluate(cut) == ["1866000000000000202"]


def test_on_a_page_that_keeps_only_the_posts_near_the_screen(page: Page):
    """Like X, the page holds only the posts near the screen: the reader
    reads what is there, says the thread may go on, and once scrolled reads
    on from a post it has already seen (the extension's content script
    scrolls and joins the parts)."""
    ines = "https://x.com/ines_plots/status/18680000000000004"
    page.set_viewport_size({"width": 1280, "height": 720})
    first = read(page, "long_thread_virtual.html", f"{ines}01")["thread"]
    assert [post["id"] for post in first["posts"]] == [f"18680000000000004{n:02}" for n in (1, 2, 3)]
    assert first["posts"][1]["images"] == [
        {"url": f"{MEDIA}GfPlot2Xy?format=jpg&name=orig", "alt": "Chart for habit 2"}
    ]
    assert page.evaluate("() => ThreadNavigatorReader.edges(document, location)") == {
        "top": True,
        "bottom": True,
    }

    scroll_to(page, 1260, shows="1868000000000000406")
    assert page.evaluate(READ) == {"error": NOT_LOADED, "name": "ReadError"}
    seen = [post["id"] for post in first["posts"]]
    later = page.evaluate("(seen) => ThreadNavigatorReader.readThread(document, location, {seen})", seen)
    assert [post["id"] for post in later["posts"]] == [f"18680000000000004{n:02}" for n in (3, 4, 5, 6)]
    assert later["source_url"] == f"{ines}03"

    scroll_to(page, 10_000, shows="1868000000000000450")
    seen = ["1868000000000000406", "1868000000000000407"]
    last = page.evaluate("(seen) => ThreadNavigatorReader.readThread(document, location, {seen})", seen)
    assert [post["id"] for post in last["posts"]] == ["1868000000000000407", "1868000000000000408"]
    edges = "(seen) => ThreadNavigatorReader.edges(document, location, {seen})"
    assert page.evaluate(edges, seen) == {"top": True, "bottom": False}


def scroll_to(page: Page, y: int, *, shows: str) -> None:
    """Scroll, and wait for the page to draw the post `shows` there."""
    page.evaluate("(y) => window.scrollTo(0, y)", y)
    page.wait_for_selector(f'article a[href$="/status/{shows}"] time', state="attached")


def test_a_quoted_post_is_not_the_authors(page: Page):
    assert read(page, "quoted_post.html", "https://x.com/priya_maps/status/1867000000000000301") == {
        "thread": PRIYA_THREAD
    }


def test_a_reply_by_someone_else_is_a_thread_of_one(page: Page):
    result = read(page, "thread_then_replies.html", "https://x.com/crumbqueen/status/1866000000000000250")
    assert result == {
        "thread": {
            "source_url": "https://x.com/crumbqueen/status/1866000000000000250",
            "author": {
                "name": "Crumb Queen",
                "handle": "crumbqueen",
                "avatar_url": "https://pbs.twimg.com/profile_images/1700000000000000003/Cq7pLm2N_400x400.jpg",
            },
            "posts": [
                {
                    "id": "1866000000000000250",
                    "text": "Gorgeous crumb! What hydration are you at?",
                    "images": [],
                }
            ],
        }
    }


@pytest.mark.parametrize(
    ("fixture", "address", "message"),
    [
        ("login_wall.html", f"{LENA}01", LOGIN_WALL),
        ("no_post.html", f"{LENA}99", NO_POST),
        ("thread_first_post.html", "https://x.com/home", NO_POST),
        ("thread_first_post.html", "https://x.com/lenamarsh_dev", NO_POST),
        ("thread_first_post.html", f"{LENA}77", NOT_LOADED),
        ("thread_first_post.html", "https://example.org/lenamarsh_dev/status/1865000000000000101", NO_POST),
    ],
)
def test_a_page_that_cannot_be_read_says_what_to_do(page: Page, fixture: str, address: str, message: str):
    assert read(page, fixture, address) == {"error": message, "name": "ReadError"}


def test_the_bookmarklet_is_one_function_of_the_same_reader(page: Page):
    """build.bookmarklet wraps the reader and bookmarklet.js in one function
    (nothing left on x.com's page) that parses as JavaScript."""
    url = bookmarklet(site_url="http://127.0.0.1:8000/")
    script = unquote(url.removeprefix("javascript:"))
    assert url.startswith("javascript:(function")
    assert script.endswith("})();void 0;")
    assert "var ThreadNavigatorReader" in script
    assert "readThread" in script
    assert '"http://127.0.0.1:8000"' in script
    assert "__THREAD_NAVIGATOR_SITE__" not in script
    assert page.evaluate("(script) => { new Function(script); return true; }", script)
