import json

import pytest

from threads.importers import ImportedImage, ImportLimits, InvalidImport, import_json, import_thread

GOOD = {
    "title": "Kitchen notes",
    "author": {"name": "Chef Ana", "handle": "@chefana", "avatar_url": "https://example.com/ana.png"},
    "posts": [
        {
            "text": "Salt early.",
            "images": [{"url": "https://example.com/salt.jpg", "alt": "A bowl of salt"}, {}],
        },
        {"text": "Taste often. 👅"},
    ],
}


def test_the_documented_shape_imports():
    thread = import_json(GOOD)

    assert (thread.title, thread.author_name, thread.handle) == ("Kitchen notes", "Chef Ana", "chefana")
    assert thread.avatar_url == "https://example.com/ana.png"
    assert [p.text for p in thread.posts] == ["Salt early.", "Taste often. 👅"]
    assert thread.posts[0].images == (
        ImportedImage(url="https://example.com/salt.jpg", alt="A bowl of salt"),
        ImportedImage(url=None, alt=""),
    )


def test_a_json_string_works_like_an_object():
    assert import_json(json.dumps(GOOD)) == import_json(GOOD)


def test_title_is_derived_when_missing():
    thread = import_json({"author": {"name": "A", "handle": "a"}, "posts": [{"text": "Hello there.\nMore."}]})

    assert thread.title == "Hello there."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("author"), "author"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["author"].update(handle="has spaces"), "author.handle"),
        (lambda d: d["author"].update(name=""), "author.name"),
        (lambda d: d["author"].update(avatar_url="ftp://x"), "author.avatar_url"),
        (lambda d: d.update(posts={"text": "x"}), "posts"),
        (lambda d: d["posts"][1].update(text=None), "posts[1].text"),
        (lambda d: d["posts"][1].pop("text"), "posts[1].text"),
        (lambda d: d["posts"][0].update(images="x"), "posts[0].images"),
        (lambda d: d["posts"][0]["images"][0].update(url="javascript:alert(1)"), "posts[0].images[0].url"),
        (lambda d: d["posts"][0]["images"][0].update(width=3), "posts[0].images[0].width"),
        (lambda d: d.update(title=7), "title"),
        (lambda d: d.update(posts=[]), "posts"),
    ],
)
def test_wrong_shapes_name_the_path(change, field):
    document = json.loads(json.dumps(GOOD))
    change(document)

    with pytest.raises(InvalidImport) as error:
        import_json(document)

    assert error.value.field == field


@pytest.mark.parametrize("content", ["{not json", "[1, 2", '{"a": 1} trailing', "", "[]", "null", "3"])
def test_malformed_or_non_object_json_is_refused(content):
    with pytest.raises(InvalidImport) as error:
        import_json(content)
    assert error.value.field in {"content", ""} or error.value.field is not None


def test_deep_nesting_does_not_blow_the_stack():
    with pytest.raises(InvalidImport):
        import_json("[" * 100_000 + "]" * 100_000)


def test_limits_name_the_limit():
    posts = [{"text": "x"}] * 3
    document = {"author": {"name": "A", "handle": "a"}, "posts": posts}

    with pytest.raises(InvalidImport) as error:
        import_json(document, limits=ImportLimits(max_posts=2))

    assert "at most 2 posts" in error.value.message


def test_format_must_be_known():
    with pytest.raises(InvalidImport) as error:
        import_thread(format="xml", content="<a/>")
    assert error.value.field == "format"
