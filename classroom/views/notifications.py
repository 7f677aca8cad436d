"""A person's notifications: the bell, the list, marking read, mail settings, unsubscribing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classroom import notifications
from classroom.forms import NotificationSettingsForm
from classroom.models import Group, Notification

LIST_SIZE = 50


@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with its unread count, loaded after the page (no query on every page)."""
    return render(request, "includes/_bell.html", bell_context(request.user))


def bell_context(user) -> dict:
    return {"unread": notifications.unread_count(user)}


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    shown = list(
        Notification.objects.for_user(user)
        .select_related("recipient", "assignment__brief", "assignment__group", "response__author", "group")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )
    taught = set(Group.objects.taught_by(user).values_list("pk", flat=True))
    for notification in shown:
        teaches = notification.assignment is not None and notification.assignment.group_id in taught
        notification.headline = notifications.headline(notification, teaches)
        notification.link = notifications.link_of(notification)
    unread = sum(1 for n in shown if n.read_at is None)
    return render(request, "classroom/notification_list.html", {"notifications": shown, "unread": unread})


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; `next=open` then opens what it is about."""
    notification = Notification.objects.for_user(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    notifications.mark_read(user=request.user, notification_ids=[notification.pk])
    if request.POST.get("next") == "open":
        return redirect(notifications.link_of(notification))
    return redirect("classroom:notification_list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_read(user=request.user)
    messages.success(request, _("Everything is marked read.") if count else _("Nothing was unread."))
    return redirect("classroom:notification_list")


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    prefs = notifications.settings_of(user)
    initial = {
        "email_on": [kind for kind in Notification.Kind.values if kind not in prefs.email_off],
        "daily_digest": prefs.daily_digest,
        "quiet_from": prefs.quiet_from,
        "quiet_until": prefs.quiet_until,
    }
    data = request.POST if request.method == "POST" else None  # an empty POST is a choice: no mail
    form = NotificationSettingsForm(data, initial=initial, instructor=user.is_instructor)
    if request.method == "POST" and form.is_valid():
        notifications.save_settings(user=user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("classroom:notification_settings")
    return render(
        request, "classroom/notification_settings.html", {"form": form, "has_email": bool(user.email)}
    )


@login_not_required  # a link in a mail: the signed token names the person and the kind
@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no cookie or token
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = notifications.read_unsubscribe_token(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = found
    label = notifications.unsubscribe_label(kind)
    if request.method == "POST":
        if notifications.unsubscribe(user_id=user_id, kind=kind) is None:
            raise Http404("This unsubscribe link is not valid.")
        return render(request, "classroom/notification_unsubscribe.html", {"done": True, "label": label})
    return render(request, "classroom/notification_unsubscribe.html", {"done": False, "label": label})
