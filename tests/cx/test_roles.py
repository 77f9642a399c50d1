"""Roles hold in the admin and on every staff page: what cx.roles allows, nothing more.

Personas in Aurora Bank (``conftest.py``): *Aino* owns it, *Bertil* is CX manager,
*Anna* analyst, *Eero* executive. *Mixed* is CX manager of Aurora and analyst of Other Oy.
Memberships and their changes: ``test_memberships.py``.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from cx.admin_scoping import OrganizationScopedAdmin
from cx.models import Customer, Process, Role, Segment
from cx.roles import Permission, role_may
from cx.services.organizations import member_add
from surveys.models import Survey
from tests.cx.conftest import member_added

ROLES = list(Role)


# Every model admin, as each role.


def _scoped_admins() -> list[OrganizationScopedAdmin]:
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, OrganizationScopedAdmin)
    ]


def test_every_scoped_admin_names_the_permission_to_view_it():
    assert len(_scoped_admins()) == 29
    assert all(isinstance(a.view_permission, Permission) for a in _scoped_admins())


ADMINS = [
    pytest.param(a, id=a.model._meta.label)
    for a in sorted(_scoped_admins(), key=lambda a: a.model._meta.label)
]


@pytest.mark.parametrize("model_admin", ADMINS)
def test_each_role_opens_only_the_admin_pages_its_role_allows(
    client, staff, model_admin
):
    opts = model_admin.model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    client.force_login(staff[Role.OWNER])
    addable = client.get(add).status_code == 200

    for role in ROLES:
        client.force_login(staff[role])
        view = role_may(role, model_admin.view_permission) or (
            model_admin.change_permission is not None
            and role_may(role, model_admin.change_permission)
        )
        change = model_admin.change_permission is not None and role_may(
            role, model_admin.change_permission
        )
        assert client.get(changelist).status_code == (200 if view else 403), role
        assert client.get(add).status_code == (200 if addable and change else 403), role


def test_the_organisation_and_its_members_are_the_owners_to_manage(
    client, aurora, staff
):
    url = reverse("admin:cx_organization_change", args=[aurora.pk])
    for role in ROLES:
        client.force_login(staff[role])
        expected = 200 if role == Role.OWNER else 403
        assert client.get(url).status_code in (
            (expected,) if expected == 200 else (302, 403)
        )
        client.post(url, {"name": "Renamed", "slug": "aurora"})
    aurora.refresh_from_db()
    assert aurora.name == "Aurora Bank"


@pytest.fixture
def mixed(aurora, other_org, olli):  # type: ignore[no-untyped-def]
    """CX manager of Aurora, analyst of Other Oy."""
    user = member_added(aurora, Role.CX_MANAGER, "mixed")
    member_add(organization=other_org, user=user, role=Role.ANALYST)
    return user


def test_a_survey_is_added_and_changed_only_where_the_role_allows(
    client, aurora, other_org, mixed
):
    theirs = Survey.objects.create(organization=other_org, name="Other's")
    ours = Survey.objects.create(organization=aurora, name="Ours")
    client.force_login(mixed)

    form = client.get(reverse("admin:surveys_survey_add")).context["adminform"].form
    offered = set(form.fields["organization"].queryset)
    theirs_page = client.get(reverse("admin:surveys_survey_change", args=[theirs.pk]))
    ours_page = client.get(reverse("admin:surveys_survey_change", args=[ours.pk]))
    renamed = client.post(
        reverse("admin:surveys_survey_change", args=[theirs.pk]),
        {"organization": other_org.pk, "name": "Renamed"},
    )
    deleted = client.post(
        reverse("admin:surveys_survey_delete", args=[theirs.pk]), {"post": "yes"}
    )
    listed = client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )

    assert offered == {aurora}
    assert theirs_page.status_code == 200
    assert theirs_page.context["has_change_permission"] is False
    assert ours_page.context["has_change_permission"] is True
    assert (renamed.status_code, deleted.status_code) == (403, 403)
    assert listed.status_code in (200, 302)
    assert Survey.objects.get(pk=theirs.pk).name == "Other's"


def test_the_survey_inline_follows_its_survey(client, aurora, staff):
    survey = Survey.objects.create(organization=aurora, name="Chat")
    url = reverse("admin:surveys_survey_change", args=[survey.pk])

    client.force_login(staff[Role.ANALYST])
    read = client.get(url).context["inline_admin_formsets"][0]
    client.force_login(staff[Role.CX_MANAGER])
    edit = client.get(url).context["inline_admin_formsets"][0]

    assert (read.has_view_permission, read.has_change_permission) == (True, False)
    assert (read.has_add_permission, read.has_delete_permission) == (False, False)
    assert (edit.has_change_permission, edit.has_add_permission) == (True, True)


def test_actions_are_offered_by_role(client, staff):
    def offered(role: Role, model: str) -> set[str]:
        client.force_login(staff[role])
        page = client.get(reverse(f"admin:{model}_changelist"))
        if page.status_code != 200 or page.context["action_form"] is None:
            return set()
        return {
            name for name, _ in page.context["action_form"].fields["action"].choices
        }

    assert "erase" in offered(Role.OWNER, "cx_customer")
    assert "erase" not in offered(Role.CX_MANAGER, "cx_customer")
    # Deleting customers destroys personal data: only those who may erase do it.
    assert "delete_selected" in offered(Role.OWNER, "cx_customer")
    assert "delete_selected" not in offered(Role.CX_MANAGER, "cx_customer")
    assert "delete_selected" in offered(Role.CX_MANAGER, "cx_process")
    assert "delete_selected" not in offered(Role.ANALYST, "cx_process")
    assert "requeue_failed" in offered(Role.CX_MANAGER, "surveys_invitation")
    assert "requeue_failed" not in offered(Role.ANALYST, "surveys_invitation")
    assert "retry_failed" in offered(Role.OWNER, "webhooks_webhookdelivery")
    assert offered(Role.CX_MANAGER, "webhooks_webhookdelivery") == set()
    assert "revoke" in offered(Role.OWNER, "cx_apikey")


# Every staff page and form post, as each role.

MISSING = 999_999  # a pk that exists nowhere: an allowed role gets 404, not 403

STAFF_PAGES = [
    ("get", "/dashboard/", Permission.VIEW_DASHBOARD, 200),
    ("get", "/dashboard/panels/", Permission.VIEW_DASHBOARD, 200),
    ("get", "/dashboard/export.csv", Permission.EXPORT_FEEDBACK, 200),
    ("get", "/feedback/", Permission.VIEW_FEEDBACK, 200),
    ("get", f"/feedback/{MISSING}/", Permission.VIEW_FEEDBACK, 404),
    ("post", f"/feedback/{MISSING}/", Permission.ANNOTATE_FEEDBACK, 404),
    ("get", "/followups/", Permission.VIEW_FEEDBACK, 200),
    ("get", f"/followups/{MISSING}/", Permission.VIEW_FEEDBACK, 404),
    ("post", f"/followups/{MISSING}/", Permission.WORK_CASES, 404),
    ("get", "/maturity/", Permission.VIEW_MATURITY, 200),
    ("get", f"/maturity/{MISSING}/report.pdf", Permission.ASSESS_MATURITY, 404),
]


@pytest.mark.parametrize(
    ("method", "url", "permission", "allowed"),
    STAFF_PAGES,
    ids=[f"{m} {u}" for m, u, _, _ in STAFF_PAGES],
)
def test_each_staff_page_answers_each_role_as_the_table_says(
    client, staff, method, url, permission, allowed
):
    for role in ROLES:
        client.force_login(staff[role])
        response = getattr(client, method)(
            url, {"note": "x"} if method == "post" else {}
        )
        expected = allowed if role_may(role, permission) else 403
        assert response.status_code == expected, role
        if expected == 403:
            assert response.status_code == 403


def test_only_roles_that_may_assess_ask_for_an_assessment(
    client, staff, django_capture_on_commit_callbacks
):
    from maturity.models import Assessment

    for role in ROLES:
        client.force_login(staff[role])
        before = Assessment.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/maturity/assess/")
        may = role_may(role, Permission.ASSESS_MATURITY)
        assert response.status_code == (302 if may else 403), role
        assert Assessment.objects.count() == before + (1 if may else 0), role


def test_the_refusal_names_the_permission(rf, staff):
    from cx.staff import RoleRequired, staff_membership

    request = rf.get("/maturity/")
    request.user = staff[Role.EXECUTIVE]

    with pytest.raises(RoleRequired) as refused:
        staff_membership(request, permission=Permission.VIEW_FEEDBACK)

    assert refused.value.permission is Permission.VIEW_FEEDBACK


def test_the_dashboard_hides_the_export_from_executives(client, staff):
    client.force_login(staff[Role.EXECUTIVE])
    executive = client.get("/dashboard/panels/").content.decode()
    client.force_login(staff[Role.ANALYST])
    analyst = client.get("/dashboard/panels/").content.decode()

    assert "export.csv" not in executive
    assert "export.csv" in analyst


def test_writes_outside_the_role_are_refused_below_the_views(
    rf, aurora, other_org, mixed
):
    """The last guard: list-editable rows, moved objects and bulk deletes."""
    from django.core.exceptions import PermissionDenied

    model_admin = admin.site._registry[Customer]
    theirs = Customer.objects.create(organization=other_org, external_id="t")
    ours = Customer.objects.create(organization=aurora, external_id="o")
    request = rf.post("/")
    request.user = mixed

    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, theirs, None, True)
    ours.organization = other_org
    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, ours, None, True)
    with pytest.raises(PermissionDenied):
        model_admin.delete_model(request, theirs)
    with pytest.raises(PermissionDenied):
        model_admin.delete_queryset(request, Customer.objects.all())
    request = rf.post(
        "/", {"form-TOTAL_FORMS": "2", "form-0-id": theirs.pk, "form-1-id": ours.pk}
    )
    request.user = mixed
    assert list(model_admin._get_list_editable_queryset(request, "form")) == [ours]
    assert Customer.objects.filter(pk__in=[theirs.pk, ours.pk]).count() == 2


def test_a_bulk_action_acts_only_where_the_role_allows(
    client, aurora, other_org, mixed
):
    Process.objects.create(organization=other_org, name="theirs")
    Process.objects.create(organization=aurora, name="ours")
    client.force_login(mixed)

    client.post(
        reverse("admin:cx_process_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(Process.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert list(Process.objects.values_list("name", flat=True)) == ["theirs"]


def test_a_row_cannot_be_pulled_in_from_where_the_role_may_not_change_it(
    rf, aurora, other_org, mixed
):
    """Moving Other Oy's process (Mixed is an analyst there) into Aurora (where Mixed
    manages) changes Other Oy's row, so it is refused and the row stays where it was."""
    from django.core.exceptions import PermissionDenied

    model_admin = admin.site._registry[Process]
    theirs = Process.objects.create(organization=other_org, name="theirs")
    theirs.organization = aurora
    request = rf.post("/")
    request.user = mixed

    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, theirs, None, True)
    with pytest.raises(PermissionDenied):
        model_admin.delete_model(request, Process.objects.get(name="theirs"))
    with pytest.raises(PermissionDenied):
        model_admin.delete_queryset(request, Process.objects.all())
    assert Process.objects.get(name="theirs").organization == other_org


