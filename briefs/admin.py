from django.contrib import admin

from briefs.actions import save_brief
from briefs.models import Brief, Tag


@admin.register(Brief)
class BriefAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "created_at", "created_by", "superseded_at", "archived_at"]
    list_filter = ["tags", "archived_at"]
    search_fields = ["title", "summary", "question"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags", "owners"]
    readonly_fields = ["content_hash", "version", "superseded_at", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.superseded_at:  # a past version is what its threads show
            return [field.name for field in Brief._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj: Brief, form, change: bool) -> None:
        # A change to the text is a new version here too; the form's tags and owners then go to it.
        if change and obj.superseded_at:
            return  # read-only above: nothing of the row itself can have changed
        save_brief(brief=obj, by=obj.created_by if not change else request.user)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
