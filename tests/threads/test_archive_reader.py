"""Reading an X archive in place, and making its threads: no database."""

import io
import struct
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.threads import archive_maker as maker
from threads.archive.chains import find_threads, imported_thread, picture_url, reduced
from threads.archive.reader import Account, ArchiveLimits, ArchiveRefused, XArchive, unsafe_name

ACCOUNT = Account(id=maker.ACCOUNT_ID, username=maker.USERNAME, display_name=maker.DISPLAY_NAME)
LIMITS = ArchiveLimits()


def opened(content: bytes, limits: ArchiveLimits = LIMITS) -> XArchive:
    return XArchive.open(io.BytesIO(content), limits)


def threads_of(archive: XArchive, min_posts: int = 2):
    tweets = [reduced(raw, account=ACCOUNT) for raw in archive.tweets()]
    return find_threads([t for t in tweets if t], account=ACCOUNT, min_posts=min_posts)


def test_the_account_avatar_and_every_tweet_file_are_read():
    archive = opened(maker.sample().zip())
    assert archive.account() == ACCOUNT
    assert archive.avatar(ACCOUNT) == (maker.AVATAR_URL, maker.jpeg(maker.GREEN, (64, 64)))
    assert [info.filename for info in archive.tweet_files()] == ["data/tweets.js", "data/tweets-part1.js"]
    assert len(list(archive.tweets())) == 11


def test_two_threads_are_found_in_order_and_nothing_else():
    chains = threads_of(opened(maker.sample().zip()))
    assert [[tweet.id for tweet in chain] for chain in chains] == [[1001, 1002, 1003, 1004], [2001, 2002]]


def test_min_posts_leaves_out_shorter_chains():
    assert [len(chain) for chain in threads_of(opened(maker.sample().zip()), min_posts=3)] == [4]


def test_text_is_unescaped_links_expanded_media_link_and_own_mention_dropped():
    chains = threads_of(opened(maker.sample().zip()))
    thread = imported_thread(chains[0], account=ACCOUNT, avatar_url=maker.AVATAR_URL)
    assert [post.text for post in thread.posts] == [
        "Three things I learned moving our build to one repo & why it took a month. 🧵",
        f"First: caching beats raw speed. My notes: {maker.LINK} (long read)",
        "Second: the dashboard we ended up with.",
        "Third: write it down. 3 < 4 > 2",
    ]
    assert [post.source_id for post in thread.posts] == ["1001", "1002", "1003", "1004"]
    assert thread.source_url == f"https://x.com/{maker.USERNAME}/status/1001"
    assert (thread.author_name, thread.handle, thread.avatar_url) == (
        maker.DISPLAY_NAME,
        maker.USERNAME,
        maker.AVATAR_URL,
    )
    assert thread.title.startswith("Three things I learned")


def test_pictures_and_videos_keep_their_address_and_file():
    chains = threads_of(opened(maker.sample().zip()))
    pictured = chains[0][2].media
    assert [(m.kind, m.file, m.source_url, m.alt) for m in pictured] == [
        (
            "photo",
            "1003-Fdash1.jpg",
            "https://pbs.twimg.com/media/Fdash1?format=jpg&name=orig",
            "A dashboard of build times",
        ),
        ("photo", "1003-Fdash2.png", "https://pbs.twimg.com/media/Fdash2?format=png&name=orig", ""),
    ]
    clip = chains[1][1].media[0]
    assert clip.kind == "video"
    assert not clip.is_picture
    assert clip.source_url == "https://pbs.twimg.com/ext_tw_video_thumb/5/pu/img/poster.jpg"
    assert chains[1][1].text == "A clip of the fix"


def test_picture_url_leaves_other_addresses_alone():
    assert (
        picture_url("https://pbs.twimg.com/media/Abc.jpg")
        == "https://pbs.twimg.com/media/Abc?format=jpg&name=orig"
    )
    assert picture_url("https://example.org/a.jpg") == "https://example.org/a.jpg"


def test_a_reply_mention_of_someone_else_in_a_self_thread_is_dropped_by_the_display_range():
    raw = maker.tweet("5", "@someone thanks for asking, here it is", minutes=0, reply_to="4")
    raw["display_text_range"] = ["9", str(len(raw["full_text"]))]
    assert reduced(raw, account=ACCOUNT).text == "thanks for asking, here it is"


