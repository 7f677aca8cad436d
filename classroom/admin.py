"""The Django admin for site admins: people, groups, memberships, threads, responses and the logs.

Every write that the classroom's pages also make goes through classroom.actions, so the
thread versions, the audit log and the live pages stay right: moving a student, hiding a
response, making a set-password link, editing a thread's dates and rules. Deletes are
plain admin deletes; classroom.epochs gives the threads they touch a new epoch. The logs
(moderation, invitations, set-password links) are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from classroom import actions
from classroom.actions import ActionRefused, AssignmentRules
from classroom.models import (
    Assignment,
    Group,
    Invitation,
    Membership,
    ModerationEvent,
    Response,
    SetPasswordLink,
    User,
)
from classroom.tokens import SET_PASSWORD_LINK_LIFETIME


def action_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    form: forms.Form | None = None,
    **context,
) -> HttpResponse:
    """The page between choosing an admin action and carrying it out (a form, or a result)."""
    context.update(
        title=title,
        action=action,
        form=form,
        objects=list(queryset),
        opts=queryset.model._meta,
        **admin.site.each_context(request),
    )
    return render(request, "admin/classroom/action_page.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: looked at and searched, never written in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_instructor", "is_staff", "is_active"]
    list_filter = ["is_instructor", "is_staff", "is_superuser", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Agora", {"fields": ["is_instructor", "time_zone", "language"]}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Agora", {"fields": ["is_instructor"]}),)
    actions = ["deactivate"]

    @admin.action(
        description=_("Switch off the selected accounts (they are logged out)"), permissions=["change"]
    )
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            try:
                actions.deactivate_account(user=user, by=request.user)
            except ActionRefused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request, _("%(username)s is switched off and logged out.") % {"username": user.username}
                )


class MembershipInline(admin.TabularInline):
    """The group's students; added, moved and removed on the memberships' own page."""

    model = Membership
    fields = ["student", "joined_at"]
    readonly_fields = ["student", "joined_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "join_code", "member_count", "created_at", "archived_at"]
    list_filter = [("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "join_code", "instructors__username", "instructors__last_name"]
    filter_horizontal = ["instructors"]
    fields = ["name", "instructors", "join_code", "archived_at", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).with_member_count()

    @admin.display(description=_("students"), ordering="member_count")
    def member_count(self, group: Group) -> int:
        return group.member_count


class MoveForm(forms.Form):
    to_group = forms.ModelChoiceField(
        queryset=Group.objects.active(),
        label=_("Move to"),
        help_text=_("Only active groups take new members."),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["student", "group", "joined_at"]
    list_filter = [("group__archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__username", "student__first_name", "student__last_name", "group__name"]
    autocomplete_fields = ["student", "group"]
    list_select_related = ["student", "group"]
    actions = ["move_to_group", "make_set_password_link"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["student", "group", "joined_at"] if obj else ["joined_at"]

    def save_model(self, request: HttpRequest, obj: Membership, form: forms.Form, change: bool) -> None:
        if change:
            return  # nothing of a membership is edited; students move with the action
        try:
            membership, _created = actions.join_group(group=obj.group, student=obj.student)
        except ActionRefused as refusal:
            # The admin has already said "added": say why not, louder.
            self.message_user(request, str(refusal), messages.ERROR)
            return
        obj.pk = membership.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        actions.remove_student(group=obj.group, student=obj.student)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for membership in queryset.select_related("group", "student"):
            self.delete_model(request, membership)

    @admin.action(description=_("Move the selected students to another group"), permissions=["change"])
    def move_to_group(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = MoveForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            to_group = form.cleaned_data["to_group"]
            for membership in queryset.select_related("group", "student"):
                try:
                    actions.move_student(
                        student=membership.student, from_group=membership.group, to_group=to_group
                    )
                except ActionRefused as refusal:
                    self.message_user(request, str(refusal), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(username)s moved to %(group)s.")
                        % {"username": membership.student.username, "group": to_group.name},
                    )
            return None
        return action_page(request, queryset, action="move_to_group", title=_("Move students"), form=form)

    @admin.action(description=_("Make a set-password link for the selected student"), permissions=["change"])
    def make_set_password_link(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Pick one student: each link is shown once."), messages.ERROR)
            return None
        membership = queryset.select_related("group", "student").get()
        try:
            link, path = actions.make_set_password_link(
                group=membership.group, student=membership.student, by=request.user
            )
        except ActionRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None
        return action_page(
            request,
            queryset,
            action="make_set_password_link",
            title=_("Set-password link for %(username)s") % {"username": membership.student.username},
            link=link,
            link_url=request.build_absolute_uri(path),
            lifetime_hours=int(SET_PASSWORD_LINK_LIFETIME.total_seconds() // 3600),
        )


RULE_FIELDS = list(AssignmentRules.__dataclass_fields__)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["brief", "group", "opens_at", "due_at", "locked_at", "thread"]
    list_filter = [("locked_at", admin.EmptyFieldListFilter), "opens_at", "due_at"]
    search_fields = ["brief__title", "group__name"]
    autocomplete_fields = ["brief", "group"]
    list_select_related = ["brief", "group"]
    date_hierarchy = "opens_at"
    fieldsets = [
        (None, {"fields": ["brief", "group", "thread"]}),
        (_("Dates and rules"), {"fields": RULE_FIELDS}),
        ("State", {"fields": ["locked_at", "revealed_at", "created_by", "created_at", "version", "epoch"]}),
    ]
    actions = ["lock", "unlock"]

    def get_readonly_fields(self, request: HttpRequest, obj: Assignment | None = None) -> list[str]:
        state = ["thread", "locked_at", "revealed_at", "created_by", "created_at", "version", "epoch"]
        return ["brief", "group", *state] if obj else state

    @admin.display(description=_("thread"))
    def thread(self, assignment: Assignment) -> str:
        if not assignment.pk:
            return "—"
        return format_html('<a href="{}">Open the thread</a>', assignment.get_absolute_url())

    def save_model(self, request: HttpRequest, obj: Assignment, form: forms.Form, change: bool) -> None:
        rules = AssignmentRules(**{name: form.cleaned_data[name] for name in RULE_FIELDS})
        if change:
            actions.update_assignment(assignment=obj, rules=rules)
            return
        (created,) = actions.assign_brief(brief=obj.brief, groups=[obj.group], rules=rules, by=request.user)
        obj.pk = created.pk

    @admin.action(description=_("Lock the selected threads"), permissions=["change"])
    def lock(self, request: HttpRequest, queryset: QuerySet) -> None:
        for assignment in queryset.select_related("group"):
            actions.set_thread_lock(assignment=assignment, locked=True, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d thread locked.", "%(count)d threads locked.", queryset.count())
            % {"count": queryset.count()},
        )

    @admin.action(description=_("Reopen the selected threads"), permissions=["change"])
    def unlock(self, request: HttpRequest, queryset: QuerySet) -> None:
        for assignment in queryset.select_related("group"):
            actions.set_thread_lock(assignment=assignment, locked=False, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d thread reopened.", "%(count)d threads reopened.", queryset.count())
            % {"count": queryset.count()},
        )


class HideForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text=_("The student sees it."))


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Bodies are read, never edited here; hiding goes through the moderation action."""

    list_display = ["pk", "author", "assignment", "created_at", "is_reply", "hidden_at", "deleted_at"]
    list_filter = [
        ("hidden_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        ("parent", admin.EmptyFieldListFilter),
    ]
    search_fields = ["body", "author__username", "author__last_name", "assignment__brief__title"]
    list_select_related = ["author", "assignment__brief", "assignment__group"]
    actions = ["hide", "unhide"]
    fields = [
        "assignment", "author", "parent", "body", "created_at", "edited_at", "is_late",
        "hidden_at", "hidden_by", "hidden_reason", "highlighted", "pinned_at", "deleted_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description=_("reply"))
    def is_reply(self, response: Response) -> bool:
        return response.is_reply

    @admin.action(description=_("Hide the selected responses (with a reason)"), permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for response in queryset.select_related("assignment__group"):
                actions.hide_response(response=response, by=request.user, reason=form.cleaned_data["reason"])
            self.message_user(
                request,
                ngettext("%(count)d response hidden.", "%(count)d responses hidden.", queryset.count())
                % {"count": queryset.count()},
            )
            return None
        return action_page(request, queryset, action="hide", title=_("Hide responses"), form=form)

    @admin.action(description=_("Show the selected hidden responses again"), permissions=["change"])
    def unhide(self, request: HttpRequest, queryset: QuerySet) -> None:
        for response in queryset.select_related("assignment__group"):
            actions.unhide_response(response=response, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d response shown again.", "%(count)d responses shown again.", queryset.count())
            % {"count": queryset.count()},
        )


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "student", "assignment", "reason"]
    list_filter = ["action"]
    search_fields = ["actor__username", "student__username", "reason"]
    list_select_related = ["actor", "student", "assignment__brief", "assignment__group"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["invitee", "group", "invited_by", "created_at"]
    list_filter = [("group__archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["invitee__username", "group__name", "invited_by__username"]
    list_select_related = ["invitee", "group", "invited_by"]


@admin.register(SetPasswordLink)
class SetPasswordLinkAdmin(ReadOnlyAdmin):
    list_display = ["student", "group", "made_by", "created_at", "expires_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["student__username", "group__name", "made_by__username"]
    list_select_related = ["student", "group", "made_by"]
