"""X archives made in Python for the tests and the benchmark, in the shape
of X's "Download an archive of your data": `data/tweets.js` (and parts),
`data/account.js`, `data/profile.js`, `data/tweets_media/`,
`data/profile_media/`. The words are our own."""

import datetime
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

ACCOUNT_ID = "1500000001"
USERNAME = "quietbuilder"
DISPLAY_NAME = "Quiet Builder"
OTHER_ID = "1600000002"
AVATAR_URL = "https://pbs.twimg.com/profile_images/777/face_400x400.jpg"
START = datetime.datetime(2023, 3, 14, 9, 0, tzinfo=datetime.UTC)


def x_date(moment: datetime.datetime) -> str:
    return moment.strftime("%a %b %d %H:%M:%S +0000 %Y")


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (48, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def png(color: tuple[int, int, int], size: tuple[int, int] = (40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def photo(tweet_id: str, name: str, short: str, *, alt: str = "") -> dict[str, Any]:
    """A photo entity: the picture's file is data/tweets_media/<tweet id>-<name>."""
    return {
        "type": "photo",
        "id_str": f"9{tweet_id}",
        "url": short,
        "display_url": "pic.x.com/abc",
        "expanded_url": f"https://x.com/{USERNAME}/status/{tweet_id}/photo/1",
        "media_url_https": f"https://pbs.twimg.com/media/{name}",
        **({"ext_alt_text": alt} if alt else {}),
    }


def video(tweet_id: str, poster: str, short: str) -> dict[str, Any]:
    return {
        **photo(tweet_id, poster, short),
        "type": "video",
        "media_url_https": f"https://pbs.twimg.com/ext_tw_video_thumb/5/pu/img/{poster}",
        "video_info": {
            "variants": [{"url": f"https://video.twimg.com/ext_tw_video/5/pu/vid/{tweet_id}.mp4"}]
        },
    }


def tweet(
    tweet_id: str,
    text: str,
    *,
    minutes: int,
    reply_to: str | None = None,
    reply_user: str | None = None,
    urls: Iterable[tuple[str, str]] = (),
    media: Iterable[dict[str, Any]] = (),
    mention_self: bool = False,
) -> dict[str, Any]:
    """A tweet as the archive has it: HTML-escaped `full_text`; a reply to
    oneself may start with "@me " (hidden by `display_text_range`)."""
    media = list(media)
    full_text = text + "".join(f" {item['url']}" for item in media[:1])
    start = 0
    if mention_self:
        full_text = f"@{USERNAME} {full_text}"
        start = len(USERNAME) + 2
    entities: dict[str, Any] = {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": [
            {"url": short, "expanded_url": long, "display_url": long[8:30] + "…"} for short, long in urls
        ],
    }
    data: dict[str, Any] = {
        "id_str": tweet_id,
        "id": tweet_id,
        "created_at": x_date(START + datetime.timedelta(minutes=minutes)),
        "full_text": full_text,
        "display_text_range": [str(start), str(len(full_text) - (len(media[0]["url"]) + 1 if media else 0))],
        "favorite_count": "3",
        "retweet_count": "0",
        "lang": "en",
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": entities,
    }
    if reply_to:
        data["in_reply_to_status_id_str"] = reply_to
        data["in_reply_to_status_id"] = reply_to
        data["in_reply_to_user_id_str"] = reply_user or ACCOUNT_ID
        data["in_reply_to_screen_name"] = USERNAME if (reply_user or ACCOUNT_ID) == ACCOUNT_ID else "someone"
    if media:
        entities["media"] = [media[0]]
        data["extended_entities"] = {"media": media}
    return data


def assigned(name: str, items: list[dict[str, Any]]) -> bytes:
    return f"window.YTD.{name}.part0 = ".encode() + json.dumps(items, indent=2).encode()


@dataclass
class Archive:
    """What goes in the ZIP; `zip()` makes it."""

    parts: list[list[dict[str, Any]]]
    media: dict[str, bytes] = field(default_factory=dict)
    avatar: bytes | None = None
    extra: dict[str, bytes] = field(default_factory=dict)
    folder: str = ""
    compression: int = zipfile.ZIP_DEFLATED

    def entries(self) -> Iterable[tuple[str, bytes]]:
        account = [
            {
                "account": {
                    "accountId": ACCOUNT_ID,
                    "username": USERNAME,
                    "accountDisplayName": DISPLAY_NAME,
                    "email": "builder@example.com",
                    "createdVia": "web",
                }
            }
        ]
        yield "Your archive.html", b"<!doctype html><title>Your archive</title>"
        yield "data/account.js", assigned("account", account)
        profile = {"profile": {"description": {"bio": "I build quietly."}, "avatarMediaUrl": AVATAR_URL}}
        yield "data/profile.js", assigned("profile", [profile])
        if self.avatar is not None:
            yield f"data/profile_media/{ACCOUNT_ID}-face_400x400.jpg", self.avatar
        for number, part in enumerate(self.parts):
            name = "data/tweets.js" if number == 0 else f"data/tweets-part{number}.js"
            yield name, assigned("tweets", [{"tweet": item} for item in part])
        for name, content in self.media.items():
            yield f"data/tweets_media/{name}", content
        yield from self.extra.items()

    def zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", self.compression) as archive:
            for name, content in self.entries():
                # A fixed date: the same archive made twice is the same bytes.
                entry = zipfile.ZipInfo(self.folder + name, date_time=(2024, 5, 1, 12, 0, 0))
                archive.writestr(entry, content, compress_type=self.compression)
        return out.getvalue()


RED, BLUE, GREEN = (200, 40, 40), (30, 60, 200), (20, 160, 90)
LINK = "https://example.org/notes/build-cache?ref=thread&part=1"


def sample() -> Archive:
    """Two threads (the second in tweets-part1.js), a single post, a reply
    to someone else with a reply of our own under it, a retweet, and a
    second self-reply that branches off the first thread later."""
    first = [
        tweet(
            "1001",
            "Three things I learned moving our build to one repo &amp; why it took a month. 🧵",
            minutes=0,
        ),
        tweet(
            "1002",
            "First: caching beats raw speed. My notes: https://t.co/aaa1 (long read)",
            minutes=1,
            reply_to="1001",
            mention_self=True,
            urls=[("https://t.co/aaa1", LINK)],
        ),
        tweet(
            "1003",
            "Second: the dashboard we ended up with.",
            minutes=2,
            reply_to="1002",
            media=[
                photo("1003", "Fdash1.jpg", "https://t.co/med1", alt="A dashboard of build times"),
                photo("1003", "Fdash2.png", "https://t.co/med1"),
            ],
        ),
        tweet("1004", "Third: write it down. 3 &lt; 4 &gt; 2", minutes=3, reply_to="1003", mention_self=True),
        tweet("1009", "A late aside on the first post.", minutes=30, reply_to="1001"),
    ]
    others = [
        tweet("3001", "Just one thought today, no thread.", minutes=40),
        tweet("3002", "@someone I agree with this.", minutes=41, reply_to="7000", reply_user=OTHER_ID),
        tweet("3003", "And to add to my own reply.", minutes=42, reply_to="3002"),
        tweet("3004", "RT @someone: a post worth sharing", minutes=43),
    ]
    second = [
        tweet("2001", "Why &lt;div&gt; soup happens", minutes=60),
        tweet(
            "2002",
            "A clip of the fix",
            minutes=61,
            reply_to="2001",
            media=[video("2002", "poster.jpg", "https://t.co/vid1")],
        ),
    ]
    return Archive(
        parts=[first + others, second],
        media={"1003-Fdash1.jpg": jpeg(RED), "1003-Fdash2.png": png(BLUE), "2002-poster.mp4": b"\x00" * 64},
        avatar=jpeg(GREEN, (64, 64)),
    )
