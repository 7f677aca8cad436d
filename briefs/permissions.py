"""Who may use the brief library: instructors only. Everyone else gets a 404."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse


def is_instructor(user) -> bool:
    return bool(getattr(user, "is_instructor", False)) and user.is_active


def instructor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Instructor pages answer 404 to students, so they cannot tell the page exists."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_instructor(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
