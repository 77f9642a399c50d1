"""The admin of themes, text models and alerts: ours only; a rename is kept like on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.text.models import TextModel, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(aurora, other_org):
    ours = Theme.objects.create(
        organization=aurora, kind=Theme.Kind.DISCOVERED, label="crash · form"
    )
    theirs = Theme.objects.create(
        organization=other_org, kind=Theme.Kind.DISCOVERED, label="fees · price"
    )
    for organization in (aurora, other_org):
        TextModel.objects.create(
            organization=organization,
            started_at=timezone.now(),
            state=TextModel.State.READY,
            sentiment_accuracy=0.83 if organization == aurora else 0.61,
        )
    return ours, theirs


def test_the_admin_lists_only_our_themes_and_models(client, aino, themes):
    _ours, theirs = themes
    client.force_login(aino)

    listing = client.get(reverse("admin:insights_theme_changelist")).content.decode()
    models = client.get(reverse("admin:insights_textmodel_changelist"))
    other = client.get(reverse("admin:insights_theme_change", args=[theirs.pk]))

    assert "crash · form" in listing and "fees · price" not in listing
    assert "0.83" in models.content.decode() and "0.61" not in models.content.decode()
    assert other.status_code == 302  # Django's "does not exist", back to the index


def test_a_rename_in_the_admin_is_a_persons_name_which_retraining_keeps(
    client, aino, themes
):
    ours, _theirs = themes
    client.force_login(aino)

    response = client.post(
        reverse("admin:insights_theme_change", args=[ours.pk]),
        {"label": "  Application   form crashes "},
    )

    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.label, ours.label_edited) == ("Application form crashes", True)


def test_text_models_are_read_only_and_themes_are_not_added_in_the_admin(
    client, aino, themes
):
    client.force_login(aino)
    model = TextModel.objects.filter(organization=themes[0].organization).get()

    add_theme = client.get(reverse("admin:insights_theme_add"))
    change_model = client.post(
        reverse("admin:insights_textmodel_change", args=[model.pk]), {"state": "failed"}
    )

    assert add_theme.status_code == 403
    assert change_model.status_code == 403
    assert TextModel.objects.get(pk=model.pk).state == TextModel.State.READY
