"""Thread epochs: what a restore and a hard delete change, so that no cache serves the past.

Every write through the actions takes a new thread version, and cached thread state is keyed
by it (classroom.caching). Two kinds of change leave no version behind: a restore (versions
may go back, ids come back with other contents) and a hard delete (the admin deleting a user
cascades to their responses, which the incremental row read cannot see). Both give the
threads they touch a new random epoch, in the same transaction as the change; every key
and memo names the epoch, so every worker and instance drops the old state at its next read.
A brief saved in place (its tags, archived; the briefs app knows no threads) gives its threads
a new version; a change to its text is a new brief version, which threads show only once
their teacher moves them (classroom.actions.move_to_newest_brief).
"""

import secrets

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.signals import post_delete, post_save

from briefs.models import Brief
from classroom import caching
from classroom.models import Assignment, Feedback, Group, Membership, Participation, Response, User


def new_epoch() -> int:
    # Random rather than counted: a restored row may carry any earlier count.
    return secrets.randbits(62)


def start_new_epoch(threads: QuerySet[Assignment] | None = None) -> int:
    """Give these threads (all, when None) a new epoch and version; returns how many."""
    threads = Assignment.objects.all() if threads is None else threads
    return threads.update(epoch=new_epoch(), version=F("version") + 1)


def _forget_after_commit(sender: type, **kwargs: object) -> None:
    """A user or a group deleted (in the admin): free this process's memory of the old state once.
    Other processes need no call: the new epochs already keep them from serving it."""
    transaction.on_commit(caching.forget_everything)


def _thread_data_deleted(sender: type, instance: object, **kwargs: object) -> None:
    start_new_epoch(Assignment.objects.filter(pk=instance.assignment_id))


def _membership_deleted(sender: type, instance: Membership, **kwargs: object) -> None:
    start_new_epoch(Assignment.objects.filter(group_id=instance.group_id))


def _user_saved(
    sender: type, instance: User, created: bool, update_fields: frozenset | None, **kwargs
) -> None:
    """A name shows on cached cards: renaming a user (in the admin) starts their threads anew."""
    if created or (update_fields is not None and not {"first_name", "last_name", "username"} & update_fields):
        return  # a new account is in no thread yet; a login saves only last_login
    groups = Q(group__memberships__student=instance) | Q(group__instructors=instance)
    start_new_epoch(Assignment.objects.filter(pk__in=Assignment.objects.filter(groups).values("pk")))


def _brief_saved(
    sender: type, instance: Brief, created: bool, update_fields: frozenset | None, **kwargs: object
) -> None:
    """A brief row saved in place: a new thread version, so open pages and caches see it."""
    if created or update_fields == {"superseded_at"}:
        return  # a newer version saved: threads keep showing this one
    threads = list(Assignment.objects.filter(brief_id=instance.pk).values_list("pk", flat=True))
    if threads:
        Assignment.objects.filter(pk__in=threads).update(version=F("version") + 1)
        caching.thread_changed(*threads)


def connect() -> None:
    for model in (Response, Participation, Feedback):
        post_delete.connect(_thread_data_deleted, sender=model, dispatch_uid=f"epoch-{model.__name__}")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="epoch-Membership")
    for model in (User, Group):
        post_delete.connect(_forget_after_commit, sender=model, dispatch_uid=f"forget-{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="epoch-User")
    post_save.connect(_brief_saved, sender=Brief, dispatch_uid="version-Brief")
