"""Trying the editor before signing up: a visitor's paste becomes a
short-lived draft bound to their session; its previews are watermarked and
rate-limited per address; after signing up the draft becomes a thread."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.throttles import Rate
from rendering.adapters import input_from_imported
from rendering.engine.renderer import render_page
from threads.models import Thread
from threads.style import default_style, style_validate
from trials import services
from trials.models import TrialDraft
from trials.services import imported_from
from trials.views import SESSION_KEY

PASTE = "1/ The first post of the thread.\n\n2/ The second post, a little longer.\n\n3/ The end."
START, EDITOR, PREVIEW, STYLE, CLAIM = (
    "/trial/",
    "/trial/editor/",
    "/trial/preview/",
    "/trial/style/",
    "/trial/claim/",
)
NO_WATERMARK = {"footer": {"watermark": False}}

pytestmark = pytest.mark.django_db


def visitor_with_draft(paste: str = PASTE) -> Client:
    visitor = Client(enforce_csrf_checks=False)
    response = visitor.post(START, {"content": paste})
    assert response.status_code == 302
    assert response["Location"] == EDITOR
    return visitor


def draft_of(client: Client) -> TrialDraft:
    return TrialDraft.objects.get(key=client.session[SESSION_KEY])


def post_json(client: Client, url: str, body: object, **extra: str):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


# --- Making a draft ---------------------------------------------------------------------


def test_a_paste_makes_a_draft_of_its_posts_text_and_the_default_style():
    visitor = visitor_with_draft()
    draft = draft_of(visitor)
    assert [post["text"] for post in draft.thread["posts"]] == [
        "The first post of the thread.",
        "The second post, a little longer.",
        "The end.",
    ]
    assert draft.style == default_style()
    assert len(draft.key) >= 40
    hours = (draft.expires - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24


def test_an_empty_paste_is_refused_naming_the_field():
    response = Client().post(START, {"content": "   "})
    assert response.status_code == 400
    assert "Content: paste the thread" in response.content.decode()
    assert not TrialDraft.objects.exists()


def test_a_paste_over_the_post_limit_is_refused_naming_the_field(settings):
    settings.THREAD_MAX_POSTS = 2
    response = Client().post(START, {"content": PASTE})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Posts: A thread can have at most 2 posts (this one has 3)." in response.content.decode()
    assert not TrialDraft.objects.exists()


def test_a_post_over_the_length_limit_is_refused(settings):
    settings.POST_MAX_CHARS = 10
    response = Client().post(START, {"content": PASTE})
    assert response.status_code == 400
    assert "Posts[0].text: Post 1 is 29 characters long; the limit is 10." in response.content.decode()
    assert not TrialDraft.objects.exists()


def test_a_new_paste_replaces_the_sessions_draft():
    visitor = visitor_with_draft()
    first = draft_of(visitor).key
    visitor.post(START, {"content": "Just one post this time."})
    assert not TrialDraft.objects.filter(key=first).exists()
    assert TrialDraft.objects.count() == 1
    assert draft_of(visitor).post_count == 1


def test_the_paste_form_needs_the_csrf_token():
    response = Client(enforce_csrf_checks=True).post(START, {"content": PASTE})
    assert response.status_code == 403
    assert not TrialDraft.objects.exists()


def test_the_landing_page_shows_the_paste_box():
    page = Client().get("/").content.decode()
    assert 'action="/trial/"' in page
    assert "Design it" in page


# --- The editor, the style, the preview ----------------------------------------------


def test_the_editor_opens_in_trial_mode():
    visitor = visitor_with_draft()
    response = visitor.get(EDITOR)
    assert response.status_code == 200
    config = response.context["config"]
    assert config["trial"] is True
    assert config["watermarkForced"] is True
    assert config["urls"]["preview"] == PREVIEW
    page = response.content.decode()
    assert "data-author" not in page  # no uploads for visitors
    assert "data-save-as" not in page
    assert "Sign up to export — free, takes a minute" in page


def test_the_editor_without_a_draft_goes_home():
    response = Client().get(EDITOR, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "There is no trial design" in response.content.decode()


def test_the_style_is_kept_with_the_draft_and_shown_after_a_reload():
    visitor = visitor_with_draft()
    style = default_style() | {"text": default_style()["text"] | {"color": "#123456"}}
    response = post_json(visitor, STYLE, {"style": style})
    assert response.status_code == 200
    assert draft_of(visitor).style["text"]["color"] == "#123456"
    assert visitor.get(EDITOR).context["config"]["style"]["text"]["color"] == "#123456"


def test_a_bad_style_is_refused_naming_the_field():
    visitor = visitor_with_draft()
    response = post_json(visitor, STYLE, {"style": {"text": {"size": 9000}}})
    assert response.status_code == 400
    assert "text.size" in response.json()["field"]
    assert draft_of(visitor).style == default_style()


def test_the_preview_is_the_engines_render_watermarked_even_when_the_style_turns_it_off():
    visitor = visitor_with_draft()
    response = post_json(visitor, PREVIEW, {"kind": "cards", "page": 2, "style": NO_WATERMARK})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Page-Count"] == "3"
    draft = draft_of(visitor)
    data = imported_from(draft.thread)
    drawn = {
        forced: render_page(
            data=input_from_imported(data),
            style=style_validate(NO_WATERMARK),
            kind="cards",
            page=2,
            watermark_forced=forced,
        ).content
        for forced in (True, False)
    }
    assert response.content == drawn[True]
    assert response.content != drawn[False]


def test_a_preview_with_a_bad_kind_names_the_field():
    visitor = visitor_with_draft()
    response = post_json(visitor, PREVIEW, {"kind": "poster", "page": 1, "style": {}})
    assert response.status_code == 400
    assert response.json()["field"] == "kind"


def test_a_preview_of_malformed_json_is_a_400():
    visitor = visitor_with_draft()
    response = visitor.post(PREVIEW, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_body_over_the_upload_limit_is_refused(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    visitor = visitor_with_draft()
    response = post_json(visitor, PREVIEW, {"kind": "cards", "style": {}, "pad": "x" * 2000})
    assert response.status_code == 413


def test_the_trial_endpoints_need_the_csrf_token():
    visitor = visitor_with_draft()
    visitor.handler.enforce_csrf_checks = True
    assert post_json(visitor, PREVIEW, {"kind": "cards", "page": 1, "style": {}}).status_code == 403
    assert post_json(visitor, STYLE, {"style": {}}).status_code == 403


def test_a_flood_of_previews_from_one_address_gets_429_with_retry_after(settings):
    settings.THROTTLE_TRIAL_PREVIEW = "3/min"
    visitor = visitor_with_draft()
    body = {"kind": "cards", "page": 1, "style": {}}
    codes = [post_json(visitor, PREVIEW, body).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    refused = post_json(visitor, PREVIEW, body)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another session from the same address is counted alike; another address is not.
    other = visitor_with_draft()
    assert post_json(other, PREVIEW, body).status_code == 429
    assert post_json(other, PREVIEW, body, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_daily_cap_per_address_applies_too(settings):
    settings.THROTTLE_TRIAL_PREVIEW_DAY = "2/d"
    visitor = visitor_with_draft()
    body = {"kind": "cards", "page": 1, "style": {}}
    assert [post_json(visitor, PREVIEW, body).status_code for _ in range(3)] == [200, 200, 429]
    assert "a day" in post_json(visitor, PREVIEW, body).json()["message"]


def test_rate_parsing_of_the_defaults(settings):
    assert Rate.parse(settings.THROTTLE_TRIAL_PREVIEW).seconds == 60


# --- Another session ------------------------------------------------------------------


def test_another_session_cannot_read_preview_or_change_the_draft():
    visitor = visitor_with_draft()
    draft = draft_of(visitor)
    stranger = Client()
    assert stranger.get(EDITOR).status_code == 302
    response = post_json(stranger, PREVIEW, {"kind": "cards", "page": 1, "style": {}})
    assert response.status_code == 404
    assert post_json(stranger, STYLE, {"style": {"text": {"color": "#ff0000"}}}).status_code == 404
    draft.refresh_from_db()
    assert draft.style == default_style()


def test_another_session_cannot_claim_the_draft(bob):
    visitor = visitor_with_draft()
    draft = draft_of(visitor)
    before = Thread.objects.filter(owner=bob).count()
    stranger = Client()
    stranger.force_login(bob)
    response = stranger.get(CLAIM)
    assert response.status_code == 410
    assert "no trial design in this browser" in response.content.decode()
    assert Thread.objects.filter(owner=bob).count() == before
    draft.refresh_from_db()
    assert draft.claimed_thread_id is None
    assert draft.thread


# --- Expiry and clean-up -----------------------------------------------------------------


def expire(draft: TrialDraft) -> None:
    TrialDraft.objects.filter(pk=draft.pk).update(expires=timezone.now() - datetime.timedelta(seconds=1))


def test_an_expired_draft_is_never_readable():
    visitor = visitor_with_draft()
    expire(draft_of(visitor))
    response = post_json(visitor, PREVIEW, {"kind": "cards", "page": 1, "style": {}})
    assert response.status_code == 404
    assert "expired" in response.json()["message"]
    page = visitor.get(EDITOR, follow=True).content.decode()
    assert "has expired" in page


def test_claiming_an_expired_draft_says_so(alice):
    visitor = visitor_with_draft()
    expire(draft_of(visitor))
    visitor.force_login(alice)
    response = visitor.get(CLAIM)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


def test_the_clean_up_deletes_expired_drafts_only():
    old, fresh = visitor_with_draft(), visitor_with_draft()
    expire(draft_of(old))
    keep = draft_of(fresh).pk
    assert services.trial_drafts_clean_up() == 1
    assert list(TrialDraft.objects.values_list("pk", flat=True)) == [keep]


def test_the_clean_up_runs_on_the_beat(settings):
    assert settings.CELERY_BEAT_SCHEDULE["clean-up-trial-drafts"]["task"] == "trials.clean_up"
    from trials.tasks import clean_up

    assert clean_up.name == "trials.clean_up"


# --- Claiming -----------------------------------------------------------------------------


def test_claiming_makes_a_thread_with_the_drafts_style_and_opens_its_editor(alice):
    visitor = visitor_with_draft()
    style = default_style() | {"card": default_style()["card"] | {"radius": 12}}
    post_json(visitor, STYLE, {"style": style})
    visitor.force_login(alice)
    response = visitor.get(CLAIM + "?kind=carousel&format=pdf&scale=1")
    thread = Thread.objects.get(owner=alice, posts__position=3, posts__text="The end.")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/threads/{thread.pk}/editor/?claimed=1")
    assert "kind=carousel" in response["Location"]
    assert thread.style_draft["card"]["radius"] == 12
    assert [post.text for post in thread.posts.order_by("position")] == [
        "The first post of the thread.",
        "The second post, a little longer.",
        "The end.",
    ]
    draft = TrialDraft.objects.get()
    assert draft.thread == {}  # nothing of it is kept but the link
    assert draft.style == {}
    editor = visitor.get(response["Location"])
    assert editor.context["config"]["claimed"] is True
    assert editor.context["config"]["continueExport"] == {"kind": "carousel", "format": "pdf", "scale": "1"}
    assert "export it now" in editor.content.decode()


def test_claiming_twice_makes_one_thread(alice):
    visitor = visitor_with_draft()
    visitor.force_login(alice)
    before = Thread.objects.filter(owner=alice).count()
    first = visitor.post(CLAIM)
    second = visitor.post(CLAIM)
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(owner=alice).count() == before + 1


def test_claiming_needs_an_account():
    visitor = visitor_with_draft()
    response = visitor.get(CLAIM)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/trial/claim/")
    assert TrialDraft.objects.get().claimed_thread_id is None


def test_a_signed_in_user_opening_the_trial_editor_claims_it(alice):
    visitor = visitor_with_draft()
    visitor.force_login(alice)
    response = visitor.get(EDITOR, follow=True)
    assert response.status_code == 200
    assert response.context["config"]["claimed"] is True
