"""The public suggestion forms. They ask for the listing's facts only, never who is asking."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from providers.models import Term

HONEYPOT = "contact_name"


def _text(label, *, max_length=250, help_text="", **kwargs):
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text, **kwargs
    )


def _phone(label):
    return _text(
        label,
        max_length=40,
        validators=[
            RegexValidator(
                r"^[0-9+()\-.\s]*(?:(?:ext|x)\.?\s*[0-9]+)?$",
                _("Use digits, spaces and + ( ) - . only."),
            )
        ],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class SuggestionForm(forms.Form):
    """Fields shared by "suggest a correction" and "suggest a new provider"."""

    name = _text(_("Name of the organization"))
    phone_voice = _phone(_("Phone number for calls"))
    phone_hotline = _phone(_("Hotline number"))
    phone_text = _phone(_("Number for text messages (SMS)"))
    phone_tty = _phone(_("TTY number (for deaf or hard of hearing callers)"))
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    address_1 = _text(_("Street address"))
    city = _text(_("City"), max_length=120)
    state = _text(
        _("State"),
        max_length=2,
        help_text=_("Two letters, for example TX."),
        validators=[RegexValidator(r"^[A-Za-z]{2}$", _("Use the two-letter state code."))],
    )
    postcode = _text(
        _("ZIP code"),
        max_length=10,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", _("Use a 5-digit ZIP code."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    hours_note = _text(_("Hours"), max_length=300)
    services = forms.MultipleChoiceField(
        label=_("Services offered"), required=False, widget=forms.CheckboxSelectMultiple
    )
    description = _text(_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    message = _text(
        _("What is wrong, or anything else we should know"),
        max_length=2000,
        help_text=_("Please do not include your name or contact details."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Hidden from people (the wrapper is `hidden` and aria-hidden); bots fill it in.
    contact_name = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    SUGGESTED = (
        "name",
        "phone_voice",
        "phone_hotline",
        "phone_text",
        "phone_tty",
        "website",
        "address_1",
        "city",
        "state",
        "postcode",
        "hours_note",
        "services",
        "description",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [
            (term.slug, term.local_name) for term in Term.objects.service_types()
        ]

    def clean_state(self):
        return self.cleaned_data["state"].strip().upper()

    def clean_services(self):
        return sorted(self.cleaned_data["services"])

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT]


class CorrectionForm(SuggestionForm):
    """Pre-filled with what the listing shows; only what the person changes is sent."""

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self.SUGGESTED if name in self.changed_data
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes() and not cleaned.get("message", "").strip():
            raise forms.ValidationError(
                _("Change a field above or tell us what is wrong."), code="nothing"
            )
        return cleaned


class NewProviderForm(SuggestionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SUGGESTED}
