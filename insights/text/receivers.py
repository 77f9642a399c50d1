"""What comment understanding does when a response completes (CX_RESPONSE_COMPLETED_RECEIVERS)."""

from __future__ import annotations

from cx.publish import publish_on_commit
from insights.text.services import comment_analysis_queue
from surveys.models import Response


def response_completed(response: Response) -> None:
    """Queue the response's comments; the task tags them after the commit."""
    if comment_analysis_queue(response=response) is None:
        return
    from insights.text.tasks import comment_analyse_task

    publish_on_commit(comment_analyse_task.delay, response.pk)
