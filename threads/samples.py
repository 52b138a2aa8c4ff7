"""The sample thread a new account starts with: something to open in the
editor and the Studio on the first visit, written for this product, and
deleted like any other thread once it has served."""

from accounts.models import User
from threads.importers.model import ImportedPost, ImportedThread
from threads.models import Thread
from threads.services import thread_create

SAMPLE_TITLE = "Start here: your first carousel"

SAMPLE = ImportedThread(
    title=SAMPLE_TITLE,
    author_name="Thread Navigator",
    handle="threadnavigator",
    avatar_url=None,
    posts=(
        ImportedPost(
            "This is a sample thread, made for you to try things on. 🧪\n\n"
            "Open it in the editor, change anything, and watch the preview follow."
        ),
        ImportedPost(
            "Every post here becomes a card, a slide of a carousel, or a part of one tall image.\n\n"
            "Pick the kind at the top of the editor: what you preview is what you export."
        ),
        ImportedPost(
            "Try the colours, the font and the padding. ⌘Z takes a step back, ⇧⌘Z goes forward again, "
            "and ? lists every shortcut."
        ),
        ImportedPost(
            "In Carousel Studio, click a slide to give it words of its own, hide it, or start a new "
            "slide at any paragraph. The post itself never changes."
        ),
        ImportedPost(
            "When you are done, import a thread of your own: paste it, or choose a JSON file.\n\n"
            "Then delete this one from your threads. It will not come back."
        ),
    ),
)


def sample_thread_create(*, owner: User) -> Thread:
    """Give a new account its sample thread."""
    return thread_create(owner=owner, imported=SAMPLE)


def is_sample(thread: Thread) -> bool:
    """Whether `thread` is still the sample a new account was given."""
    return thread.title == SAMPLE_TITLE and thread.handle == SAMPLE.handle
