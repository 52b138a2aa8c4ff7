"""Ads in a real browser: free users see a slot beside their work, pro users
none; a blocked slot brings a polite, dismissible note; the announcement can
be dismissed and stays dismissed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from accounts.models import Plan
from frontend.models import Announcement, HouseAd
from tests.factories import UserFactory, png_bytes, thread_with_posts
from tests.frontend.test_browser_exports import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HIDE_ADS = """
new MutationObserver(() => {
  for (const slot of document.querySelectorAll('.ad-slot')) slot.style.display = 'none';
}).observe(document, {childList: true, subtree: true});
"""


@pytest.fixture
def house_ad():
    HouseAd.objects.all().delete()  # the defaults a migration made
    Announcement.objects.all().delete()
    return HouseAd.objects.create(
        name="Pro", text="Go Pro for no ads.", link="/plan/",
        image=SimpleUploadedFile("pro.png", png_bytes(48, 48, "#6d28d9")),
    )  # fmt: skip


def test_a_free_user_sees_an_ad_beside_the_editor_and_never_on_the_canvas(page: Page, live_server, house_ad):
    user = UserFactory(email="free@example.com")
    thread = thread_with_posts(user, "A post.", title="Free")
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/threads/{thread.pk}/editor/")

    slot = page.get_by_role("complementary", name="Advertisement")
    expect(slot).to_contain_text("Go Pro for no ads.")
    expect(page.locator(".canvas-area [data-ad-slot]")).to_have_count(0)
    expect(page.locator("[data-adblock-note]")).to_be_hidden()
    page.goto(f"{live_server.url}/dashboard/")
    expect(slot).to_be_visible()


def test_a_pro_user_sees_no_ads(page: Page, live_server, house_ad):
    user = UserFactory(email="pro@example.com", plan_id=Plan.PRO)
    thread = thread_with_posts(user, "A post.", title="Pro")
    sign_in(page, live_server.url, user.email)

    for path in ("/dashboard/", f"/threads/{thread.pk}/editor/", "/exports/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("[data-ad-slot]")).to_have_count(0)


def test_a_hidden_slot_brings_the_note_which_can_be_dismissed(page: Page, live_server, house_ad):
    user = UserFactory(email="blocker@example.com")
    page.add_init_script(HIDE_ADS)
    sign_in(page, live_server.url, user.email)

    note = page.locator("[data-adblock-note]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("ad blocker")
    page.get_by_role("button", name="Dismiss the note").click()
    page.reload()
    page.wait_for_timeout(800)
    expect(note).to_be_hidden()


def test_a_blocked_ad_image_brings_the_note(page: Page, live_server, house_ad):
    user = UserFactory(email="netblock@example.com")
    page.route("**/ads/*/image", lambda route: route.abort())
    sign_in(page, live_server.url, user.email)

    expect(page.locator("[data-adblock-note]")).to_be_visible()


def test_the_announcement_shows_until_dismissed_and_again_when_it_changes(page: Page, live_server):
    Announcement.objects.all().delete()
    announcement = Announcement.objects.create(text="We shipped the Carousel Studio.")
    page.goto(live_server.url)
    banner = page.get_by_role("region", name="Announcement")
    expect(banner).to_contain_text("Carousel Studio")

    page.get_by_role("button", name="Dismiss the announcement").click()
    page.reload()
    expect(banner).to_have_count(0)
    announcement.text = "Bulk exports are twice as fast."
    announcement.save()
    page.reload()
    expect(banner).to_contain_text("twice as fast")
