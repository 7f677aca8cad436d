"""The platform's frame origins beside django-lti's registration admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from lti_tool.admin import LtiRegistrationAdmin
from lti_tool.models import LtiRegistration

from classroom.lti.models import Course, Link, PlatformFrame


class PlatformFrameInline(admin.StackedInline):
    model = PlatformFrame
    can_delete = False
    verbose_name = verbose_name_plural = _("Frame origins")


class RegistrationAdmin(LtiRegistrationAdmin):
    inlines = [*LtiRegistrationAdmin.inlines, PlatformFrameInline]


admin.site.unregister(LtiRegistration)
admin.site.register(LtiRegistration, RegistrationAdmin)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["context", "group"]
    list_select_related = ["context", "group"]
    raw_id_fields = ["context", "group"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["resource_link", "assignment"]
    raw_id_fields = ["resource_link", "assignment"]
