from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories import CommunityFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Meetup {n}")
    slug = factory.Sequence(lambda n: f"meetup-{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    timezone = "Europe/Moscow"
    place = "Café Dobro"
    address = "Tverskaya 1, Moscow"
    status = "published"
    visibility = "public"

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.add(*extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Registration"

    event = factory.SubFactory(EventFactory)
    guest_name = factory.Sequence(lambda n: f"Guest {n}")
    guest_email = factory.Sequence(lambda n: f"guest{n}@example.org")
    guest_reminders = True  # a guest who ticked "remind me before the event"
    status = "confirmed"
