"""Writes to the brief library: importing parsed briefs."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from briefs.importer import ParsedBrief, derive_title
from briefs.models import Brief, Tag


@dataclass(frozen=True)
class ImportResult:
    created: list[Brief]
    unchanged: int


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
) -> ImportResult:
    """Create the briefs not already in the library; leave existing ones unchanged.

    All or nothing: it runs in one transaction. A brief already in the library
    (same summary and question, whitespace aside) is counted as unchanged; a second
    copy of a brief within `parsed` counts once.
    """
    parsed = list({brief.content_hash: brief for brief in reversed(parsed)}.values())[::-1]
    hashes = [brief.content_hash for brief in parsed]
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
            created_by=created_by,
        )
        if tag_objects:
            brief.tags.add(*tag_objects)
        created.append(brief)
        if progress:
            progress(done, len(new))
    return ImportResult(created=created, unchanged=len(parsed) - len(new))


@transaction.atomic
def save_brief(
    *,
    brief: Brief,
    tags: Sequence[str],
    by: AbstractBaseUser | None = None,
) -> Brief:
    """Create or update a brief from a validated form instance; an empty title is derived."""
    brief.title = brief.title.strip() or derive_title(brief.summary)
    if not brief.slug:
        brief.slug = unique_slug(brief.title, set(Brief.objects.values_list("slug", flat=True)))
    if brief.pk is None:
        brief.created_by = by
    brief.save()
    brief.tags.set(get_or_create_tags(tags))
    return brief
