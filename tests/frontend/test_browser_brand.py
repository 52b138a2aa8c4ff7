"""The brand kit page in a real browser: words, colours, pictures and fonts
saved, each mistake shown next to its field."""

import pytest
from playwright.sync_api import Page, expect

from brand.models import BrandKit, CustomFont
from tests.brand.fontmaker import make_font
from tests.factories import UserFactory, png_bytes
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_a_brand_kit_is_filled_in_on_its_page(page: Page, live_server, tmp_path, width):
    UserFactory(email="brand@example.com")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "brand@example.com")
    page.goto(f"{live_server.url}/brand/")

    page.get_by_label("Author name").fill("Noa Levi · נועה")
    page.get_by_label("Handle").fill("@noa levi")
    page.get_by_label("Brand colours").fill("#1D9BF0, #0f1419")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is 1-30 letters, digits or underscores")).to_be_visible()
    expect(page.get_by_label("Author name")).to_have_value("Noa Levi · נועה")

    page.get_by_label("Handle").fill("@noa_levi")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your brand kit is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="#1d9bf0")).to_be_visible()
    kit = BrandKit.objects.get(owner__email="brand@example.com")
    assert (kit.author_name, kit.handle, kit.colours) == (
        "Noa Levi · נועה",
        "noa_levi",
        ["#1d9bf0", "#0f1419"],
    )
    assert page.get_by_label("Author name").get_attribute("dir") == "auto"

    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes(160, 60, "#db2777"))
    page.locator("#logo-file").set_input_files(logo)
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_role("img", name="Your logo")).to_be_visible()

    font = tmp_path / "harbour.woff2"
    font.write_bytes(make_font("Harbour Grotesk", flavor="woff2"))
    page.locator("#font-file").set_input_files(font)
    page.get_by_role("button", name="Add the font").click()
    expect(page.get_by_text("“Harbour Grotesk” is ready to use.")).to_be_visible()
    expect(page.get_by_role("cell", name="Harbour Grotesk", exact=True)).to_be_visible()
    page.screenshot(path=tmp_path / f"brand-{width}.png", full_page=True)

    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\x07" * 500)
    page.locator("#font-file").set_input_files(broken)
    page.get_by_role("button", name="Add the font").click()
    expect(page.get_by_text("OpenType Sanitizer refused it")).to_be_visible()
    assert CustomFont.objects.count() == 1

    page.get_by_role("button", name="Delete Harbour Grotesk").click()
    expect(page.get_by_text("No fonts yet.")).to_be_visible()
