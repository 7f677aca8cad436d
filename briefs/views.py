"""Brief library pages for instructors: list, brief, import, create and edit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from briefs.actions import BriefRefused, import_briefs, save_brief, set_brief_owners, title_changes
from briefs.forms import BriefForm, BriefImportForm, BriefOwnerForm, BriefSearchForm
from briefs.importer import derive_title, parse_briefs
from briefs.languages import normalise_language
from briefs.models import Brief, Tag
from briefs.permissions import instructor_required

PAGE_SIZE = 20
LIST_PAGE_SIZE = 100  # the compact list: one line per brief


@require_GET
@instructor_required
@vary_on_headers("HX-Request")
def brief_list(request: HttpRequest) -> HttpResponse:
    form = BriefSearchForm(request.GET)
    briefs = Brief.objects.active().prefetch_related("tags")
    if form.is_valid():
        if form.cleaned_data["q"]:
            briefs = briefs.search(form.cleaned_data["q"])
        if form.cleaned_data["tag"]:
            briefs = briefs.filter(tags__slug=form.cleaned_data["tag"])
    as_list = form.is_valid() and form.cleaned_data["view"] == "list"
    page = Paginator(briefs, LIST_PAGE_SIZE if as_list else PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "as_list": as_list,
        "tags": Tag.objects.filter(briefs__archived_at__isnull=True).distinct(),
        "query_string": form.query_string(),
        "filter_string": form.filter_string(),
    }
    template = "briefs/brief_list.html#brief-results" if request.htmx else "briefs/brief_list.html"
    return render(request, template, context)


@require_GET
@instructor_required
def brief_detail(request: HttpRequest, slug: str) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.current().prefetch_related("tags"), slug=slug)
    return render(request, "briefs/brief_detail.html", detail_context(request, brief))


@require_GET
@instructor_required
def brief_version(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """An earlier version, as the threads assigned with it show it: for the brief's owners."""
    current = get_object_or_404(Brief.objects.current().editable_by(request.user), slug=slug)
    brief = get_object_or_404(current.versions(), version=version)
    if brief.pk == current.pk:
        return redirect(current)
    context = detail_context(request, brief) | {"current": current}
    return render(request, "briefs/brief_detail.html", context)


def detail_context(request: HttpRequest, brief: Brief) -> dict:
    editable = Brief.objects.editable_by(request.user).filter(pk=brief.pk).exists()
    context = {"brief": brief, "can_edit": editable}
    if editable:
        context["versions"] = (
            brief.versions().annotate(threads=Count("assignments")).select_related("created_by")
        )
        context["owners"] = brief.owners.order_by("last_name", "first_name", "username")
        context["owner_form"] = BriefOwnerForm()
    return context


