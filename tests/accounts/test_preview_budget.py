"""Previews and studio layouts have budgets of their own: the website's
(THROTTLE_PREVIEW a minute, per user) apart from the API's requests a
minute, which the website's autosave, exports and job polling need; with
an API token, the plan's previews a minute; for both, the plan's day."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Plan
from accounts.services import token_create
from accounts.throttles import Rate
from tests.factories import thread_with_posts

PREVIEW = "/api/v1/render/preview/"
SLIDES = "/api/v1/render/slides/"
THREADS = "/api/v1/threads/"


@pytest.fixture
def thread(alice):
    return thread_with_posts(alice, "The first post.", "The second post.", title="Budgets")


@pytest.fixture
def website(alice) -> APIClient:
    """Alice signed in on the website: her session cookie, not a token."""
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def with_token(alice) -> APIClient:
    client = APIClient()
    _, secret = token_create(user=alice, name="script")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def limit_plan(alice, **limits: int) -> None:
    Plan.objects.filter(pk=alice.plan_id).update(**limits)


def preview(client: APIClient, thread, page: int = 1):
    return client.post(PREVIEW, {"thread": thread.pk, "kind": "carousel", "page": page}, format="json")


@pytest.mark.django_db
def test_website_previews_answer_when_the_api_minute_is_used_up(website, alice, thread):
    limit_plan(alice, api_requests_per_minute=2, previews_per_minute=2)

    used = [website.get(THREADS).status_code for _ in range(3)]
    previews = [preview(website, thread, page).status_code for page in (1, 2, 3, 4, 1, 2)]
    layout = website.post(SLIDES, {"thread": thread.pk, "kind": "carousel"}, format="json")

    assert used == [200, 200, 429]
    assert previews == [200] * 6, "the plan's previews a minute (2) are the API's, not the website's"
    assert layout.status_code == 200


@pytest.mark.django_db
def test_token_previews_keep_the_plans_budget_apart_from_the_api_minute(with_token, website, alice, thread):
    limit_plan(alice, api_requests_per_minute=2, previews_per_minute=3)

    codes = [preview(with_token, thread).status_code for _ in range(4)]
    refused = preview(with_token, thread)

    assert codes == [200, 200, 200, 429]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["message"].startswith(
        "Too many previews: your plan allows API clients 3 previews a minute."
    )
    # The API's own minute is untouched by them, and the website's previews
    # are counted apart.
    assert [with_token.get(THREADS).status_code for _ in range(3)] == [200, 200, 429]
    assert preview(website, thread).status_code == 200


@pytest.mark.django_db
def test_the_website_preview_rate_refuses_with_retry_after_and_says_which_limit(website, thread, settings):
    settings.THROTTLE_PREVIEW = "3/min"

    codes = [preview(website, thread).status_code for _ in range(2)]
    layout = website.post(SLIDES, {"thread": thread.pk, "kind": "carousel"}, format="json")
    refused = preview(website, thread)
    refused_layout = website.post(SLIDES, {"thread": thread.pk, "kind": "carousel"}, format="json")

    assert codes == [200, 200]
    assert layout.status_code == 200, "layouts share the previews' budget"
    assert refused.status_code == 429
    assert refused_layout.status_code == 429
    body = refused.json()
    assert body["message"].startswith("Too many previews: the website allows 3 previews a minute.")
    assert body["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert body["retry_after"] == int(refused["Retry-After"])


@pytest.mark.django_db
def test_the_website_rate_is_per_user(website, thread, bob, settings):
    settings.THROTTLE_PREVIEW = "1/min"
    theirs = thread_with_posts(bob, "Bob's post.")
    as_bob = APIClient()
    as_bob.force_login(bob)

    assert [preview(website, thread).status_code for _ in range(2)] == [200, 429]
    assert preview(as_bob, theirs).status_code == 200


@pytest.mark.django_db
def test_autosave_and_job_polling_are_not_counted_as_previews(website, alice, thread, settings):
    settings.THROTTLE_PREVIEW = "2/min"
    limit_plan(alice, api_requests_per_minute=4)

    previews = [preview(website, thread).status_code for _ in range(3)]
    saves = [
        website.patch(
            f"{THREADS}{thread.pk}/", {"arrangement": {"title": f"Take {n}"}}, format="json"
        ).status_code
        for n in range(2)
    ]
    polls = [website.get("/api/v1/jobs/").status_code for _ in range(3)]

    assert previews == [200, 200, 429]
    assert saves == [200, 200]
    assert polls == [200, 200, 429], "the plan's minute: 4 requests, the previews not among them"
    thread.refresh_from_db()
    assert thread.arrangement["title"] == "Take 1"


@pytest.mark.django_db
def test_the_plans_day_holds_for_the_website_too(website, alice, thread):
    limit_plan(alice, previews_per_day=2)

    codes = [preview(website, thread).status_code for _ in range(3)]
    refused = preview(website, thread)

    assert codes == [200, 200, 429]
    assert refused.json()["message"].startswith("Too many previews: your plan allows 2 previews a day.")
    assert int(refused["Retry-After"]) > 3600


@pytest.mark.django_db
def test_the_api_minute_names_its_limit(with_token, alice):
    limit_plan(alice, api_requests_per_minute=1)

    with_token.get(THREADS)
    refused = with_token.get(THREADS)

    assert refused.status_code == 429
    assert refused.json()["message"].startswith(
        "Too many requests: your plan allows 1 API requests a minute."
    )
    assert refused["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused["Retry-After"]) <= 60


@pytest.mark.parametrize(
    ("rate", "said"),
    [
        (Rate(600, 60), "600 previews a minute"),
        (Rate(2000, 86400), "2000 previews a day"),
        (Rate(4, 10), "4 previews in 10 s"),
    ],
)
def test_a_rate_says_itself(rate, said):
    assert rate.described("previews") == said
