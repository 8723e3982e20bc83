"""Seed the default framework (HMICFRS national child protection inspection topics)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from safeguard.inspections.defaults import DEFAULT_CODE, DEFAULT_DESCRIPTION, DEFAULT_NAME, DEFAULT_TOPICS

    Framework = apps.get_model("inspections", "Framework")
    Topic = apps.get_model("inspections", "Topic")
    Criterion = apps.get_model("inspections", "Criterion")
    if Framework.objects.filter(code=DEFAULT_CODE).exists():
        return
    framework = Framework.objects.create(code=DEFAULT_CODE, version=1, name=DEFAULT_NAME,
                                         description=DEFAULT_DESCRIPTION, case_types=[], created_at=timezone.now())
    for t_order, (title, criteria) in enumerate(DEFAULT_TOPICS, start=1):
        topic = Topic.objects.create(framework=framework, order=t_order, title=title)
        Criterion.objects.bulk_create([Criterion(topic=topic, order=c_order, text=text, guidance=guidance)
                                       for c_order, (text, guidance) in enumerate(criteria, start=1)])


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
