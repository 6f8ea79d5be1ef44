from django.contrib.auth import views as auth_views
from django.urls import path

from referrals import list_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="referrals/sign_in.html"),
        name="sign-in",
    ),
    path(
        "sign-out/", auth_views.LogoutView.as_view(next_page="referrals:sign-in"), name="sign-out"
    ),
    path("search/", views.advocate_search, name="search"),
    path("export.csv", views.export_counts, name="export"),
    path("new/<uuid:sal_pk>/", views.referral_new, name="referral-new"),
    path("r/<uuid:pk>/", views.referral_detail, name="referral-detail"),
    path("r/<uuid:pk>/status/", views.referral_status, name="referral-status"),
    path("lists/", list_views.lists_index, name="lists"),
    path("lists/add/", list_views.list_add_item, name="list-add"),
    path("lists/<uuid:pk>/", list_views.list_detail, name="list-detail"),
    path("lists/<uuid:pk>/print/", list_views.list_print, name="list-print"),
    path("lists/<uuid:pk>/share/", list_views.list_share, name="list-share"),
    path("lists/<uuid:pk>/delete/", list_views.list_delete, name="list-delete"),
    path(
        "lists/<uuid:pk>/items/<int:item_pk>/remove/",
        list_views.list_remove_item,
        name="list-remove",
    ),
]
