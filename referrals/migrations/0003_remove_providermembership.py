from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_staff_memberships_to_providers"),
    ]

    operations = [migrations.DeleteModel(name="ProviderMembership")]
