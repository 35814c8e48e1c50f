from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from crews.permissions import roles_of
from crews.selectors import staff_figures
from residents.selectors import place_figures


@login_required
def home(request):
    """Greets the user by role and shows live figures from the database."""
    now = timezone.now()
    context = {
        "now": now,
        "role_names": sorted(roles_of(request.user)),
        "places": place_figures(),
        "staff": staff_figures(now),
    }
    return render(request, "hotline/home.html", context)
