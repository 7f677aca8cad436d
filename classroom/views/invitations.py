"""Invitations to a group: the invited person accepts or declines; a teacher withdraws one.

Plain form posts that answer with a redirect and a message; an invitation that is not
the user's (or not to a group they teach) is a 404.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from classroom.actions import ActionRefused, accept_invitation, decline_invitation, withdraw_invitation
from classroom.permissions import get_received_invitation, get_taught_invitation, instructor_required


@require_POST
def invitation_accept(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_received_invitation(request.user, invitation_id)
    try:
        _membership, created = accept_invitation(invitation=invitation, by=request.user)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        group = invitation.group.name
        messages.success(
            request,
            (_("Welcome to %(group)s!") if created else _("You are already in %(group)s."))
            % {"group": group},
        )
    return redirect("classroom:home")


@require_POST
def invitation_decline(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_received_invitation(request.user, invitation_id)
    decline_invitation(invitation=invitation, by=request.user)
    messages.success(
        request, _("You declined the invitation to %(group)s.") % {"group": invitation.group.name}
    )
    return redirect("classroom:home")


@require_POST
@instructor_required
def invitation_withdraw(request: HttpRequest, group_id: int, invitation_id: int) -> HttpResponse:
    invitation = get_taught_invitation(request.user, group_id, invitation_id)
    withdraw_invitation(invitation=invitation, by=request.user)
    messages.success(
        request, _("The invitation to %(username)s is withdrawn.") % {"username": invitation.invitee.username}
    )
    return redirect(invitation.group)
