"""Joining a group with a code: sign up or log in, and land in the group."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from classroom import languages
from classroom.actions import ActionRefused, register_student
from classroom.actions import join_group as add_to_group
from classroom.forms import JoinCodeForm, SignupForm
from classroom.models import Assignment, Group, normalise_join_code


@require_http_methods(["GET", "POST"])
@login_not_required
def join_start(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("classroom:join_group", code=form.cleaned_data["code"])
    return render(request, "classroom/join_start.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_not_required
@vary_on_headers("HX-Request")
def join_group(request: HttpRequest, code: str) -> HttpResponse:
    code = normalise_join_code(code)
    group = Group.objects.active().filter(join_code=code).first()
    if group is None:
        form = JoinCodeForm(initial={"code": code})
        context = {"form": form, "bad_code": code}
        return render(request, "classroom/join_start.html", context, status=404)

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                _membership, created = add_to_group(group=group, student=request.user)
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("classroom:home")
            joined = (_("Welcome to %(group)s!") if created else _("You are already in %(group)s.")) % {
                "group": group.name
            }
            return landing(request, group, joined)
        return render(request, "classroom/join_group.html", {"group": group, "code": code})

    if request.htmx and request.method == "GET":
        # The username suggested from the name as it is typed.
        context = {"group": group, "code": code, "form": SignupForm.suggesting(request.GET)}
        return render(request, "classroom/join_group.html#username-field", context)

    form = SignupForm(request.POST or None, suggest_url=request.path)
    if request.method == "POST" and form.is_valid():
        try:
            user = register_student(
                group=group,
                username=form.cleaned_data["username"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password"],
                time_zone=form.cleaned_data["time_zone"],
                language=languages.active(),  # the language the join page was read in
            )
        except ActionRefused as refusal:
            form.add_error("username", str(refusal))
        else:
            login(request, user, backend="classroom.auth.UserBackend")
            welcome = _(
                "Welcome to Agora, %(first_name)s! You are in %(group)s. "
                "Your username is %(username)s: you log in with it and your password."
            ) % {"first_name": user.first_name, "group": group.name, "username": user.username}
            return landing(request, group, welcome)
    login_url = f"{reverse('login')}?next={reverse('classroom:join_group', args=[code])}"
    return render(
        request,
        "classroom/join_group.html",
        {"group": group, "code": code, "form": form, "login_url": login_url},
    )


def landing(request: HttpRequest, group: Group, welcome: str) -> HttpResponse:
    """Into the group's open discussion when there is exactly one; else home, which lists them."""
    discussions = Assignment.objects.open_to(request.user, group)
    if len(discussions) == 1:
        messages.success(request, welcome)
        return redirect(discussions[0])
    if discussions:
        more = ngettext(
            "%(group)s has %(count)d open discussion: pick one below.",
            "%(group)s has %(count)d open discussions: pick one below.",
            len(discussions),
        ) % {"group": group.name, "count": len(discussions)}
    else:
        more = _(
            "No discussion is open in %(group)s yet: it will be listed here when your teacher opens one."
        ) % {"group": group.name}
    messages.success(request, f"{welcome} {more}")
    return redirect("classroom:home")
