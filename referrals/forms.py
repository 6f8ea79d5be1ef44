"""Forms for advocates and provider staff: parse and check input, nothing else."""

import re
from datetime import timedelta
from uuid import UUID

import phonenumbers
from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Language, Term
from referrals.models import (
    ContactMethod,
    DeclineReason,
    Referral,
    ReferralStatus,
    ResourceList,
    Urgency,
)

# Consent is asked again after this long at most; then client details are purged.
MAX_CONSENT_DAYS = 365
DEFAULT_CONSENT_DAYS = 90


class DateInput(forms.DateInput):
    input_type = "date"


class ResourceListForm(forms.ModelForm):
    class Meta:
        model = ResourceList
        fields = ["title", "language"]


class AddToListForm(forms.Form):
    service_at_location = forms.UUIDField(widget=forms.HiddenInput)
    resource_list = forms.UUIDField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class AdvocateSearchForm(forms.Form):
    """A plain search for advocates: place (optional), a need, and words."""

    near = forms.CharField(label=_("ZIP code or city"), required=False, max_length=100, strip=True)
    service = forms.ModelChoiceField(
        label=_("Need"),
        required=False,
        queryset=Term.objects.service_types(),
        to_field_name="slug",
        empty_label=_("Any need"),
    )
    q = forms.CharField(label=_("Words"), required=False, max_length=100, strip=True)


SHORT_ID = re.compile(r"[0-9a-f]{1,8}|[0-9a-f]{32}")


class ReferralFilterForm(forms.Form):
    """The dashboard's filter: open referrals unless asked otherwise, or one referral id."""

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Open referrals")), ("all", _("All referrals")), *ReferralStatus.choices],
    )
    ref = forms.CharField(
        label=_("Referral id"),
        required=False,
        max_length=40,
        strip=True,
        help_text=_("For example R-1A2B3C4D; open or closed."),
    )

    def clean_ref(self) -> str:
        raw = self.cleaned_data["ref"].lower().removeprefix("r-").replace("-", "")
        if raw and not SHORT_ID.fullmatch(raw):
            raise forms.ValidationError(_("Enter a referral id like R-1A2B3C4D."))
        return raw

    def apply(self, referrals):
        """The referrals asked for: by id (whatever the status), else by status; open
        ones when the form is empty or not valid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        ref = data.get("ref")
        if ref and len(ref) == 32:
            return referrals.filter(id=UUID(ref))
        if ref:  # the first digits, as the short id shows them (PostgreSQL's text has hyphens)
            return referrals.filter(id__istartswith=ref)
        status = data.get("status", "")
        if status == "":
            return referrals.open()
        if status == "all":
            return referrals
        return referrals.filter(status=status)


def normalise_phone(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(_("Enter a phone number, e.g. 212-555-0100.")) from None
    if not phonenumbers.is_possible_number(number):
        raise forms.ValidationError(_("Enter a phone number, e.g. 212-555-0100."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_referral_fields(data: dict, *, today) -> dict:
    """The rules shared by the page form and the API; raises ValidationError by field."""
    errors: dict[str, str] = {}
    if not data.get("consent_given"):
        errors["consent_given"] = _(
            "A referral can only be sent with the client's consent. Ask the client first."
        )
    given = data.get("consent_given_on")
    expires = data.get("consent_expires_on")
    if given and given > today:
        errors["consent_given_on"] = _("Consent cannot be given in the future.")
    if given and expires:
        if expires < today:
            errors["consent_expires_on"] = _("This consent has already expired.")
        elif expires < given:
            errors["consent_expires_on"] = _("Consent cannot expire before it was given.")
        elif expires > given + timedelta(days=MAX_CONSENT_DAYS):
            errors["consent_expires_on"] = _(
                "Consent may last at most %(days)d days: ask again after that."
            ) % {"days": MAX_CONSENT_DAYS}
    method = data.get("contact_method")
    value = (data.get("contact_value") or "").strip()
    if method == ContactMethod.CLIENT_WILL_CALL:
        # Nothing to store when the provider must not reach out.
        value = ""
    elif method in (ContactMethod.PHONE, ContactMethod.TEXT):
        if not value:
            errors["contact_value"] = _("Give the number the provider may use.")
        else:
            try:
                value = normalise_phone(value)
            except forms.ValidationError as error:
                errors["contact_value"] = error.messages[0]
    elif method == ContactMethod.EMAIL:
        try:
            validate_email(value)
        except forms.ValidationError:
            errors["contact_value"] = _("Give the email address the provider may use.")
    data["contact_value"] = value
    if errors:
        raise forms.ValidationError(errors)
    return data


class ReferralForm(forms.ModelForm):
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs"),
        queryset=Term.objects.service_types(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Referral
        fields = [
            "needs",
            "client_reference",
            "contact_method",
            "contact_value",
            "client_language",
            "urgency",
            "note",
            "consent_given",
            "consent_given_on",
            "consent_expires_on",
        ]
        widgets = {
            "contact_method": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "consent_given_on": DateInput,
            "consent_expires_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["needs"].label_from_instance = lambda term: term.local_name
        self.fields["client_reference"].required = True
        self.fields["contact_method"].required = True
        self.fields["contact_method"].choices = ContactMethod.choices
        # Within a week unless the advocate says sooner.
        self.fields["urgency"].required = False
        self.fields["urgency"].choices = Urgency.choices
        # Every language a listing can offer, named in the advocate's language.
        languages = sorted(
            ((language.code, language.local_name) for language in Language.objects.all()),
            key=lambda choice: choice[1].casefold(),
        )
        self.fields["client_language"] = forms.ChoiceField(
            label=self.fields["client_language"].label,
            help_text=self.fields["client_language"].help_text,
            required=False,
            choices=[("", _("Not given")), *languages],
        )
        # Checked in clean() with a message that says what to do.
        self.fields["consent_given"].required = False
        self.fields["consent_given_on"].initial = today
        self.fields["consent_expires_on"].initial = today + timedelta(days=DEFAULT_CONSENT_DAYS)

    def clean_urgency(self):
        return self.cleaned_data.get("urgency") or Urgency.ROUTINE

    def clean(self):
        data = super().clean()
        return clean_referral_fields(data, today=timezone.localdate())


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.ChoiceField(
        label=_("Reason (when declining)"),
        required=False,
        choices=[("", "—"), *DeclineReason.choices],
    )

    def __init__(self, *args, moves: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, ReferralStatus(s).label) for s in moves]
        if ReferralStatus.DECLINED not in moves:
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        data.setdefault("reason", "")
        if data.get("status") == ReferralStatus.DECLINED and not data.get("reason"):
            self.add_error("reason", _("Say why the referral is declined."))
        return data
