from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from classroom.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_instructor", "is_staff"]
    list_filter = ["is_instructor", "is_staff", "is_superuser", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Agora", {"fields": ["is_instructor", "time_zone"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Agora", {"fields": ["is_instructor"]}),)
