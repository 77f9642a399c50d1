"""URLs of the answer-page benchmark's server: the product plus two baseline views.

Both baselines go through the same middleware, on the same server, in the same run:

* ``hello`` returns a fixed page: the cost of Django itself;
* ``plain`` is the answer page as a plain Django view would do it at the least: one
  lookup of the invitation by its token, one template with the first question's text
  and a form. It shows what the product's own work (conditions, progress, languages,
  partial answers, one-click scores) adds.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from surveys.models import Invitation
from surveys.models.invitations import token_digest

PAGE = engines["django"].from_string(
    """<!doctype html><html lang="fi"><head><meta charset="utf-8">
<title>{{ invitation.survey.name }}</title></head><body><main>
<h1>{{ invitation.survey.name }}</h1>
<form method="post">{% csrf_token %}<fieldset><legend>{{ question }}</legend>
{% for n in scale %}<label><input type="radio" name="answer" value="{{ n }}">{{ n }}</label>
{% endfor %}</fieldset><button>Next</button></form></main></body></html>"""
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>ok</title><p>Hello.</p>")


def plain(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("survey")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None:
        raise Http404
    question = invitation.survey.questions.order_by("position").first()
    context = {
        "invitation": invitation,
        "question": question.text.get("fi", "") if question else "",
        "scale": range(1, 6),
    }
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/plain/<str:token>/", plain),
    path("", include("cx.urls")),
]
