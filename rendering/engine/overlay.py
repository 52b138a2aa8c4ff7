"""The debug overlay: the layout's boxes drawn over a painted page (the
CLI's `--overlay`), so what layout decided can be seen against what paint
drew. Card in blue, text lines in red (their measured width), pictures (and the logo) in
green, avatars in orange, the footer band's top in grey."""

from PIL import Image, ImageDraw

from rendering.engine.layout import AvatarBox, ImageBox, LogoBox, Page, RuleBox, TextBox

COLOURS = {
    "card": (37, 99, 235, 255),
    "text": (220, 38, 38, 255),
    "image": (22, 163, 74, 255),
    "avatar": (234, 88, 12, 255),
    "rule": (107, 114, 128, 255),
}


def draw_overlay(image: Image.Image, page: Page, line_height: float) -> Image.Image:
    """A copy of `image` with `page`'s boxes outlined."""
    marked = image.convert("RGBA")
    draw = ImageDraw.Draw(marked)
    x, y, width, height = page.card
    draw.rectangle((x, y, x + width, y + height), outline=COLOURS["card"], width=2)
    for box in page.boxes:
        if isinstance(box, TextBox):
            left = box.x + (box.width - box.line.width if box.line.rtl else 0)
            draw.rectangle((left, box.y, left + box.line.width, box.y + line_height), outline=COLOURS["text"])
        elif isinstance(box, ImageBox | LogoBox):
            draw.rectangle((box.x, box.y, box.x + box.width, box.y + box.height), outline=COLOURS["image"])
        elif isinstance(box, AvatarBox):
            draw.ellipse(
                (box.x, box.y, box.x + box.diameter, box.y + box.diameter), outline=COLOURS["avatar"], width=2
            )
        elif isinstance(box, RuleBox):
            draw.line((box.x, box.y - 2, box.x + box.width, box.y - 2), fill=COLOURS["rule"])
    return marked.convert("RGB")
