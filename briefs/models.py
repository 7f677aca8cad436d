"""The brief library: a news summary, one line of commentary and an open question."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from briefs.importer import SENTENCE_RULE, content_hash, split_sentences


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BriefQuerySet(models.QuerySet):
    def current(self) -> "BriefQuerySet":
        """The newest version of each brief: what the library shows and what can be assigned."""
        return self.filter(superseded_at__isnull=True)

    def active(self) -> "BriefQuerySet":
        return self.current().filter(archived_at__isnull=True)

    def editable_by(self, user) -> "BriefQuerySet":
        """Owners edit and archive their briefs; a site administrator may edit any."""
        if not user.is_authenticated:
            return self.none()
        return self if user.is_superuser else self.filter(owners=user)

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
# What students read and answer. Changing any of these makes a new version, so a thread keeps
# the text it was assigned with and its answers keep quoting the sentences they quoted.
# The title is not among them: no answer quotes or answers a title, and a better title is a
# better name for the same text. A title-only edit renames the brief in place, in every
# version that carried the old title (briefs.actions.save_brief), so threads show it too.
TEXT_FIELDS = ("summary", "commentary", "question", "source_url")


class Brief(models.Model):
    """One version of a brief. Editing the text adds a version (briefs.actions.save_brief); the
    library lists the newest of each, and every thread keeps the version it was assigned with."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220)  # shared by a brief's versions: unique among current ones
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
    content_hash = models.CharField(max_length=64, editable=False)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="briefs_owned",
        help_text="Who may edit and archive this brief. Everyone may find and assign it.",
    )
    first_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )  # None on the first version itself
    version = models.PositiveIntegerField(default=1, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)  # None: the newest
    # How the summary and commentary are cut into the sentences answers quote by number
    # (briefs.importer.split_sentences): fixed for a version, so no quote moves under a thread.
    sentence_rule = models.PositiveSmallIntegerField(default=SENTENCE_RULE, editable=False)

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(superseded_at__isnull=True), name="one_current_brief_per_slug"
            ),
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_brief_per_text",
            ),
            models.UniqueConstraint(fields=["first_version", "version"], name="one_brief_per_version_number"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.content_hash = content_hash(self.summary, self.question)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.superseded_at:
            return reverse("briefs:brief_version", args=[self.slug, self.version])
        return reverse("briefs:brief_detail", args=[self.slug])

    @property
    def lineage_id(self) -> int:
        """The first version's id: the same for every version of one brief."""
        return self.first_version_id or self.pk

    def versions(self) -> BriefQuerySet:
        """Every version of this brief, oldest first."""
        lineage = self.lineage_id
        return Brief.objects.filter(Q(pk=lineage) | Q(first_version=lineage)).order_by("version")

    def sentences(self) -> list[tuple[str, int, str]]:
        """The sentences a response can quote, as (part, index, text): summary, then commentary."""
        return [
            (part, index, sentence)
            for part in QUOTABLE_PARTS
            for index, sentence in enumerate(split_sentences(getattr(self, part), rule=self.sentence_rule))
        ]

    def set_archived(self, archived: bool) -> None:
        """Archived briefs leave the library; threads made from them stay."""
        self.archived_at = timezone.now() if archived else None
        self.save(update_fields=["archived_at", "updated_at"])
