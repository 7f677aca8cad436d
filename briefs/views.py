"""Brief library pages for instructors: the searchable list and one brief."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from briefs.forms import BriefSearchForm
from briefs.models import Brief, Tag
from briefs.permissions import instructor_required

PAGE_SIZE = 20


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
    page = Paginator(briefs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "tags": Tag.objects.filter(briefs__archived_at__isnull=True).distinct(),
        "query_string": form.query_string(),
    }
    template = "briefs/brief_list.html#brief-results" if request.htmx else "briefs/brief_list.html"
    return render(request, template, context)


@require_GET
@instructor_required
def brief_detail(request: HttpRequest, slug: str) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.prefetch_related("tags"), slug=slug)
    return render(request, "briefs/brief_detail.html", {"brief": brief})
