import django.db.models.deletion
from django.db import migrations, models


def copy_from_responses(apps, schema_editor):
    ResponseSegment = apps.get_model("surveys", "ResponseSegment")
    for snapshot in ResponseSegment.objects.select_related("response").iterator():
        snapshot.organization_id = snapshot.response.organization_id
        snapshot.touchpoint_id = snapshot.response.touchpoint_id
        snapshot.completed_at = snapshot.response.completed_at
        snapshot.save(update_fields=["organization", "touchpoint", "completed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("cx", "0001_initial"),
        ("surveys", "0002_response_imported_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="responsesegment",
            name="organization",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cx.organization",
                verbose_name="organisation",
            ),
        ),
        migrations.AddField(
            model_name="responsesegment",
            name="touchpoint",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cx.touchpoint",
                verbose_name="touchpoint",
            ),
        ),
        migrations.AddField(
            model_name="responsesegment",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="completed"),
        ),
        migrations.RunPython(copy_from_responses, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="responsesegment",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cx.organization",
                verbose_name="organisation",
            ),
        ),
    ]
