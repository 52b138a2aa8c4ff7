from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.authentication import signed_in_user
from accounts.models import Plan
from accounts.selectors import usage_this_month


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("frontend:dashboard")
    return render(request, "frontend/home.html", {"plans": Plan.objects.all()})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    usage = usage_this_month(user=signed_in_user(request))
    return render(request, "frontend/dashboard.html", {"usage": usage})
