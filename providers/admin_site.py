"""The admin site: Django's, plus an optional second factor (settings.ADMIN_REQUIRE_2FA).

With the setting on, a staff user reaches the admin only in a session verified by a TOTP
code (django-otp). Someone without a device signs in with their password and is sent to
enrol one (`admin:2fa-enrol`); someone with a device must give a code at sign-in.
Kept out of providers/admin/ because `admin.site` is built from this class while that
package is being imported.
"""

from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice


class TwoFactorAuthenticationForm(OTPAdminAuthenticationForm):
    """Password, then a code when the user has a confirmed device (else: enrol next)."""

    def clean(self):
        self.cleaned_data = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return self.cleaned_data


def two_factor_required(user) -> bool:
    return settings.ADMIN_REQUIRE_2FA and not user.is_verified()


class DirectorySite(admin.AdminSite):
    site_header = _("Resource Map administration")
    site_title = _("Resource Map admin")
    index_title = _("Listings, suggestions and people")
    index_template = "admin/directory_index.html"

    @property
    def login_form(self):
        return TwoFactorAuthenticationForm if settings.ADMIN_REQUIRE_2FA else None

    @property
    def login_template(self):
        if settings.ADMIN_REQUIRE_2FA:
            return OTPAdminSite.login_template
        return None

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_2FA or user.is_verified()

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            if two_factor_required(user) and not user_has_device(user):
                return redirect("admin:2fa-enrol")
        return super().login(request, extra_context)

    def index(self, request, extra_context=None):
        context = {**attention(request), "offer_2fa": not user_has_device(request.user)}
        return super().index(request, {**context, **(extra_context or {})})

    def get_urls(self):
        # Not wrapped in admin_view: an unverified user must reach it to enrol.
        return [
            path("2fa/enrol/", self.enrol_totp, name="2fa-enrol"),
            *super().get_urls(),
        ]

    def enrol_totp(self, request):
        return enrol_totp(request, self)


def attention(request) -> dict:
    """What an editor should look at first: stale published listings, pending suggestions,
    possible duplicates."""
    from providers.models import DuplicatePair, Status, Suggestion

    user = request.user
    found = {}
    if user.has_perm("providers.change_organization"):
        from providers.permissions import organizations_for

        found["stale"] = organizations_for(user).filter(status=Status.PUBLISHED).stale().count()
    if user.has_perm("providers.change_suggestion"):
        found["suggestions"] = Suggestion.objects.pending().count()
    if user.has_perm("providers.change_duplicatepair"):
        open_pairs = DuplicatePair.objects.filter(decision=DuplicatePair.Decision.OPEN)
        found["duplicates"] = open_pairs.count()
    return {"attention": found, "days": settings.STALE_AFTER_DAYS} if found else {}


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@never_cache
@login_required(login_url="admin:login")
def enrol_totp(request, site: DirectorySite):
    """Set up a TOTP device: show the key, confirm it with one code, verify the session."""
    user = request.user
    if not user.is_staff:
        return redirect("admin:login")
    confirmed = list(devices_for_user(user, confirmed=True))
    if confirmed and not request.user.is_verified():
        # A second device is added only from a session verified with the first.
        return redirect(f"{reverse('admin:login')}?next={reverse('admin:index')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("admin:index")
        form.add_error("otp_token", _("That code did not match. Check the time on your phone."))
    context = {
        **site.each_context(request),
        "title": _("Set up a second sign-in step"),
        "form": form,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
    }
    return TemplateResponse(request, "admin/two_factor_enrol.html", context)
