from django.urls import path

from briefs import views

app_name = "briefs"
urlpatterns = [
    path("", views.brief_list, name="brief_list"),
    path("<slug:slug>/", views.brief_detail, name="brief_detail"),
]
