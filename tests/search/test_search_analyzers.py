"""The analyzers: the Kazakh stemmer's table, Russian and English stemming, normalisation, stop words."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from builder.search import analyzers
from builder.search.analyzers import analyze, index_terms, stem_kk, whoosh_analyzer, words

TABLE = Path(__file__).parent / "kk_stems.txt"


def stem_table() -> list[tuple[str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            stem, forms = line.split(":", 1)
            rows += [(form, stem.strip()) for form in forms.split()]
    return rows


def test_the_table_holds_at_least_150_real_forms() -> None:
    assert len(stem_table()) >= 150
    assert len({form for form, _ in stem_table()}) == len(stem_table()), "a form is listed twice"


@pytest.mark.parametrize(("form", "stem"), stem_table())
def test_kazakh_stemmer_table(form: str, stem: str) -> None:
    assert stem_kk(form) == stem


@pytest.mark.parametrize(
    ("forms", "stem"),
    [
        # plural, possessive, case and their chains, in both vowel harmonies
        (["бала", "балалар", "баланың", "балалардың", "баласының", "баласына", "баласымен"], "бала"),
        (["өрт", "өрттер", "өрттің", "өрттердің", "өрттерінің", "өртке", "өртпен", "өрттегі"], "өрт"),
        # consonant assimilation picks the ending: зат+ы, not за+ты
        (["зат", "заты", "затты", "заттың", "затының"], "зат"),
        # a voiced stem end before a vowel-initial suffix: кітап/кітабы, қауіпсіздік/қауіпсіздігі
        (["кітап", "кітабы"], "кітап"),
        (["қауіпсіздік", "қауіпсіздігі", "қауіпсіздігін"], "қауіпсіздік"),
        # verb forms meet at the root
        (["жанады", "жанбайды", "жанатын", "жанған", "жанғанда"], "жан"),
        # the protected stems are not cut to a shorter word
        (["жағдай", "жағдайды", "жағдайлар"], "жағдай"),
        (["дәріс", "дәрісі"], "дәріс"),
        # verbs: tenses, participles, converbs, the verbal noun and the passive meet at the root
        (["сөндіру", "сөндіреді", "сөндірген", "сөндіріп", "сөндірмейді", "сөндірсе"], "сөндір"),
        (["өрте", "өртеу", "өртеген", "өртеп"], "өрте"),  # not өртеді: written as the present of өрт
        (["табылады", "табылған", "тап"], "тап"),
        # first and second person possessives, comparatives, -ыс nouns, loanwords in -ист
        (["жолдас", "жолдасым", "жолдасыңды"], "жолдас"),
        (["велосипед", "велосипедімді"], "велосипед"),
        (["облыс", "облысы", "облысының"], "облыс"),
        (["кем", "кемірек"], "кем"),
        (["буддист", "буддистерге"], "буддист"),
        # but not a word that merely ends like an ending
        (["басым", "басымырақ"], "басым"),
        (["бағдарлама", "бағдарламасын"], "бағдарлама"),
    ],
)
def test_inflected_forms_meet(forms: list[str], stem: str) -> None:
    assert {stem_kk(form) for form in forms} == {stem}


def test_the_kazakh_letters_are_kept_and_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Йод ӘҒҚҢӨҰҮҺІ")
    assert analyze(decomposed, "kk") == analyze("йод әғқңөұүһі", "kk")
    assert list(words("ӘҒҚҢӨҰҮҺІ")) == ["әғқңөұүһі"]
    assert analyze("Құқықтық Үкімет", "kk") == ["құқықтық", "үкімет"]


def test_stop_words_are_dropped() -> None:
    assert analyze("өрт және жану үшін", "kk") == ["өрт", "жан"]  # жану: the verbal noun of жан
    assert analyze("пожар и горение для", "ru") == ["пожар", "горен"]
    assert analyze("the fire of the building", "en") == ["fire", "build"]


def test_hyphenated_case_endings_do_not_become_terms() -> None:
    assert analyze("ТЖМ-ның бұйрығы", "kk") == ["тжм", "бұйрық"]


def test_russian_and_english_stemming() -> None:
    assert {analyze(word, "ru")[0] for word in ["пожар", "пожаров", "пожарами", "пожаре"]} == {"пожар"}
    assert analyze("ёлка", "ru") == analyze("елка", "ru")
    assert {analyze(word, "en")[0] for word in ["extinguisher", "extinguishers"]} == {"extinguish"}


def test_the_whoosh_analyzer_gives_the_same_terms_with_offsets() -> None:
    text = "Өрттердің сыныптары және сөндіргіштер"
    tokens = [
        (token.text, text[token.startchar : token.endchar])
        for token in whoosh_analyzer("kk")(text, chars=True)
    ]
    assert [term for term, _ in tokens] == analyze(text, "kk")
    assert [word for _, word in tokens] == ["Өрттердің", "сыныптары", "сөндіргіштер"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # decomposed й and ә (a word processor's), capitals, stop words, digits, punctuation
        ("kk", "ӨРТ сөндіргіштер және И\u0306ә Ә\u0306 мен 101-ші сынып, Өрттердің; ал бұл — 2026 ж."),
        ("ru", "Огнетушители И ПОЖАРЫ и\u0306 не на: класс «А» 3-го типа, Ёлка"),
        ("en", "The Extinguishers AND fires of Class-B, 2 of them"),
    ],
)
def test_the_builders_index_terms_are_the_whoosh_analyzers(
    lang: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build gives whoosh terms made by `index_terms`; the service's queries are analysed by
    the whoosh chain: the two must agree term for term, also for words already seen (each word's
    term is kept per language: the second time comes from there)."""
    monkeypatch.setitem(analyzers._TERMS, lang, {})
    expected = [token.text for token in whoosh_analyzer(lang)(text)]
    assert index_terms(text, lang) == expected
    assert analyzers._TERMS[lang]  # the words' terms were kept
    assert index_terms(text, lang) == expected
    assert index_terms(text, lang)  # something was indexed


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown search language 'de'"):
        analyze("Feuer", "de")
