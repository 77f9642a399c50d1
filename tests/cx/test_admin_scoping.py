"""The admin shows a staff member their own organisations' data and nothing else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cx.models import (
    ApiKey,
    Customer,
    Event,
    Journey,
    Membership,
    Process,
    Role,
    Segment,
    Touchpoint,
)
from cx.services.organizations import (
    member_add,
    organization_create,
    staff_user_create,
)
from surveys.models import ResponseSegment
from tests.factories import ResponseFactory, SurveyFactory


@pytest.fixture
def aino_client(client, aino):
    client.login(username="aino", password="pw-aino")
    return client


@pytest.fixture
def both_orgs_data(aurora, other_org, mortgage):
    Customer.objects.create(
        organization=aurora, external_id="aurora-1", name="Aili Aurora"
    )
    Customer.objects.create(
        organization=other_org, external_id="other-1", name="Olga Other"
    )
    return Customer.objects.get(external_id="other-1")


def test_member_sees_only_own_customers(aino_client, both_orgs_data):
    page = aino_client.get(reverse("admin:cx_customer_changelist"))

    assert page.status_code == 200
    assert b"Aili Aurora" in page.content
    assert b"Olga Other" not in page.content


def test_member_cannot_open_another_organisations_customer(aino_client, both_orgs_data):
    page = aino_client.get(
        reverse("admin:cx_customer_change", args=[both_orgs_data.pk])
    )

    assert page.status_code in (302, 403, 404)
    if page.status_code == 302:
        assert "Olga" not in aino_client.get(page["Location"]).content.decode()


@pytest.mark.parametrize(
    "model", [Customer, Segment, Process, Journey, Touchpoint, Event, ApiKey]
)
def test_every_core_changelist_renders_for_a_member(aino_client, both_orgs_data, model):
    opts = model._meta
    page = aino_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )

    assert page.status_code == 200


def test_customer_search_and_filters(aino_client, both_orgs_data):
    url = reverse("admin:cx_customer_changelist")

    assert b"Aili Aurora" in aino_client.get(url, {"q": "aurora-1"}).content
    assert b"Aili Aurora" not in aino_client.get(url, {"q": "nobody"}).content
    assert aino_client.get(url, {"opted_out__exact": "1"}).status_code == 200


def test_erase_action_removes_personal_data(aino_client, both_orgs_data):
    aili = Customer.objects.get(external_id="aurora-1")

    aino_client.post(
        reverse("admin:cx_customer_changelist"),
        {"action": "erase", "_selected_action": [aili.pk]},
    )

    aili.refresh_from_db()
    assert aili.name == "" and aili.opted_out


def test_revoking_a_key_in_the_admin_stops_it_working(aino_client, api):
    key = api.api_key

    aino_client.post(
        reverse("admin:cx_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    assert (
        api.post(
            "/api/v1/events/", {"event_id": "e", "type": "t"}, format="json"
        ).status_code
        == 401
    )


def test_outsider_cannot_see_aurora_in_the_admin(client, olli, both_orgs_data):
    client.login(username="olli", password="pw-olli")

    page = client.get(reverse("admin:cx_customer_changelist"))

    assert b"Olga Other" in page.content
    assert b"Aili Aurora" not in page.content


def test_a_raw_id_box_names_only_the_members_own_rows(aino_client, both_orgs_data):
    """The follow-up form's customer box shows the name of the id it holds: Aurora's
    customer's, never Other Oy's (an id typed or passed in the address)."""
    url = reverse("admin:followups_followup_add")
    ours = Customer.objects.get(external_id="aurora-1")

    assert "Aili Aurora" in aino_client.get(url, {"customer": ours.pk}).text
    theirs = aino_client.get(url, {"customer": both_orgs_data.pk})
    assert theirs.status_code == 200
    assert "Olga Other" not in theirs.text
    assert aino_client.get(url, {"customer": "not-an-id"}).status_code == 200


def test_a_rules_segment_lists_offer_only_the_members_segments(
    aino_client, aurora, other_org
):
    Segment.objects.create(organization=aurora, key="ours", name="Aurora regulars")
    Segment.objects.create(organization=other_org, key="theirs", name="Other regulars")

    page = aino_client.get(reverse("admin:surveys_triggerrule_add")).text

    assert page.count("Aurora regulars") == 2  # segments_all and segments_none
    assert "Other regulars" not in page


def test_the_responses_segment_filter_lists_only_the_members_segment_keys(
    aino_client, aurora, other_org
):
    for organization, key in [(aurora, "aurora-regulars"), (other_org, "other-vips")]:
        response = ResponseFactory(survey=SurveyFactory(organization=organization))
        ResponseSegment.objects.create(
            organization=organization, response=response, key=key
        )

    page = aino_client.get(reverse("admin:surveys_response_changelist")).text

    assert "?segments__key=aurora-regulars" in page
    assert "other-vips" not in page


def test_an_action_acts_only_where_the_role_allows_it_not_where_it_allows_changes(
    aino_client, aino, other_org, both_orgs_data
):
    """Aino owns Aurora and is CX manager of Other Oy: she may change customers in
    both, and erase them only in Aurora."""
    member_add(organization=other_org, user=aino, role=Role.CX_MANAGER)
    aili = Customer.objects.get(external_id="aurora-1")

    aino_client.post(
        reverse("admin:cx_customer_changelist"),
        {"action": "erase", "_selected_action": [aili.pk, both_orgs_data.pk]},
    )

    assert Customer.objects.get(pk=aili.pk).name == ""
    assert Customer.objects.get(pk=both_orgs_data.pk).name == "Olga Other"


def test_the_membership_form_offers_colleagues_and_newcomers_never_others(
    aino_client, aino, aurora, other_org, olli, admin_user
):
    """The user box of a new membership takes a colleague (once, though they share two
    of Aino's organisations with her) or a user in no organisation; never another
    organisation's staff member, nor a superuser."""
    third = organization_create(slug="third", name="Third Oy")
    second = organization_create(slug="second", name="Second Oy")
    for organization in (third, second):
        member_add(organization=organization, user=aino, role=Role.OWNER)
    colleague = staff_user_create(
        username="kaisa", email="k@aurora.example", password="pw"
    )
    for organization in (aurora, second):
        member_add(organization=organization, user=colleague, role=Role.ANALYST)
    newcomer = staff_user_create(
        username="uusi", email="uusi@example.com", password="pw"
    )
    url = reverse("admin:cx_membership_add")

    def add(user):
        return aino_client.post(
            url,
            {
                "organization": third.pk,
                "user": user.pk,
                "role": Role.ANALYST,
                "language": "",
            },
        )

    for outsider in (olli, admin_user):
        refused = add(outsider)
        assert refused.status_code == 200
        assert "Select a valid choice" in refused.text
    for insider in (colleague, newcomer):
        assert add(insider).status_code == 302
    members = Membership.objects.filter(organization=third)
    assert set(members.values_list("user__username", flat=True)) == {
        "aino",
        "kaisa",
        "uusi",
    }
