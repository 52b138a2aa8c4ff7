import os

from django.apps import AppConfig
from PIL import Image

# Pillow frees a slide's memory back to the system and asks for it again for
# the next one; on a virtual machine those fresh pages cost more than the
# painting (7.5 → 4.5 ms a slide). Keeping a few freed blocks reuses them.
IMAGE_BLOCKS_KEPT = 4


class RenderingConfig(AppConfig):
    name = "rendering"

    def ready(self) -> None:
        if "PILLOW_BLOCKS_MAX" not in os.environ:
            Image.core.set_blocks_max(IMAGE_BLOCKS_KEPT)