def test_an_archive_zipped_again_inside_a_folder_is_read():
    sample = maker.sample()
    sample.folder = "twitter-2024-05-01-abc/"
    archive = opened(sample.zip())
    assert len(threads_of(archive)) == 2
    assert archive.media("1003-Fdash1.jpg") is not None


def test_older_archives_name_the_file_tweet_js():
    sample = maker.sample()
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as target, zipfile.ZipFile(io.BytesIO(sample.zip())) as source:
        for info in source.infolist():
            data = source.read(info).replace(b"window.YTD.tweets.", b"window.YTD.tweet.")
            target.writestr(info.filename.replace("data/tweets", "data/tweet"), data)
    assert len(threads_of(opened(content.getvalue()))) == 2


# --- Refusals -----------------------------------------------------------------------


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(ArchiveRefused, match="not a ZIP archive") as refused:
        opened(b"just some text, not an archive at all" * 10)
    assert refused.value.field == "file"


def test_a_zip_without_tweets_js_is_refused():
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("data/account.js", b"window.YTD.account.part0 = []")
    with pytest.raises(ArchiveRefused, match=r"This is not an X archive: it has no data/tweets\.js"):
        opened(content.getvalue())


@pytest.mark.parametrize(
    "name", ["../evil.js", "data/../../etc/passwd", "/etc/passwd", "data\\tweets.js", "C:/data/tweets.js"]
)
def test_an_entry_that_climbs_out_of_its_folder_is_refused(name):
    assert unsafe_name(name)
    sample = maker.sample()
    sample.extra = {name: b"x"}
    with pytest.raises(ArchiveRefused, match="unsafe file name"):
        opened(sample.zip())


def test_ordinary_names_are_safe():
    assert not any(unsafe_name(n) for n in ["data/tweets.js", "Your archive.html", "assets/a..b.js"])


def test_an_entry_that_expands_too_much_is_refused_as_a_zip_bomb():
    sample = maker.sample()
    sample.extra = {"data/padding.js": b"\0" * (4 * 1024 * 1024)}  # about 1000:1
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        opened(sample.zip())


def test_an_archive_that_expands_past_the_total_is_refused_as_a_zip_bomb():
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        opened(maker.sample().zip(), ArchiveLimits(max_uncompressed=2000))


def test_too_many_entries_are_refused():
    with pytest.raises(ArchiveRefused, match="files"):
        opened(maker.sample().zip(), ArchiveLimits(max_entries=5))


def lie_about_size(content: bytes, name: str, size: int) -> bytes:
    """The ZIP with `name`'s declared uncompressed size changed in both its headers."""
    data = bytearray(content)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04" + data[4:4])  # the first local header
    while local != -1:
        if data[local + 30 : local + 30 + len(encoded)] == encoded:
            struct.pack_into("<I", data, local + 22, size)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        if data[central + 46 : central + 46 + len(encoded)] == encoded:
            struct.pack_into("<I", data, central + 24, size)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def test_an_entry_holding_more_than_it_declares_is_refused_while_reading():
    content = lie_about_size(maker.sample().zip(), "data/tweets.js", 100)
    archive = opened(content)
    with pytest.raises(ArchiveRefused, match=r"data/tweets\.js"):
        list(archive.tweets())


def test_a_tweets_file_not_in_x_format_is_refused():
    sample = maker.sample()
    sample.parts = []
    sample.extra = {"data/tweets.js": b'[{"tweet": {}}]'}
    with pytest.raises(ArchiveRefused, match="format of X's archive"):
        list(opened(sample.zip()).tweets())


@given(words=st.text(max_size=200), entities=st.booleans())
def test_any_text_loses_its_short_links_and_keeps_the_rest(words, entities):
    """Whatever the words, the t.co links given in entities are gone
    (expanded or, for the pictures, dropped) and the words stay."""
    raw = maker.tweet("9", words.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + " https://t.co/x1",
                      minutes=0, urls=[("https://t.co/x1", maker.LINK)] if entities else [],
                      media=[maker.photo("9", "P.jpg", "https://t.co/m1")])  # fmt: skip
    text = reduced(raw, account=ACCOUNT).text
    assert "https://t.co/m1" not in text
    assert ("https://t.co/x1" in text) != entities
    assert text.startswith(words.strip()[:20].strip()) or not words.strip()
