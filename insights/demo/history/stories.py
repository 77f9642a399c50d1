"""The demo's stories: customers, and the events of what they did, day by day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cx.models import Customer, Event
from insights.demo.content import EVENT_PREFIX, FIRST_NAMES, LAST_NAMES, REGIONS
from insights.demo.history.state import State


class Stories(State):
    """Customers and their events."""

    # --- customers ------------------------------------------------------------------

    def customer(
        self,
        when: datetime,
        *,
        identified: bool,
        existing: float = 0,
        returning: bool = False,
    ) -> Customer:
        """Return a known customer (with probability ``existing``) or a new one.

        ``returning``: the new customer has bought from us before.
        """
        rng = self.rng
        if identified and self.identified and rng.random() < existing:
            return rng.choice(self.identified)
        n = len(self.written.customers) + 1
        language = rng.choices(["fi", "sv", "en"], [78, 7, 15])[0]
        first = rng.choice(FIRST_NAMES[language])
        last = rng.choice(LAST_NAMES[language])
        address = f"{first}.{last}{n}@example.com".lower()
        address = address.translate(str.maketrans("äöåü", "aoau"))
        if identified:
            products = rng.choice([1, 1, 2, 2, 3, 4, 6])
            previous = products if returning or rng.random() < 0.55 else 0
            value = rng.lognormvariate(11.0 if previous else 10.4, 0.8)
            customer = Customer(
                organization_id=self.organization.pk,
                external_id=f"{EVENT_PREFIX}c{n:06d}",
                email="" if rng.random() < 0.04 else address,
                name=f"{first} {last}",
                language=language,
                opted_out=rng.random() < 0.03,
                attributes={
                    "authenticated": True,
                    "customer_value": int(round(value, -2)),
                    "previous_products": previous,
                    "region": rng.choice(REGIONS),
                },
            )
            self.identified.append(customer)
        else:  # a visitor known by a cookie; some leave an address in the chat
            customer = Customer(
                organization_id=self.organization.pk,
                external_id=f"{EVENT_PREFIX}cookie-{n:06d}",
                email=address if rng.random() < 0.5 else "",
                language=language,
                attributes={"authenticated": False},
            )
        customer.created_at = customer.updated_at = when
        self.written.customers.append(customer)
        return customer

    # --- events ---------------------------------------------------------------------

    def event(
        self, type_: str, when: datetime, customer: Customer | None, **properties: Any
    ) -> None:
        if when >= self.now:
            return  # still to come
        n = len(self.written.events) + 1
        self.written.events.append(
            Event(
                organization_id=self.organization.pk,
                event_id=f"{EVENT_PREFIX}{n:07d}",
                type=type_,
                customer=customer,
                touchpoint=self.touchpoints.get(type_),
                occurred_at=when,
                received_at=when + timedelta(seconds=self.rng.uniform(0.2, 4)),
                properties=properties,
            )
        )

    def mortgage_story(self, day: datetime) -> None:
        """Search, loan pages, maybe a chat, maybe an application and an offer."""
        rng = self.rng
        applies = rng.random() < 0.3
        chats = rng.random() < (0.45 if applies else 0.2)
        when = self.at(day, "web")
        customer: Customer | None
        if applies:
            customer = self.customer(when, identified=True, existing=0.2)
        elif chats:
            known = rng.random() < 0.65
            customer = self.customer(when, identified=known, existing=0.6)
        else:
            customer = (
                self.customer(when, identified=False) if rng.random() < 0.2 else None
            )
        if rng.random() < 0.8:
            self.event("web.search_landing", when, customer, source="google")
            when += timedelta(minutes=rng.uniform(0.5, 4))
        for _view in range(rng.choice([1, 1, 2, 2, 3])):
            page = rng.choice(["/asuntolaina", "/lainalaskuri", "/korot", "/hakemus"])
            self.event("web.loan_pages_viewed", when, customer, page=page)
            when += timedelta(minutes=rng.uniform(1, 12))
        if applies:  # many come back another day to act
            when += timedelta(days=rng.choice([0, 0, 0, 1, 2, 4]))
        if chats:
            when = self.at(when, "chat", not_before=when)
            self.event("chat.ended", when, customer, queue="mortgage")
            when += timedelta(minutes=rng.uniform(5, 90))
        if applies:
            amount = rng.randrange(80, 420) * 1000
            self.event("mortgage.application_submitted", when, customer, amount=amount)
            if rng.random() < 0.88:
                offer_day = when + timedelta(days=rng.choice([1, 2, 3, 5, 7, 9]))
                self.event(
                    "mortgage.offer_sent", self.at(offer_day, "office"), customer
                )

    def service_chat(self, day: datetime) -> None:
        """A chat about anything else: cards, payments, insurance."""
        rng = self.rng
        when = self.at(day, "chat")
        roll = rng.random()
        customer = (
            None
            if roll < 0.02
            else self.customer(when, identified=roll < 0.77, existing=0.8)
        )
        self.event("chat.ended", when, customer, queue="general")

    def claim_story(self, day: datetime) -> None:
        """A claim reported in the app, maybe a call, a decision, a payment."""
        rng = self.rng
        when = self.at(day, "app")
        customer = self.customer(when, identified=True, existing=0.7)
        kind = rng.choice(["water damage", "car", "travel", "theft", "fire"])
        self.event("claim.reported", when, customer, claim_type=kind)
        if rng.random() < 0.6:
            call_day = when + timedelta(days=rng.choice([0, 0, 1, 2]))
            call = self.at(call_day, "office", not_before=when)
            self.event("claim.call_ended", call, customer)
        if rng.random() < 0.93:
            decision_day = when + timedelta(days=rng.randint(2, 14))
            decision = self.at(decision_day, "office")
            self.event("claim.decision_sent", decision, customer, claim_type=kind)
            if rng.random() < 0.85:
                paid_day = decision + timedelta(days=rng.randint(1, 4))
                self.event("claim.paid", self.at(paid_day, "office"), customer)

    def stories(self) -> None:
        """Generate each day's stories; weekends are quieter."""
        rng = self.rng
        for _established in range(15 * self.days):  # customers from before the window
            when = self.start - timedelta(days=rng.uniform(30, 3000))
            self.customer(when, identified=True, returning=True)
        for offset in range(self.days + 1):
            day = self.start + timedelta(days=offset)
            weekend = day.astimezone(self.zone).weekday() >= 5
            for story, per_day, weekend_share in (
                (self.mortgage_story, 100, 0.8),
                (self.service_chat, 35, 0.45),
                (self.claim_story, 35, 0.7),
            ):
                volume = per_day * (weekend_share if weekend else 1)
                for _story in range(round(volume * rng.uniform(0.8, 1.2))):
                    story(day)
        self.written.events.sort(key=lambda event: event.occurred_at)
