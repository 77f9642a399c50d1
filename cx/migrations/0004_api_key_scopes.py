"""API keys get scopes. Keys issued before could do everything, so they get ``manage``:
nothing an integrator runs breaks. New keys get ``roles.DEFAULT_SCOPE``."""

from django.db import migrations, models

import cx.models.tenancy

HELP = (
    "What the key may do, comma-separated: events:write (post events), read (every "
    "GET), manage (everything)."
)


class Migration(migrations.Migration):
    dependencies = [
        ("cx", "0003_organization_config_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="scopes",
            field=models.CharField(
                default="manage",
                help_text=HELP,
                max_length=64,
                validators=[cx.models.tenancy.validate_api_key_scopes],
                verbose_name="scopes",
            ),
        ),
        migrations.AlterField(
            model_name="apikey",
            name="scopes",
            field=models.CharField(
                default=cx.models.tenancy.default_api_key_scopes,
                help_text=HELP,
                max_length=64,
                validators=[cx.models.tenancy.validate_api_key_scopes],
                verbose_name="scopes",
            ),
        ),
    ]
