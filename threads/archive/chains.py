"""From the archive's tweets to threads: pure functions, no ZIP, no Django.

Each tweet is cut down at once to what a thread needs (its text cleaned,
its pictures), so an archive of 100,000 tweets holds a few MB of these
rather than the parsed JSON. A thread is a chain of the account's own
replies to itself from a tweet that replies to no one."""

import datetime
import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from threads.archive.reader import Account
from threads.importers import ImportedImage, ImportedPost, ImportedThread
from threads.importers.model import title_from

X_DATE = "%a %b %d %H:%M:%S %z %Y"  # "Wed Oct 10 20:19:24 +0000 2018"
PICTURE = "photo"  # video and animated_gif are mp4 files: nothing we can draw
LEADING_MENTIONS = re.compile(r"(?:\s*@\w{1,50})+\s*")


@dataclass(frozen=True, slots=True)
class Media:
    kind: str  # photo, video or animated_gif
    source_url: str  # where X serves it (pbs.twimg.com)
    file: str  # its name in data/tweets_media/: "<tweet id>-<basename>"
    alt: str = ""

    @property
    def is_picture(self) -> bool:
        return self.kind == PICTURE


@dataclass(frozen=True, slots=True)
class Tweet:
    id: int
    created: datetime.datetime | None
    reply_to: int | None  # the tweet it answers, when it answers one
    reply_to_user: str
    retweet: bool
    text: str
    media: tuple[Media, ...] = ()


def reduced(raw: dict[str, Any], *, account: Account) -> Tweet | None:
    """The parts of an archive tweet a thread needs, or None when it has no
    usable id."""
    tweet_id = str(raw.get("id_str") or raw.get("id") or "")
    if not tweet_id.isdigit():
        return None
    full_text = str(raw.get("full_text") or raw.get("text") or "")
    reply_to = str(raw.get("in_reply_to_status_id_str") or raw.get("in_reply_to_status_id") or "")
    return Tweet(
        id=int(tweet_id),
        created=created_at(raw.get("created_at")),
        reply_to=int(reply_to) if reply_to.isdigit() else None,
        reply_to_user=str(raw.get("in_reply_to_user_id_str") or raw.get("in_reply_to_user_id") or ""),
        retweet=full_text.startswith("RT @") or "retweeted_status" in raw,
        text=post_text(raw, full_text, account),
        media=tweet_media(raw, tweet_id),
    )


def created_at(value: object) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(str(value), X_DATE)  # noqa: DTZ007 - X_DATE has %z
    except ValueError:
        return None


def entities(raw: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    found = (raw.get(key) or {}).get(name) if isinstance(raw.get(key), dict) else None
    return [item for item in found or [] if isinstance(item, dict)]


def post_text(raw: dict[str, Any], full_text: str, account: Account) -> str:
    """The text as X shows it: without the reply's leading mentions, HTML
    entities unescaped, t.co links expanded, the pictures' own link gone."""
    text = html.unescape(without_reply_mentions(raw, full_text, account))
    for media in [*entities(raw, "entities", "media"), *entities(raw, "extended_entities", "media")]:
        if isinstance(media.get("url"), str) and media["url"]:
            text = text.replace(media["url"], "")
    for link in entities(raw, "entities", "urls"):
        short, expanded = link.get("url"), link.get("expanded_url")
        if isinstance(short, str) and short and isinstance(expanded, str) and expanded:
            text = text.replace(short, expanded)
    return text.strip()


def without_reply_mentions(raw: dict[str, Any], text: str, account: Account) -> str:
    """A reply's text starts with the handles it answers ("@me "), which X
    hides: `display_text_range` starts after them. When the range does not
    fall after mentions alone (archives of some years count differently),
    only mentions of the account itself are dropped."""
    if not (raw.get("in_reply_to_status_id_str") or raw.get("in_reply_to_status_id")):
        return text
    shown = raw.get("display_text_range")
    start = int(shown[0]) if isinstance(shown, list) and shown and str(shown[0]).isdigit() else 0
    if 0 < start <= len(text) and LEADING_MENTIONS.fullmatch(text[:start]):
        return text[start:]
    if account.username:
        own = re.compile(rf"(?:\s*@{re.escape(account.username)}\b)+\s*", re.IGNORECASE)
        match = own.match(text)
        if match:
            return text[match.end() :]
    return text


def tweet_media(raw: dict[str, Any], tweet_id: str) -> tuple[Media, ...]:
    found = []
    for item in entities(raw, "extended_entities", "media") or entities(raw, "entities", "media"):
        address = item.get("media_url_https") or item.get("media_url")
        if not isinstance(address, str) or not address:
            continue
        kind = str(item.get("type") or PICTURE)
        basename = urlsplit(address).path.rsplit("/", 1)[-1]
        found.append(
            Media(
                kind=kind,
                source_url=picture_url(address) if kind == PICTURE else address,
                file=f"{tweet_id}-{basename}",
                alt=str(item.get("ext_alt_text") or "")[:1000],
            )
        )
    return tuple(found)


def picture_url(address: str) -> str:
    """The picture at full size, as X's pages link it (and the extension
    saves it): https://pbs.twimg.com/media/<name>?format=jpg&name=orig."""
    parts = urlsplit(address)
    stem, dot, extension = parts.path.rpartition(".")
    if parts.netloc != "pbs.twimg.com" or not parts.path.startswith("/media/") or not dot:
        return address
    return f"https://pbs.twimg.com{stem}?format={extension}&name=orig"


# --- Threads ------------------------------------------------------------------------


def order_key(tweet: Tweet) -> tuple[datetime.datetime, int]:
    return (tweet.created or datetime.datetime.min.replace(tzinfo=datetime.UTC), tweet.id)


def find_threads(tweets: Iterable[Tweet], *, account: Account, min_posts: int) -> list[list[Tweet]]:
    """Every chain of the account's replies to itself, from a tweet that
    answers no one, oldest thread first, each at least `min_posts` long.
    Where a tweet has two replies of its own, the earlier one continues it."""
    by_id = {tweet.id: tweet for tweet in tweets if not tweet.retweet}
    replies: dict[int, list[Tweet]] = defaultdict(list)
    for tweet in by_id.values():
        if tweet.reply_to in by_id and tweet.reply_to_user == account.id:
            replies[tweet.reply_to].append(tweet)
    chains = []
    for root in sorted(by_id.values(), key=order_key):
        if root.reply_to is not None or root.reply_to_user:
            continue
        chain = [root]
        while replies.get(chain[-1].id):
            chain.append(min(replies[chain[-1].id], key=order_key))
        if len(chain) >= min_posts:
            chains.append(chain)
    return chains


def status_url(account: Account, tweet_id: int) -> str:
    return f"https://x.com/{account.username or 'i/web'}/status/{tweet_id}"


def imported_thread(chain: list[Tweet], *, account: Account, avatar_url: str | None) -> ImportedThread:
    posts = tuple(
        ImportedPost(
            text=tweet.text,
            images=tuple(ImportedImage(url=media.source_url, alt=media.alt) for media in tweet.media),
            source_id=str(tweet.id),
        )
        for tweet in chain
    )
    return ImportedThread(
        title=title_from(posts),
        author_name=account.display_name,
        handle=account.username,
        avatar_url=avatar_url,
        posts=posts,
        source_url=status_url(account, chain[0].id),
    )
