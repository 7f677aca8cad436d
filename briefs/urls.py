from django.urls import path

from briefs import views

app_name = "briefs"
urlpatterns = [
    path("", views.brief_list, name="brief_list"),
    path("import/", views.brief_import, name="brief_import"),
    path("new/", views.brief_create, name="brief_create"),
    path("preview/", views.brief_preview, name="brief_preview"),
    path("<slug:slug>/", views.brief_detail, name="brief_detail"),
    path("<slug:slug>/edit/", views.brief_edit, name="brief_edit"),
    path("<slug:slug>/versions/<id:version>/", views.brief_version, name="brief_version"),
    path("<slug:slug>/owners/", views.brief_owners, name="brief_owners"),
    path("<slug:slug>/archive/", views.brief_archive, name="brief_archive"),
]
