from django.urls import path

from directory import views, views_info, views_provider, views_suggest

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("provider/<uuid:pk>/", views_provider.provider_detail, name="provider-detail"),
    path(
        "provider/<uuid:pk>/suggest/",
        views_suggest.suggest_correction,
        name="suggest-correction",
    ),
    path("suggest/", views_suggest.suggest_provider, name="suggest-provider"),
    path("get-help/", views_info.get_help, name="get-help"),
    path("browse-safely/", views_info.browse_safely, name="browse-safely"),
    path("about/", views_info.about, name="about"),
]
