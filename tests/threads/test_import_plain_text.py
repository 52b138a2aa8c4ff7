import pytest

from threads.importers import ImportLimits, InvalidImport, import_text


@pytest.mark.parametrize(
    "text",
    [
        "1/ Plant in spring.\n2/ Water weekly.\n3/ Harvest in autumn.",
        "1. Plant in spring.\n\n2. Water weekly.\n\n3. Harvest in autumn.",
        "(1) Plant in spring.\n(2) Water weekly.\n(3) Harvest in autumn.",
        "1) Plant in spring.\n2) Water weekly.\n3) Harvest in autumn.",
        "1/3 Plant in spring.\n2/3 Water weekly.\n3/3 Harvest in autumn.",
    ],
    ids=["slash", "dot", "parentheses", "paren", "of-total"],
)
def test_numbered_posts(text):
    thread = import_text(text)

    assert [post.text for post in thread.posts] == ["Plant in spring.", "Water weekly.", "Harvest in autumn."]
    assert thread.title == "Plant in spring."


def test_a_list_inside_a_numbered_post_does_not_split_it():
    text = "1/ Three tips:\n1. Sleep\n2. Eat\n\n2/ That is all."

    posts = [post.text for post in import_text(text).posts]

    assert posts == ["Three tips:\n1. Sleep\n2. Eat", "That is all."]


def test_paragraphs_become_posts_when_nothing_is_numbered():
    text = "A first thought.\nStill the first.\n\n\n\nA second thought.\n\n   \n\nA third."

    posts = [post.text for post in import_text(text).posts]

    assert posts == ["A first thought.\nStill the first.", "A second thought.", "A third."]


@pytest.mark.parametrize("line", ["Grace Hopper @grace", "Grace Hopper (@grace)"])
def test_author_line_names_the_author(line):
    thread = import_text(f"{line}\n\n1/ Ships are safe in harbour.\n2/ That is not what ships are for.")

    assert (thread.author_name, thread.handle) == ("Grace Hopper", "grace")
    assert len(thread.posts) == 2


def test_text_before_the_first_number_is_its_own_post():
    posts = [p.text for p in import_text("A short intro.\n\n1/ One.\n2/ Two.").posts]

    assert posts == ["A short intro.", "One.", "Two."]


def test_unicode_is_kept_nfc_normalised():
    thread = import_text("Cafe\u0301 ☕\n\nשלום עולם\n\n東京 🗼")

    assert [p.text for p in thread.posts] == ["Café ☕", "שלום עולם", "東京 🗼"]


@pytest.mark.parametrize("text", ["", "   \n\n  \t", "\r\n\r\n"])
def test_empty_text_is_refused(text):
    with pytest.raises(InvalidImport) as error:
        import_text(text)
    assert error.value.field == "content"


def test_post_limits():
    with pytest.raises(InvalidImport) as too_many:
        import_text("a\n\nb\n\nc", limits=ImportLimits(max_posts=2))
    with pytest.raises(InvalidImport) as too_long:
        import_text("short\n\n" + "x" * 30, limits=ImportLimits(max_post_chars=20))

    assert too_many.value.field == "posts"
    assert "at most 2 posts" in too_many.value.message
    assert too_long.value.field == "posts[1].text"
    assert "the limit is 20" in too_long.value.message


def test_too_many_placeholders_in_one_post():
    text = "Ann\n@ann\nLook:\n" + "Thread image\n" * 5

    with pytest.raises(InvalidImport) as error:
        import_text(text, limits=ImportLimits(max_images_per_post=4))

    assert error.value.field == "posts[0].images"


def test_non_string_content_is_refused():
    with pytest.raises(InvalidImport) as error:
        import_text(["a list"])  # type: ignore[arg-type]
    assert error.value.field == "content"
