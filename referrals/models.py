"""Agencies, resource lists and referrals with a closed loop.

Victims' data (VAWA, FVPSA, VOCA) is kept to the least: a referral holds a client code or
initials, one way to reach the client and a note, only with consent, and those client fields
are purged (`manage.py purge_referrals`) once the referral is closed or consent runs out.
Events, notifications, dashboards and exports never carry client fields.
"""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Language, Organization, ServiceAtLocation, Term


class Agency(models.Model):
    """An advocates' agency: a hotline, a victim-witness unit, a case-management team."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=250, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class AgencyMembership(models.Model):
    """An advocate works for one agency; every referral and list they make belongs to it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    # One list in use per advocate, kept across sign-ins: "Add to list" adds to it.
    current_list = models.ForeignKey(
        "ResourceList",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("list in use"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("advocate")
        verbose_name_plural = _("advocates")

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


def list_languages() -> list[tuple[str, str]]:
    """A handout can be in any language of the site (settings.LANGUAGES)."""
    return list(settings.LANGUAGES)


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


def share_expiry():
    return timezone.now() + timedelta(days=settings.REFERRAL_LIST_SHARE_DAYS)


class ResourceList(models.Model):
    """Listings an advocate gathers for a client; printed or shared as a link. No client data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="resource_lists")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(
        _("title"),
        max_length=120,
        help_text=_("Describe the needs, never the client: no names, initials or case numbers."),
    )
    language = models.CharField(
        _("language of the handout"),
        max_length=8,
        choices=list_languages,
        default="en",
    )
    share_token = models.CharField(max_length=64, unique=True, default=new_share_token)
    share_expires_at = models.DateTimeField(_("shared link expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "id"]
        verbose_name = _("resource list")

    def __str__(self) -> str:
        return self.title

    def is_shared(self, *, now=None) -> bool:
        return self.share_expires_at is not None and self.share_expires_at > (now or timezone.now())

    def share(self) -> None:
        """A fresh token (the old link stops working) valid for REFERRAL_LIST_SHARE_DAYS."""
        self.share_token = new_share_token()
        self.share_expires_at = share_expiry()
        self.save(update_fields=["share_token", "share_expires_at", "updated_at"])

    def unshare(self) -> None:
        self.share_token = new_share_token()
        self.share_expires_at = None
        self.save(update_fields=["share_token", "share_expires_at", "updated_at"])


class ResourceListItem(models.Model):
    resource_list = models.ForeignKey(ResourceList, on_delete=models.CASCADE, related_name="items")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_list", "service_at_location"], name="list_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_list} #{self.position}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CLIENT_CONTACTED = "client_contacted", _("Client contacted")
    HELP_RECEIVED = "help_received", _("Help received")
    COULD_NOT_REACH = "could_not_reach", _("Could not reach")
    CLOSED = "closed", _("Closed")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    CLIENT_WILL_CALL = "client_will_call", _("Do not contact the client: the client will call")


class Urgency(models.TextChoices):
    TODAY = "today", _("Today: there is a safety concern")
    SOON = "soon", _("Within two days")
    ROUTINE = "routine", _("Within a week")


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=ReferralStatus.CLOSED)

    def purgeable(self, *, now=None):
        """Still holding client fields, and closed long enough ago or past consent."""
        now = now or timezone.now()
        closed_before = now - timedelta(days=settings.REFERRAL_PURGE_DAYS)
        return self.filter(client_data_purged_at__isnull=True).filter(
            models.Q(status=ReferralStatus.CLOSED, closed_at__lte=closed_before)
            | models.Q(consent_expires_on__lt=timezone.localdate(now))
        )


class Referral(models.Model):
    """A client sent by an advocate's agency to a provider's service at a location."""

    CLIENT_FIELDS = (
        "client_reference",
        "contact_method",
        "contact_value",
        "client_language",
        "note",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who may see it is decided by the organization, kept even if the listing goes away.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs = models.ManyToManyField(
        Term,
        related_name="+",
        verbose_name=_("needs"),
        limit_choices_to={"kind": Term.Kind.SERVICE_TYPE},
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    decline_reason = models.CharField(
        _("reason declined"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    # Client fields: purged when closed long enough or consent has expired.
    client_reference = models.CharField(
        _("client code or initials"),
        max_length=20,
        blank=True,
        help_text=_("A code or initials your agency understands. Never the client's name."),
    )
    contact_method = models.CharField(
        _("how the provider may reach the client"),
        max_length=20,
        choices=ContactMethod.choices,
        blank=True,
    )
    contact_value = models.CharField(_("phone number or email"), max_length=254, blank=True)
    client_language = models.CharField(
        _("the client's language"),
        max_length=8,
        blank=True,
        help_text=_("So the provider can have an interpreter ready."),
    )
    urgency = models.CharField(
        _("how soon the provider should respond"),
        max_length=10,
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
    )
    note = models.TextField(
        _("note for the provider"),
        max_length=1000,
        blank=True,
        help_text=_("Only what the provider needs to help. Safe times to call, for example."),
    )
    consent_given = models.BooleanField(_("the client consented to this referral"), default=False)
    consent_given_on = models.DateField(_("consent given on"))
    consent_expires_on = models.DateField(_("consent expires on"))
    client_data_purged_at = models.DateTimeField(_("client details removed"), null=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("referral")
        permissions = [
            ("see_all_referrals", "Can see and update every referral (site admin)"),
        ]
        indexes = [models.Index(fields=["status", "closed_at"], name="referral_status_idx")]

    def __str__(self) -> str:
        return self.short_id

    @property
    def short_id(self) -> str:
        return "R-" + self.id.hex[:8].upper()

    @property
    def is_open(self) -> bool:
        return self.status != ReferralStatus.CLOSED

    def consent_current(self, *, today=None) -> bool:
        return self.consent_given and self.consent_expires_on >= (today or timezone.localdate())

    def client_data_available(self, *, today=None) -> bool:
        """Whether client fields may be shown: not purged and consent still holds."""
        return self.client_data_purged_at is None and self.consent_current(today=today)

    @property
    def client_language_name(self) -> str:
        """The client's language in the reader's language ("" when not given)."""
        if not self.client_language:
            return ""
        language = Language.objects.filter(code=self.client_language).first()
        return language.local_name if language else self.client_language

    def purge_client_data(self, *, now=None) -> None:
        for name in self.CLIENT_FIELDS:
            setattr(self, name, "")
        self.client_data_purged_at = now or timezone.now()
        self.save(update_fields=[*self.CLIENT_FIELDS, "client_data_purged_at", "updated_at"])


class ReferralEvent(models.Model):
    """One step of a referral's status, with who and when. Never client details."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("referral event")

    def __str__(self) -> str:
        return f"{self.referral} {self.status} {self.at:%Y-%m-%d}"


class ClientDataAccess(models.Model):
    """Someone was shown a referral's client fields (page or API): the access log."""

    class Via(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=4, choices=Via.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("client data access")
        verbose_name_plural = _("client data accesses")

    def __str__(self) -> str:
        return f"{self.user} {self.referral} {self.at:%Y-%m-%d %H:%M}"
