"""The brief library: a news summary, one line of commentary and an open question."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from briefs.importer import content_hash, split_sentences


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BriefQuerySet(models.QuerySet):
    def active(self) -> "BriefQuerySet":
        return self.filter(archived_at__isnull=True)

    def search(self, text: str) -> "BriefQuerySet":
        """Every word must appear in the title, summary, commentary or question."""
        query = self
        for word in text.split()[:10]:
            query = query.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(commentary__icontains=word)
                | Q(question__icontains=word)
            )
        return query


QUOTABLE_PARTS = ("summary", "commentary")


class Brief(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField()
    commentary = models.TextField(blank=True)
    question = models.TextField()
    source_url = models.URLField(blank=True, max_length=500)
    tags = models.ManyToManyField(Tag, blank=True, related_name="briefs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="briefs_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.content_hash = content_hash(self.summary, self.question)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("briefs:brief_detail", args=[self.slug])

    def sentences(self) -> list[tuple[str, int, str]]:
        """The sentences a response can quote, as (part, index, text): summary, then commentary."""
        return [
            (part, index, sentence)
            for part in QUOTABLE_PARTS
            for index, sentence in enumerate(split_sentences(getattr(self, part)))
        ]

    def set_archived(self, archived: bool) -> None:
        """Archived briefs leave the library; threads made from them stay."""
        self.archived_at = timezone.now() if archived else None
        self.save(update_fields=["archived_at", "updated_at"])
