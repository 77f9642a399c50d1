"""The Django admin of surveys, split by area; each module registers its own models."""

from surveys.admin import delivery, surveys, triggers

__all__ = ["delivery", "surveys", "triggers"]
