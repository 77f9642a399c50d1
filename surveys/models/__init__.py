"""Surveys, trigger rules, invitations and responses."""

from surveys.models.invitations import Invitation, Suppression, UndeliverableAddress
from surveys.models.responses import Answer, Response, ResponseSegment
from surveys.models.rules import ContactPolicy, DeliveryChannel, TriggerRule
from surveys.models.surveys import Question, Survey

__all__ = [
    "Answer",
    "ContactPolicy",
    "DeliveryChannel",
    "Invitation",
    "Question",
    "Response",
    "ResponseSegment",
    "Suppression",
    "Survey",
    "TriggerRule",
    "UndeliverableAddress",
]
