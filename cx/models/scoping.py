"""Organisation scoping in one place: every tenant-owned model uses this queryset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from cx.models.tenancy import Organization


class OrganizationQuerySet(models.QuerySet):
    """A queryset whose rows belong to one organisation each."""

    def for_organization(self, organization: Organization | int) -> Self:
        """Return only the rows of ``organization``."""
        return self.filter(organization=organization)


OrganizationManager = models.Manager.from_queryset(OrganizationQuerySet)
