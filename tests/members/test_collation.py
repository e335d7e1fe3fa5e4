"""State names sort the way readers of each language expect."""

from django.test import Client
from django.utils import translation

from members.collation import collation_key, sort_by_name
from members.models import MemberState
from tests.conftest import sign_in
from tests.factories import UserFactory


def names(language: str, codes: list[str]) -> list[str]:
    states = MemberState.objects.filter(code__in=codes)
    field = f"name_{language.replace('-', '_')}"
    return sort_by_name((getattr(state, field) for state in states), str, language)


def test_french_accents_stay_in_place(register):
    assert names("fr", ["ARE", "EGY", "ECU", "ERI", "ESP"]) == [
        "Égypte",
        "Émirats arabes unis",
        "Équateur",
        "Érythrée",
        "Espagne",
    ]


def test_spanish_accents_stay_in_place(register):
    ordered = names("es", ["BLZ", "BEN", "BEL", "BTN", "BLR", "BRB"])
    assert ordered == ["Barbados", "Bélgica", "Belice", "Benín", "Bielorrusia", "Bután"]


def test_russian_and_arabic_sort_alphabetically(register):
    assert names("ru", ["AUT", "AUS", "AZE", "ALB"]) == ["Австралия", "Австрия", "Азербайджан", "Албания"]
    assert names("ar", ["JOR", "ESP", "ETH", "ARG"]) == ["إثيوبيا", "إسبانيا", "الأرجنتين", "الأردن"]


def test_chinese_sorts_by_pinyin(register):
    # 阿根廷 (Agenting), 巴西 (Baxi), 中国 (Zhongguo)
    assert names("zh-hans", ["CHN", "BRA", "ARG"]) == ["阿根廷", "巴西", "中国"]


def test_the_states_page_lists_names_in_the_readers_order(register, anonymous):
    page = anonymous.get("/fr/states/").content.decode()
    assert page.index(">Égypte</a>") < page.index(">Éthiopie</a>") < page.index(">Gabon</a>")


def test_the_active_language_is_the_default(register):
    with translation.override("fr"):
        assert collation_key("Égypte") < collation_key("Équateur") < collation_key("Zambie")


def test_the_accreditation_form_lists_states_in_the_readers_order(register):
    page = sign_in(Client(), UserFactory()).get("/fr/delegate/accreditation/")
    html = page.content.decode()
    assert html.index(">Égypte</option>") < html.index(">Équateur</option>") < html.index(">Espagne</option>")
