"""Writes to the brief library: importing parsed briefs, saving a brief as a new version."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from briefs.importer import SENTENCE_RULE, ParsedBrief, derive_title
from briefs.models import TEXT_FIELDS, Brief, Tag

# Sent after a title-only edit with `brief_ids`, the versions renamed in place. The classroom
# listens (briefs never imports classroom): open threads of those versions show the new title.
brief_retitled = Signal()


class BriefRefused(Exception):
    """The write would break a rule of the library; the message says why, for the user."""


@dataclass(frozen=True)
class TitleChange:
    """A brief already in the library whose headline in the imported text is different."""

    brief: Brief  # the current version
    title: str  # the headline in the text
    content_hash: str
    can_update: bool  # the importing person owns the brief (or no person: the command)


@dataclass(frozen=True)
class ImportResult:
    created: list[Brief]
    unchanged: int
    changed: Sequence[TitleChange] = ()  # titles that differ, updated or not
    retitled: Sequence[Brief] = ()  # those updated


def title_changes(parsed: Sequence[ParsedBrief], by: AbstractBaseUser | None = None) -> list[TitleChange]:
    """The parsed briefs already in the library under another title.

    Only a headline counts: a brief with none has a title derived from its summary, and the
    library's title may be one an owner typed since; the text says nothing against it. Only the
    current version counts: a text that matches an earlier version was edited since, on purpose.
    `by` None is the command (the site's operator), who may update any brief.
    """
    headlined = {brief.content_hash: brief for brief in parsed if brief.has_headline}
    current = Brief.objects.current().filter(content_hash__in=headlined)
    editable = set(
        Brief.objects.editable_by(by).filter(pk__in=current).values_list("pk", flat=True)
        if by is not None
        else current.values_list("pk", flat=True)
    )
    return [
        TitleChange(
            brief=brief,
            title=headlined[brief.content_hash].title,
            content_hash=brief.content_hash,
            can_update=brief.pk in editable,
        )
        for brief in current.order_by("pk")
        if brief.title != headlined[brief.content_hash].title
    ]


RESERVED_SLUGS = frozenset({"import", "new", "preview"})  # library URLs


def unique_slug(title: str, taken: set[str]) -> str:
    base = slugify(title)[:200].strip("-") or "brief"
    slug, n = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def get_or_create_tags(names: Sequence[str]) -> list[Tag]:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name[:50], slug=unique_slug_for_tag(name))
        tags.append(tag)
    return tags


def unique_slug_for_tag(name: str) -> str:
    taken = set(Tag.objects.values_list("slug", flat=True))
    return unique_slug(name, taken)[:60]


@transaction.atomic
def import_briefs(
    *,
    parsed: Sequence[ParsedBrief],
    created_by: AbstractBaseUser | None = None,
    tags: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    update_titles: Collection[str] = (),
    by: AbstractBaseUser | None = None,
) -> ImportResult:
    """Create the briefs not already in the library; leave existing ones unchanged, except
    the titles named in `update_titles` (content hashes) that `by` may change (None: any).

    All or nothing: it runs in one transaction. A brief already in the library
    (same summary and question, whitespace aside) is counted as unchanged; a second
    copy of a brief within `parsed` counts once.
    """
    parsed = list({brief.content_hash: brief for brief in reversed(parsed)}.values())[::-1]
    hashes = [brief.content_hash for brief in parsed]
    # A text that was once a version of a brief counts as known, even if edited since.
    existing = set(Brief.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True))
    new = [brief for brief in parsed if brief.content_hash not in existing]
    taken = set(Brief.objects.values_list("slug", flat=True))
    tag_objects = get_or_create_tags(tags)
    created = []
    for done, item in enumerate(new, start=1):
        brief = Brief.objects.create(
            title=item.title,
            slug=unique_slug(item.title, taken),
            summary=item.summary,
            commentary=item.commentary,
            question=item.question,
            language=item.language,
            created_by=created_by,
        )
        if tag_objects:
            brief.tags.add(*tag_objects)
        if created_by is not None:
            brief.owners.add(created_by)
        created.append(brief)
        if progress:
            progress(done, len(new))
    changed = title_changes(parsed, by)
    retitled = []
    for change in changed:
        if change.can_update and change.content_hash in update_titles:
            retitled.append(retitle_brief(brief=change.brief, title=change.title))
    return ImportResult(created=created, unchanged=len(parsed) - len(new), changed=changed, retitled=retitled)


def retitle_brief(*, brief: Brief, title: str) -> Brief:
    """Rename a brief in place, with every earlier version that had the same title (a title is
    not quoted text: see briefs.models.TEXT_FIELDS). Its threads show the new title."""
    old_title = brief.title
    brief.title = title
    brief.save(update_fields=["title", "updated_at"])
    _retitle_earlier_versions(brief, old_title)
    return brief


@transaction.atomic
def save_brief(
    *,
    brief: Brief,
    tags: Sequence[str] | None = None,
    by: AbstractBaseUser | None = None,
) -> Brief:
    """Create a brief, or save an edited one, from a validated form instance (tags: None keeps them).

    A change to what students read (TEXT_FIELDS) adds a new version and leaves the old one
    as it was, for the threads assigned with it; tags alone change in place. A title alone
    renames in place every version that had the old title (see TEXT_FIELDS for why). An
    empty title is derived from the summary.
    """
    brief.title = brief.title.strip() or derive_title(brief.summary)
    if brief.pk is None:
        brief.slug = unique_slug(brief.title, set(Brief.objects.values_list("slug", flat=True)))
        brief.created_by = by
        brief.save()
        if by is not None:
            brief.owners.add(by)
    else:
        previous = Brief.objects.select_for_update().get(pk=brief.pk)
        if previous.superseded_at is not None:
            raise BriefRefused(
                _(
                    "Someone saved a newer version of this brief while you were editing. "
                    "Your changes are not saved: open the brief again and make them there."
                )
            )
        if any(getattr(previous, name) != getattr(brief, name) for name in TEXT_FIELDS):
            brief = _new_version(previous, brief, by)
        else:
            brief.save()
            if previous.title != brief.title:
                _retitle_earlier_versions(brief, previous.title)
    if tags is not None:
        brief.tags.set(get_or_create_tags(tags))
    return brief


def _retitle_earlier_versions(brief: Brief, old_title: str) -> None:
    renamed = list(brief.versions().filter(title=old_title).exclude(pk=brief.pk))
    ids = [brief.pk, *(version.pk for version in renamed)]
    now = timezone.now()
    for version in renamed:
        version.title = brief.title
        # updated_at names the brief in every thread page's cache key and frame: a new one redraws them.
        Brief.objects.filter(pk=version.pk).update(
            title=brief.title, updated_at=now, search_text=version.folded_text()
        )
    transaction.on_commit(lambda: brief_retitled.send(sender=Brief, brief_ids=ids))


def _new_version(previous: Brief, edited: Brief, by: AbstractBaseUser | None) -> Brief:
    owners, tags = list(previous.owners.all()), list(previous.tags.all())
    previous.superseded_at = timezone.now()
    previous.save(update_fields=["superseded_at"])  # first: the slug and text are unique among current ones
    lineage = previous.lineage_id
    newest = Brief.objects.filter(pk__in=previous.versions()).aggregate(n=Max("version"))["n"]
    edited.pk = None
    edited._state.adding = True
    edited.first_version_id = lineage
    edited.version = newest + 1
    edited.sentence_rule = SENTENCE_RULE  # a new text has no quotes yet: the newest rule numbers it
    edited.created_by = by or previous.created_by
    edited.archived_at = previous.archived_at
    edited.save()
    edited.owners.set(owners)
    edited.tags.set(tags)
    return edited


@transaction.atomic
def set_brief_owners(*, brief: Brief, owners: Sequence[AbstractBaseUser]) -> None:
    """Owners share a brief: each may edit it, archive it and change who owns it."""
    if not owners:
        raise BriefRefused(_("A brief needs at least one owner."))
    brief.owners.set(owners)