@require_POST
@instructor_required
def brief_owners(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a co-owner by username, or remove an owner (an owner may remove themselves)."""
    brief = get_object_or_404(Brief.objects.current().editable_by(request.user), slug=slug)
    owners = list(brief.owners.all())
    form = BriefOwnerForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("__all__", []) + form.errors.get("username", []):
            messages.error(request, error)
        return redirect(brief)
    try:
        if form.cleaned_data["remove"]:
            gone = form.cleaned_data["user"]
            set_brief_owners(brief=brief, owners=[owner for owner in owners if owner.pk != gone.pk])
            messages.success(request, _("%(name)s no longer owns this brief.") % {"name": gone.display_name})
        else:
            added = form.cleaned_data["user"]
            set_brief_owners(brief=brief, owners=[*owners, added])
            messages.success(
                request, _("%(name)s now owns this brief with you.") % {"name": added.display_name}
            )
    except BriefRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(brief)


@require_http_methods(["GET", "POST"])
@instructor_required
def brief_import(request: HttpRequest) -> HttpResponse:
    """Upload or paste briefs, see every parsed brief and every error, then confirm.

    Nothing is written until the confirm step, which parses the same text again. A brief
    already in the library under another headline is shown as changed; its owners may tick
    "update the title" (a box of the confirm form) to rename it.
    """
    form = BriefImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = parse_briefs(form.cleaned_data["text"])
        if request.POST.get("step") == "confirm" and result.ok:
            outcome = import_briefs(
                parsed=result.briefs,
                created_by=request.user,
                tags=form.cleaned_data["tag_names"],
                update_titles=request.POST.getlist("retitle"),
                by=request.user,
            )
            messages.success(request, import_message(outcome))
            return redirect("briefs:brief_list")
        known = set(
            Brief.objects.filter(content_hash__in=[b.content_hash for b in result.briefs]).values_list(
                "content_hash", flat=True
            )
        )
        changes = title_changes(result.briefs, request.user)
        context = {
            # The text comes back in the box, even from an uploaded file, to be fixed in place.
            "form": BriefImportForm(
                initial={"text": form.cleaned_data["text"], "tags": form.cleaned_data["tags"]}
            ),
            "tags": form.cleaned_data["tags"],
            "result": result,
            "known": known,
            "new_count": sum(1 for b in result.briefs if b.content_hash not in known),
            "text": form.cleaned_data["text"],
            "changes": changes,
            "changed": {change.content_hash for change in changes},
            "updatable": sum(1 for change in changes if change.can_update),
        }
        context["same_count"] = len(result.briefs) - context["new_count"] - len(changes)
        return render(request, "briefs/brief_import.html", context)
    return render(request, "briefs/brief_import.html", {"form": form})


def import_message(outcome) -> str:
    created, unchanged, retitled = len(outcome.created), outcome.unchanged, len(outcome.retitled)
    parts = [ngettext("%(count)d brief added", "%(count)d briefs added", created) % {"count": created}]
    if retitled:
        parts.append(
            ngettext("%(count)d title updated", "%(count)d titles updated", retitled) % {"count": retitled}
        )
    if unchanged - retitled:
        same = unchanged - retitled
        parts.append(
            ngettext("%(count)d already in the library", "%(count)d already in the library", same)
            % {"count": same}
        )
    # Translators: the parts of an import's outcome, joined: "3 briefs added, 1 title updated."
    return _("%(parts)s.") % {"parts": _(", ").join(parts)}


@require_http_methods(["GET", "POST"])
@instructor_required
def brief_create(request: HttpRequest) -> HttpResponse:
    form = BriefForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        brief = save_brief(brief=form.instance, tags=form.cleaned_data["tag_names"], by=request.user)
        messages.success(request, _("Brief added to the library."))
        return redirect(brief)
    return render(request, "briefs/brief_form.html", {"form": form, "preview": form.instance})


@require_http_methods(["GET", "POST"])
@instructor_required
def brief_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners only. A change to the text saves a new version; threads keep theirs."""
    brief = get_object_or_404(Brief.objects.current().editable_by(request.user), slug=slug)
    form = BriefForm(request.POST or None, instance=brief)
    if request.method == "POST" and form.is_valid():
        version = brief.version
        try:
            saved = save_brief(brief=form.instance, tags=form.cleaned_data["tag_names"], by=request.user)
        except BriefRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if saved.version != version:
                messages.success(
                    request,
                    _(
                        "Saved as version %(new)d. Threads assigned with version %(old)d "
                        "keep it until their teacher moves them to this one."
                    )
                    % {"new": saved.version, "old": version},
                )
            else:
                messages.success(request, _("Brief saved."))
            return redirect(saved)
    threads = brief.assignments.count()
    context = {"form": form, "brief": brief, "preview": form.instance, "threads": threads}
    return render(request, "briefs/brief_form.html", context)


@require_POST
@instructor_required
def brief_preview(request: HttpRequest) -> HttpResponse:
    """How students will see the brief being edited (htmx, as the instructor types)."""
    preview = Brief(
        title=request.POST.get("title", "")[:200],
        summary=request.POST.get("summary", "")[:5000],
        commentary=request.POST.get("commentary", "")[:5000],
        question=request.POST.get("question", "")[:5000],
        language=normalise_language(request.POST.get("language", "")) or "",
    )
    preview.title = preview.title.strip() or derive_title(preview.summary)
    return render(request, "briefs/brief_form.html#brief-preview", {"preview": preview})


@require_POST
@instructor_required
def brief_archive(request: HttpRequest, slug: str) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.current().editable_by(request.user), slug=slug)
    brief.set_archived(brief.archived_at is None)
    if brief.archived_at:
        messages.success(
            request,
            _("“%(title)s” is archived. Its threads stay open; it is gone from the library.")
            % {"title": brief.title},
        )
        return redirect("briefs:brief_list")
    messages.success(request, _("“%(title)s” is back in the library.") % {"title": brief.title})
    return redirect(brief)
