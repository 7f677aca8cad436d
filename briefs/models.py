"""The brief library: a news summary, one line of commentary and an open question."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from briefs.folding import fold
from briefs.importer import SENTENCE_RULE, content_hash, split_sentences
from briefs.languages import is_right_to_left, normalise_language, text_language


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
        """Every word must appear in the title, summary, commentary or question, whatever
        its accents and case (both sides folded by briefs.folding.fold)."""
        query = self
        for word in fold(text).split()[:10]:
            query = query.filter(search_text__contains=word)
        return query


QUOTABLE_PARTS = ("summary", "commentary")
SEARCHED_FIELDS = ("title", "summary", "commentary", "question")


def validate_language(code: str) -> None:
    if code and normalise_language(code) != code:
        raise ValidationError(
            gettext_lazy("“%(code)s” is not a language code Agora knows; choose one from the list."),
            params={"code": code},
        )


# What students read and answer. Changing any of these makes a new version, so a thread keeps
# the text it was assigned with and its answers keep quoting the sentences they quoted.
# The title is not among them: no answer quotes or answers a title, and a better title is a
# better name for the same text. A title-only edit renames the brief in place, in every
# version that carried the old title (briefs.actions.save_brief), so threads show it too.
TEXT_FIELDS = ("summary", "commentary", "question", "source_url")


class Brief(models.Model):
    """One version of a brief. Editing the text adds a version (briefs.actions.save_brief); the
    library lists the newest of each, and every thread keeps the version it was assigned with."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=220)  # shared by a brief's versions: unique among current ones
    summary = models.TextField(_("summary"))
    commentary = models.TextField(_("commentary"), blank=True)
    question = models.TextField(_("question"))
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="briefs")
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
        help_text=_("Who may edit and archive this brief. Everyone may find and assign it."),
    )
    first_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )  # None on the first version itself
    version = models.PositiveIntegerField(default=1, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)  # None: the newest
    # How the summary and commentary are cut into the sentences answers quote by number
    # (briefs.importer.split_sentences): fixed for a version, so no quote moves under a thread.
    sentence_rule = models.PositiveSmallIntegerField(default=SENTENCE_RULE, editable=False)
    # The language the text is written in (briefs.languages), for the page's lang and dir.
    language = models.CharField(
        gettext_lazy("language of the text"),
        max_length=35,
        blank=True,
        validators=[validate_language],
        help_text=gettext_lazy("Blank: the site's language."),
    )
    # SEARCHED_FIELDS folded (briefs.folding), kept in step by save(): what search() matches.
    search_text = models.TextField(blank=True, editable=False)

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
        self.search_text = self.folded_text()
        if kwargs.get("update_fields") is not None and set(kwargs["update_fields"]) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        if self.superseded_at:
            return reverse("briefs:brief_version", args=[self.slug, self.version])
        return reverse("briefs:brief_detail", args=[self.slug])

    def folded_text(self) -> str:
        return fold("\n".join(getattr(self, name) for name in SEARCHED_FIELDS))

    @property
    def text_language(self) -> str:
        """The `lang` of the brief's text on a page (blank language: the site's)."""
        return text_language(self.language)

    @property
    def text_direction(self) -> str:
        return "rtl" if is_right_to_left(self.language) else "ltr"

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
