import datetime

import factory

from initiatives.models import Endorsement, Initiative, Theme
from members.models import MemberState, User
from programme.models import AgendaItem, Meeting


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MemberStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberState
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: "Q" + chr(65 + n // 26 % 26) + chr(65 + n % 26))
    name = factory.Sequence(lambda n: f"State {n}")
    kind = MemberState.Kind.UN_MEMBER
    regional_group = MemberState.RegionalGroup.AFRICAN


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    slug = factory.Sequence(lambda n: f"initiative-{n}")
    title = factory.Sequence(lambda n: f"Initiative {n}")
    summary = "A summary."
    commitment = "The State commits to cooperate."
    # An open initiative has its texts in every language (a database constraint); the same text will do,
    # whichever language is active when the factory runs.
    title_en = title_fr = title_es = title_ar = title_zh_hans = title_ru = factory.SelfAttribute("title")
    summary_en = summary_fr = summary_es = summary_ar = summary_zh_hans = summary_ru = factory.SelfAttribute("summary")
    commitment_en = commitment_fr = commitment_es = commitment_ar = commitment_zh_hans = commitment_ru = (
        factory.SelfAttribute("commitment")
    )
    kind = Initiative.Kind.DECLARATION
    theme = factory.SubFactory(ThemeFactory)
    status = Initiative.Status.OPEN
    launched_on = datetime.date(2019, 9, 26)
    signing_opens_on = datetime.date(2019, 9, 26)


class EndorsementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endorsement

    initiative = factory.SubFactory(InitiativeFactory)
    member_state = factory.SubFactory(MemberStateFactory)
    endorsed_on = datetime.date(2020, 1, 15)
    channel = Endorsement.Channel.RECORDED
    source_url = "https://example.org/list"
    withdrawn_on = None
    # A withdrawal is recorded when it is made: at noon of its day, for rows made up by tests.
    withdrawn_at = factory.LazyAttribute(
        lambda row: (
            datetime.datetime.combine(row.withdrawn_on, datetime.time(12), tzinfo=datetime.UTC)
            if row.withdrawn_on
            else None
        )
    )


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = "ministerial"
    title = factory.Sequence(lambda n: f"Meeting {n}")
    place = "New York"
    starts_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Item {n}")
