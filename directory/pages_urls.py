from django.urls import path

from directory import (
    views,
    views_confirm,
    views_info,
    views_options,
    views_provider,
    views_suggest,
)

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
    path("confirm/<str:token>/", views_confirm.confirm_listing, name="confirm-listing"),
    path(
        "confirm/<str:token>/<uuid:pk>/",
        views_confirm.correct_listing,
        name="confirm-correct",
    ),
    path("get-help/", views_info.get_help, name="get-help"),
    path("browse-safely/", views_info.browse_safely, name="browse-safely"),
    path("about/", views_info.about, name="about"),
    # Know your options: neutral addresses, as these land in the browser's history.
    path("options/", views_options.options, name="options"),
    path("options/basics/", views_options.basics, name="options-basics"),
    path("options/questions/", views_options.questions, name="options-questions"),
    path("options/help/", views_options.needs, name="options-help"),
    path("options/young-people/", views_options.young_people, name="options-young-people"),
    path("options/other-countries/", views_options.other_countries, name="options-other-countries"),
    path("options/find/", views_options.find, name="options-find"),
]
