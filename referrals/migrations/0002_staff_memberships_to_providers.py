"""Provider staff are linked to organizations by providers' StaffMembership from now on.

Copy every referrals ProviderMembership into a StaffMembership (the next migration removes
the old table). A membership alone lets a person answer their organization's referrals;
editing its listing in the admin still needs staff status and the "Provider staff" group,
so nobody gains admin access from this copy.
"""

from django.db import migrations


def to_staff_memberships(apps, schema_editor):
    ProviderMembership = apps.get_model("referrals", "ProviderMembership")
    StaffMembership = apps.get_model("providers", "StaffMembership")
    for user_id, organization_id in ProviderMembership.objects.values_list(
        "user_id", "organization_id"
    ):
        StaffMembership.objects.get_or_create(user_id=user_id, organization_id=organization_id)


def to_provider_memberships(apps, schema_editor):
    ProviderMembership = apps.get_model("referrals", "ProviderMembership")
    StaffMembership = apps.get_model("providers", "StaffMembership")
    for user_id, organization_id in StaffMembership.objects.values_list(
        "user_id", "organization_id"
    ):
        ProviderMembership.objects.get_or_create(
            user_id=user_id, organization_id=organization_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_agencies_lists_referrals"),
        ("providers", "0003_history_staff_suggestions"),
    ]

    operations = [migrations.RunPython(to_staff_memberships, to_provider_memberships)]
