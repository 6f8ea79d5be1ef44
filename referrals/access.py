"""Who may see what: the one place that decides referral and list visibility.

A referral is visible to its referring agency's advocates, the receiving organization's
staff and site admins; to anyone else it does not exist (views answer 404, not 403).
"""

from django.db.models import Q, QuerySet

from providers.models import Organization
from referrals.models import Agency, AgencyMembership, Referral, ResourceList

SEE_ALL = "referrals.see_all_referrals"


class Role:
    ADVOCATE = "advocate"
    PROVIDER = "provider"
    ADMIN = "admin"


def is_site_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(SEE_ALL))


def membership_of(user) -> AgencyMembership | None:
    """The advocate's membership of an active agency, with the agency and the list in use
    (one query, cached on the user object), or None."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    if not hasattr(user, "_referrals_membership"):
        user._referrals_membership = (
            AgencyMembership.objects.filter(user=user, agency__is_active=True)
            .select_related("agency", "current_list")
            .first()
        )
    return user._referrals_membership


def agency_of(user) -> Agency | None:
    """The advocate's agency, or None."""
    membership = membership_of(user)
    return membership.agency if membership else None


def organizations_of(user) -> QuerySet:
    """Organizations whose referrals this user answers as provider staff.

    The one user-organization link is providers' StaffMembership. The membership alone is
    enough here; editing the listing in the admin also needs the "Provider staff" group.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Organization.objects.none()
    return Organization.objects.filter(staff_memberships__user=user)


def is_advocate(user) -> bool:
    return agency_of(user) is not None


def is_provider_staff(user) -> bool:
    return organizations_of(user).exists()


def visible_referrals(user) -> QuerySet:
    if is_site_admin(user):
        return Referral.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Referral.objects.none()
    agency = agency_of(user)
    # A subquery, not a join: a join through staff rows would repeat referrals.
    condition = Q(organization_id__in=organizations_of(user).values("id"))
    if agency is not None:
        condition |= Q(agency=agency)
    return Referral.objects.filter(condition)


def visible_lists(user) -> QuerySet:
    """Resource lists are the agency's own (site admins see all)."""
    if is_site_admin(user):
        return ResourceList.objects.all()
    agency = agency_of(user)
    if agency is None:
        return ResourceList.objects.none()
    return ResourceList.objects.filter(agency=agency)


def roles_for(user, referral: Referral) -> set[str]:
    """The parts this user plays on this referral (empty: not theirs to see)."""
    roles: set[str] = set()
    if is_site_admin(user):
        roles.add(Role.ADMIN)
    agency = agency_of(user)
    if agency is not None and referral.agency_id == agency.id:
        roles.add(Role.ADVOCATE)
    if organizations_of(user).filter(id=referral.organization_id).exists():
        roles.add(Role.PROVIDER)
    return roles
