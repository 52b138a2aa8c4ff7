"""User text takes its own direction on every page: each element that
holds a user's words (a post, a title, a name, a handle, a preset's or a
token's name, a job's thread, a webhook's address, a search or a box to
type in) carries dir="auto", so a Hebrew post reads right to left beside
English ones and neither reorders the page around it."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import token_create
from rendering import jobs
from tests.factories import png_bytes
from threads import services
from threads.models import StylePreset
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

HEBREW = re.compile(r"[\u0590-\u05ff]")
# Our sentences isolate the user text inside them (FSI … PDI) instead.
ISOLATED = re.compile("\u2068[^\u2069]*\u2069")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class DirectionCheck(HTMLParser):
    """Every piece of Hebrew text in the body, and every text box holding
    some, whose nearest ancestor with a `dir` does not say "auto"."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.wrong: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and HEBREW.search(found.get("value") or "") and found.get("dir") != "auto":
            self.wrong.append(f"<input name={found.get('name')}>")
        if tag not in VOID:
            self.open.append((tag, found.get("dir")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = [tag for tag, _ in self.open]
        if "body" not in tags or "script" in tags or not HEBREW.search(ISOLATED.sub("", data)):
            return
        direction = next((value for _, value in reversed(self.open) if value is not None), None)
        if direction != "auto":
            self.wrong.append(f"{'>'.join(tags[-3:])}: {data.strip()[:40]!r}")


def wrongly_directed(html: str) -> list[str]:
    check = DirectionCheck()
    check.feed(html)
    return check.wrong


@pytest.fixture
def hebrew(alice):
    """A thread half in Hebrew, with everything around it named in Hebrew too."""
    thread = services.thread_import(
        owner=alice,
        format="json",
        content={
            "title": "חמישה הרגלים של כתיבה",
            "author": {"name": "דנה כהן", "handle": "דנה_כהן"},
            "posts": [
                {"text": "שלום! זה הפוסט הראשון.", "images": [{"alt": "תמונה של ים"}]},
                {"text": "The second post is English, with a word in Hebrew: שלום."},
                {"text": "פסקה בעברית.\n\nAnd a paragraph in English."},
            ],
        },
    )
    services.thread_set_avatar(thread=thread, upload=SimpleUploadedFile("a.png", png_bytes()))
    StylePreset.objects.create(owner=alice, name="סגנון שלי", style={"version": 1})
    token_create(user=alice, name="מחשב נייד")
    Endpoint.objects.create(owner=alice, url="https://example.com/hook")
    jobs.job_create(user=alice, request=jobs.JobRequest(kind="cards", threads=[thread.pk], format="png"))
    return thread


def test_every_page_gives_user_text_its_own_direction(client, alice, hebrew):
    client.force_login(alice)
    here = f"/threads/{hebrew.pk}/"
    pages = {
        "dashboard": client.get("/dashboard/"),
        "search": client.get("/dashboard/", {"q": "הרגלים"}),
        "thread": client.get(here),
        "thread, editing": client.get(here, {"post": 3, "edit": 1}),
        "author form refused": client.post(f"{here}author/", {"title": "כותרת", "handle": "לא תקין!"}),
        "import preview": client.post(
            "/threads/import/preview/", {"format": "text", "content": "1/ שלום עולם\n\n2/ Hello world"}
        ),
        "exports": client.get("/exports/"),
        "api keys": client.get("/api-keys/"),
        "token": client.get(f"/api-keys/tokens/{alice.auth_token_set.get().pk}/"),
        "presets": client.get("/presets/"),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert HEBREW.search(html), f"{name}: no Hebrew to check"
        assert wrongly_directed(html) == [], name
    thread_page = pages["thread"].content.decode()
    assert 'class="post-snippet" dir="auto">שלום! זה הפוסט הראשון.' in thread_page
    assert '<h1 dir="auto">חמישה הרגלים של כתיבה</h1>' in thread_page
    assert '<strong dir="auto">https://example.com/hook</strong>' in pages["api keys"].content.decode()
    assert re.search(r'<input type="search"[^>]*dir="auto"', pages["search"].content.decode())


def test_the_check_finds_text_without_a_direction():
    assert wrongly_directed("<body><p>שלום</p></body>") == ["body>p: 'שלום'"]
    assert wrongly_directed('<body><p dir="auto">שלום</p></body>') == []
    assert wrongly_directed('<body><p dir="auto"><b>שלום</b></p></body>') == []
    assert wrongly_directed('<body><div dir="ltr"><p>שלום</p></div></body>') == ["body>div>p: 'שלום'"]
    assert wrongly_directed("<body><p>“\u2068שלום\u2069” was deleted.</p></body>") == []
    assert wrongly_directed('<body><input value="שלום"></body>') == ["<input name=None>"]
