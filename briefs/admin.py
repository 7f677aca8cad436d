from django.contrib import admin

from briefs.models import Brief, Tag


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "created_at", "created_by", "archived_at"]
    list_filter = ["tags", "archived_at"]
    search_fields = ["title", "summary", "question"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    readonly_fields = ["content_hash", "created_at", "updated_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
