"""Joining a group with a code: sign up or log in, and land in the group."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from classroom.actions import ActionRefused, register_student
from classroom.actions import join_group as add_to_group
from classroom.forms import JoinCodeForm, SignupForm
from classroom.models import Group, normalise_join_code


@require_http_methods(["GET", "POST"])
@login_not_required
def join_start(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("classroom:join_group", code=form.cleaned_data["code"])
    return render(request, "classroom/join_start.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_not_required
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
                _, created = add_to_group(group=group, student=request.user)
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("classroom:home")
            if created:
                messages.success(request, f"Welcome to {group.name}!")
            else:
                messages.info(request, f"You are already in {group.name}.")
            return redirect("classroom:home")
        return render(request, "classroom/join_group.html", {"group": group, "code": code})

    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = register_student(group=group, **form.cleaned_data)
        login(request, user, backend="classroom.auth.UserBackend")
        messages.success(request, f"Welcome to Agora, {user.first_name}! You are in {group.name}.")
        return redirect("classroom:home")
    login_url = f"{reverse('login')}?next={reverse('classroom:join_group', args=[code])}"
    return render(
        request,
        "classroom/join_group.html",
        {"group": group, "code": code, "form": form, "login_url": login_url},
    )
