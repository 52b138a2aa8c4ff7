"""Caches bounded in bytes, for the pixels the renderer reuses (the card
and background of every slide of a carousel, rounded-corner masks, shadows,
placeholder tiles). `functools.lru_cache` counts entries, and sixteen entries
of 3240×4050 rasters are 840 MB: here the budget is bytes, and anything
larger than half the budget is made each time instead of kept."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from PIL import Image

P = ParamSpec("P")
T = TypeVar("T")

MB = 1024 * 1024


def image_bytes(image: Image.Image) -> int:
    """Pillow keeps RGB and RGBA pixels in four bytes, L in one."""
    return image.width * image.height * (1 if image.mode in ("L", "1", "P") else 4)


class ByteBoundedCache:
    """Least recently used values, at most `budget` bytes in all."""

    def __init__(self, budget: int, size: Callable[[Any], int]) -> None:
        self.budget = budget
        self.size = size
        self.used = 0
        self.entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            self.entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: object) -> bool:
        """Keep `value`; False when it is too big to keep."""
        cost = self.size(value)
        if cost * 2 > self.budget:
            return False  # one value may not push out everything else
        with self.lock:
            if key in self.entries:
                return True
            self.entries[key] = (value, cost)
            self.used += cost
            while self.used > self.budget:
                _, (_, freed) = self.entries.popitem(last=False)
                self.used -= freed
        return True

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.used = 0


def bounded_images(budget: int) -> Callable[[Callable[P, Image.Image]], Callable[P, Image.Image]]:
    """Cache an image-making function's results by its (hashable) arguments,
    within `budget` bytes. Callers must not draw on what they get: copy it."""

    def decorate(make: Callable[P, Image.Image]) -> Callable[P, Image.Image]:
        cache = ByteBoundedCache(budget, image_bytes)

        @wraps(make)
        def cached(*args: P.args, **kwargs: P.kwargs) -> Image.Image:
            key = (args, tuple(sorted(kwargs.items())))
            found = cache.get(key)
            if isinstance(found, Image.Image):
                return found
            made = make(*args, **kwargs)
            cache.put(key, made)
            return made

        return cached

    return decorate
