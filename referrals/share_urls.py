"""The shared resource-list link, outside the language prefix: the list picks the language."""

from django.urls import path

from referrals import list_views

app_name = "share"

urlpatterns = [
    path("<str:token>/", list_views.shared_list, name="list"),
]
