"""Resource lists: gather listings while searching, print a handout, share it as a link.

The shared link carries no client data, is not indexed or cached, and expires.
"""

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from directory.context_processors import language_menu
from directory.http import add_public_headers
from providers.models import ServiceAtLocation
from referrals.access import agency_of, membership_of, visible_lists
from referrals.forms import AddToListForm, ResourceListForm
from referrals.handout import handout_entries
from referrals.models import ResourceList, ResourceListItem
from referrals.views import advocate_required


def add_anchor(sal: ServiceAtLocation) -> str:
    """The id of a result's Add to list form, the fragment "Add to list" returns to."""
    return f"add-{sal.pk}"


def _own_list(request: HttpRequest, pk) -> ResourceList:
    return get_object_or_404(visible_lists(request.user), pk=pk)


def active_list(request: HttpRequest) -> ResourceList | None:
    """The advocate's list in use, the one "Add to list" adds to: the one they last opened,
    created or added to, in this or an earlier sign-in (one per advocate, not per session)."""
    membership = membership_of(request.user)
    current = membership.current_list if membership else None
    if current is None or current.agency_id != membership.agency_id:
        return None
    return current


def _activate(request: HttpRequest, resource_list: ResourceList) -> None:
    membership = membership_of(request.user)
    if membership is not None and membership.current_list_id != resource_list.pk:
        membership.current_list = resource_list
        membership.save(update_fields=["current_list"])


@advocate_required
def lists_index(request: HttpRequest) -> HttpResponse:
    form = ResourceListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resource_list = form.save(commit=False)
        resource_list.agency = agency_of(request.user)
        resource_list.created_by = request.user
        resource_list.save()
        _activate(request, resource_list)
        messages.success(request, _("List created. Search and add listings to it."))
        return redirect("referrals:list-detail", pk=resource_list.pk)
    lists = visible_lists(request.user).filter(agency=agency_of(request.user))
    return render(
        request,
        "referrals/lists.html",
        {"form": form, "lists": lists, "active": active_list(request)},
    )


@never_cache
@advocate_required
def list_detail(request: HttpRequest, pk) -> HttpResponse:
    resource_list = _own_list(request, pk)
    form = ResourceListForm(request.POST or None, instance=resource_list)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("List saved."))
        return redirect("referrals:list-detail", pk=resource_list.pk)
    _activate(request, resource_list)
    return render(
        request,
        "referrals/list_detail.html",
        {
            "form": form,
            "resource_list": resource_list,
            "entries": _entries_in_language(resource_list),
            "now": timezone.now(),
            **_handed_out_by(request),
        },
    )


def _handed_out_by(request: HttpRequest) -> dict:
    """Who gives the printed handout and when (never on the shared link: no agency there)."""
    return {"referring_agency": agency_of(request.user), "printed_on": timezone.localdate()}


def _entries_in_language(resource_list: ResourceList):
    # Weekday names and language names come out in the handout's language.
    with translation.override(resource_list.language):
        return handout_entries(resource_list)


@never_cache
@advocate_required
def list_print(request: HttpRequest, pk) -> HttpResponse:
    """The handout alone, one page, in the list's language whatever the advocate's."""
    resource_list = _own_list(request, pk)
    entries = _entries_in_language(resource_list)
    with translation.override(resource_list.language):
        return render(
            request,
            "referrals/list_print.html",
            {
                "resource_list": resource_list,
                "entries": entries,
                **_handed_out_by(request),
            },
        )


def _safe_next(request: HttpRequest, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
@advocate_required
def list_add_item(request: HttpRequest) -> HttpResponse:
    form = AddToListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That listing could not be added."))
        return redirect("referrals:search")
    sal = get_object_or_404(
        ServiceAtLocation.objects.listed().select_related("service"),
        pk=form.cleaned_data["service_at_location"],
    )
    if form.cleaned_data["resource_list"]:
        resource_list = _own_list(request, form.cleaned_data["resource_list"])
    else:
        resource_list = active_list(request) or ResourceList.objects.create(
            agency=agency_of(request.user),
            created_by=request.user,
            title=_("Resources"),
            language=translation.get_language()[:2] if translation.get_language() else "en",
        )
    _activate(request, resource_list)
    position = (resource_list.items.aggregate(top=Max("position"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            ResourceListItem.objects.create(
                resource_list=resource_list, service_at_location=sal, position=position
            )
    except IntegrityError:
        messages.info(request, _("Already on “%(list)s”.") % {"list": resource_list.title})
    else:
        resource_list.save(update_fields=["updated_at"])
        messages.success(
            request,
            _("Added %(name)s to “%(list)s”.")
            % {"name": sal.service.name, "list": resource_list.title},
        )
    target = _safe_next(request, form.cleaned_data["next"])
    if target:
        # Back to the same place in the results: the card's Add to list form has this id.
        return redirect(f"{target.partition('#')[0]}#{add_anchor(sal)}")
    return redirect("referrals:list-detail", pk=resource_list.pk)


@require_POST
@advocate_required
def list_remove_item(request: HttpRequest, pk, item_pk) -> HttpResponse:
    resource_list = _own_list(request, pk)
    resource_list.items.filter(pk=item_pk).delete()
    return redirect("referrals:list-detail", pk=resource_list.pk)


@require_POST
@advocate_required
def list_share(request: HttpRequest, pk) -> HttpResponse:
    resource_list = _own_list(request, pk)
    if request.POST.get("action") == "unshare":
        resource_list.unshare()
        messages.success(request, _("The shared link no longer works."))
    else:
        resource_list.share()
        messages.success(request, _("A new link was made. Any older link no longer works."))
    return redirect("referrals:list-detail", pk=resource_list.pk)


@require_POST
@advocate_required
def list_delete(request: HttpRequest, pk) -> HttpResponse:
    resource_list = _own_list(request, pk)
    resource_list.delete()
    messages.success(request, _("List deleted."))
    return redirect("referrals:lists")


def _private(response: HttpResponse) -> HttpResponse:
    add_public_headers(response)  # the CSP and Permissions-Policy of every public page
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _shared_language(request: HttpRequest, default: str) -> str:
    """The list's language, unless the reader picked the other one (?lang=en|es)."""
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else default


def _language_links(request: HttpRequest, current: str) -> SafeString:
    # The site's language links translate the URL path; this page keeps one path for both.
    links = [(code, f"{request.path}?lang={code}") for code, _name in settings.LANGUAGES]
    return language_menu(links, current=current)


def shared_list(request: HttpRequest, token: str) -> HttpResponse:
    """What a survivor opens from a shared link: the handout, Quick Exit, the 911 line."""
    resource_list = ResourceList.objects.filter(share_token=token).first()
    if resource_list is None or not resource_list.is_shared():
        default = resource_list.language if resource_list else translation.get_language()
        language = _shared_language(request, default)
        with translation.override(language):
            response = render(
                request,
                "referrals/shared_list_gone.html",
                {"language_links": _language_links(request, language)},
                status=404 if resource_list is None else 410,
            )
        return _private(response)
    language = _shared_language(request, resource_list.language)
    with translation.override(language):
        entries = handout_entries(resource_list)
        response = render(
            request,
            "referrals/shared_list.html",
            {
                "resource_list": resource_list,
                "entries": entries,
                "language_links": _language_links(request, language),
            },
        )
    return _private(response)
