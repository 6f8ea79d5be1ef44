from django.urls import path

from directory import views, views_suggest

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "provider/<uuid:pk>/suggest/",
        views_suggest.suggest_correction,
        name="suggest-correction",
    ),
    path("suggest/", views_suggest.suggest_provider, name="suggest-provider"),
]