def test_writes_the_role_allows_go_through_below_the_views(
    rf, aurora, other_org, mixed
):
    model_admin = admin.site._registry[Process]
    renamed = Process.objects.create(organization=aurora, name="old name")
    Process.objects.create(organization=aurora, name="deleted alone")
    Process.objects.bulk_create(
        [
            Process(organization=aurora, name="deleted in bulk"),
            Process(organization=other_org, name="theirs"),
        ]
    )
    request = rf.post("/")
    request.user = mixed

    renamed.name = "new name"
    model_admin.save_model(request, renamed, None, True)
    model_admin.delete_model(request, Process.objects.get(name="deleted alone"))
    model_admin.delete_queryset(request, Process.objects.filter(name="deleted in bulk"))

    assert sorted(Process.objects.values_list("name", flat=True)) == [
        "new name",
        "theirs",
    ]


def test_the_survey_inline_is_read_only_where_the_role_is(client, other_org, mixed):
    """Mixed manages Aurora's surveys; Other Oy's, where Mixed is an analyst, and
    their questions are read only."""
    theirs = Survey.objects.create(organization=other_org, name="Other's")
    client.force_login(mixed)

    page = client.get(reverse("admin:surveys_survey_change", args=[theirs.pk]))
    inline = page.context["inline_admin_formsets"][0]

    assert (inline.has_view_permission, inline.has_change_permission) == (True, False)
    assert (inline.has_add_permission, inline.has_delete_permission) == (False, False)


def test_a_rules_segments_are_offered_only_where_the_role_may_configure(
    client, aurora, other_org, mixed
):
    Segment.objects.create(organization=aurora, key="ours", name="Aurora regulars")
    Segment.objects.create(organization=other_org, key="theirs", name="Other regulars")
    client.force_login(mixed)

    page = client.get(reverse("admin:surveys_triggerrule_add")).content.decode()

    assert "Aurora regulars" in page
    assert "Other regulars" not in page


def test_the_admin_index_lists_what_a_role_may_only_view(client, staff):
    client.force_login(staff[Role.ANALYST])

    index = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:cx_customer_changelist") in index
