from django.urls import path

from classroom.lti import views

app_name = "lti"
urlpatterns = [
    path("", views.tool_configuration, name="tool_configuration"),
    path("config.json", views.tool_configuration_json, name="tool_configuration_json"),
    path("jwks.json", views.jwks, name="jwks"),
    path("login/", views.login_initiation, name="login"),
    path("launch/", views.launch, name="launch"),
    path("enter/<slug:token>/", views.enter, name="enter"),
    path("landed/", views.landed, name="landed"),
    path("deep-link/<slug:launch_id>/", views.deep_link, name="deep_link"),
    path("groups/<id:group_id>/roster/", views.roster_sync, name="roster_sync"),
    path("passbacks/<id:passback_id>/retry/", views.passback_retry, name="passback_retry"),
]
