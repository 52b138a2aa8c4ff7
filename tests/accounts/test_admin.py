import pytest

from accounts.models import ApiToken, MonthlyUsage, Plan, User, month_start
from accounts.services import token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(email="staff@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["user", "plan", "apitoken", "monthlyusage"])
def test_admin_lists_accounts_models(admin_client, alice, model):
    token_create(user=alice, name="ci")
    MonthlyUsage.objects.create(user=alice, month=month_start(), exports=3)

    response = admin_client.get(f"/admin/accounts/{model}/")

    assert response.status_code == 200


def test_admin_changes_a_users_plan(admin_client, alice):
    page = admin_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        email=alice.email,
        plan="pro",
        date_joined_0="2026-01-01",
        date_joined_1="00:00:00",
        is_active="on",
        groups=[],
        user_permissions=[],
    )
    data.pop("password", None)
    data.pop("last_login", None)

    response = admin_client.post(f"/admin/accounts/user/{alice.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert alice.plan_id == Plan.PRO


def test_admin_creates_a_user_by_email(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Made.By@Admin.com",
            "usable_password": "true",
            "password1": "sturdy granite meadow",
            "password2": "sturdy granite meadow",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="made.by@admin.com").check_password("sturdy granite meadow")


def test_admin_revokes_a_token(admin_client, alice):
    token, _ = token_create(user=alice, name="old")

    response = admin_client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ApiToken.objects.exists()
