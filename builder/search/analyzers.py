"""Text analysis for search in Kazakh, Russian and English: one place, used by every engine.

`analyze(text, lang)` turns text into index terms: Unicode NFC, lower case, words split on
anything that is not a letter or digit (the Kazakh letters ә ғ қ ң ө ұ ү һ і are letters and
stay as they are), stop words dropped, then stemmed: Russian and English by Snowball, Kazakh by
`stem_kk`, our own suffix stripper (Snowball has no Kazakh). The whoosh analyzers are built from
the same pieces, so the service, `oqu search`, the bench's SQLite FTS5 and the tests agree.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Iterator
from typing import Protocol, cast

import snowballstemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer

LANGUAGES = ("kk", "ru", "en")
# Bump when analysis changes: an index built by another version is rebuilt from scratch.
ANALYSIS_VERSION = "2"

WORD_RE = re.compile(r"\w+", re.UNICODE)

# -- Kazakh ---------------------------------------------------------------------------------

BACK_VOWELS = frozenset("аоұы")
FRONT_VOWELS = frozenset("әеөүі")
VOWELS = frozenset("аоұыәеөүіиуюяэё")
# Suffixes are written in their back (hard) form; the front form follows by this mapping.
_TO_FRONT = str.maketrans("аоұығқ", "еөүігк")
# A stem never ends in a voiced б г ғ that a vowel-initial suffix made of п к қ (кітап → кітабы).
_FINAL_DEVOICE = {"б": "п", "г": "к", "ғ": "қ"}
MIN_STEM = 2

_PLURAL = ["лар", "дар", "тар"]
# Possessive endings: the third person and the polite second, and the first and second person
# singular (-ым, -ың: жолдасым, үйіңді, балама); words that merely end like those are protected
# below (білім, адам).
_POSSESSIVE_3 = ["ы", "сы"]
_POSSESSIVE_OTHER = ["ыңыз", "ңыз", "ымыз", "мыз"]
_POSSESSIVE_12 = ["ым", "м", "ың", "ң"]
_CASE = [
    "ның",
    "дың",
    "тың",
    "ға",
    "қа",
    "ны",
    "ды",
    "ты",
    "да",
    "та",
    "дан",
    "тан",
    "нан",
    "мен",
    "бен",
    "пен",
    "дай",  # similative: адымдай, тастай
    "тай",
]
# After a third-person possessive the "pronominal n" joins the case ending (баласының, -на, -н).
_CASE_AFTER_3 = ["ның", "на", "н", "нда", "нан", "мен", "ндай"]
# After a first or second person singular possessive the dative is -а (балама, еліңе).
_CASE_AFTER_12 = ["ның", "ды", "а", "да", "нан", "мен"]
_RELATIONAL = ["ғы", "қы"]  # ауадағы, бөлмедегі: after a locative
_PERSON = ["мын", "пын", "бын", "сың", "сыз", "мыз", "пыз", "быз", "сыңдар", "сыздар"]
# Without -қ/-к (we went): it would cut the nouns in -дық/-лық (қауіпсіздік, құқықтық).
_PAST_PERSON = ["", "м", "ң", "ңыз", "ңдар", "ңыздар"]
_VERBAL_BASE = [
    # present-future (and negated): the vowel joins a consonant stem, й a vowel stem
    *(tense + person for tense in ["а", "й", "май", "бай", "пай"] for person in ["ды", *_PERSON]),
    # past definite (and negated)
    *(tense + person for tense in ["ды", "ты", "мады", "бады", "пады"] for person in _PAST_PERSON),
    # participles: past, habitual, future (and negated), each also with a person ending
    *(participle + person for participle in [
        "ған", "қан", "маған", "баған", "паған",
        "атын", "йтын", "майтын", "байтын", "пайтын",
    ] for person in ["", *_PERSON]),
    *("ар" + person for person in _PERSON),  # future (барармын); bare -ар would cut хабар, базар
    # conditional (and negated)
    *(mood + person for mood in ["са", "маса", "баса", "паса"] for person in _PAST_PERSON),
    "ып", "п", "май", "бай", "пай", "мастан", "бастан", "пастан",  # converbs (and negated)
    "ыпты", "пты", "мапты", "бапты", "папты",  # past of hearsay (жасапты, демепті)
    "сын",  # third-person imperative (білсін); not the negated -масын: жазбасын is жазба+сы+н
    "ыңыз", "ыңдар",  # polite and plural imperative
]  # fmt: skip
_COMPARATIVE = ["ырақ", "рақ"]  # басымырақ, кішірек (жапырақ, топырақ are protected words)
# The verbal noun (-у: өртеу, сөндіру) with its cases and possessive: conflated with its verb.
_VERBAL_NOUN = ["у", "мау", "бау", "пау"]


def _nominal_chains() -> set[str]:
    """Every plural + possessive + case (+ relational) sequence, back forms."""
    chains: set[str] = set()
    for plural in ["", *_PLURAL]:
        for possessive in ["", *_POSSESSIVE_3, *_POSSESSIVE_OTHER, *_POSSESSIVE_12]:
            if plural and possessive in ("сы", "ңыз", "мыз", "м", "ң"):
                continue  # after -лар only the consonant-initial forms' vowel variants occur
            cases = (
                _CASE_AFTER_3
                if possessive in _POSSESSIVE_3
                else _CASE_AFTER_12
                if possessive in _POSSESSIVE_12
                else _CASE
            )
            for case in ["", *cases]:
                if possessive in ("м", "ң") and case == "а":
                    continue  # бала+м+а is rare, бағдарлама and тапсырма are not
                chain = plural + possessive + case
                if chain:
                    chains.add(chain)
                if case.endswith(("да", "та")):
                    chains.update(chain + rel for rel in _RELATIONAL)
    return chains


def _chains() -> set[str]:
    """Every suffix sequence the stemmer strips, back forms: nominal, verbal, the verbal noun."""
    chains = _nominal_chains()
    for verbal in _VERBAL_BASE:
        chains.add(verbal)
        if verbal.endswith("ан") or verbal.endswith("тын"):  # жанғанда, болғанын, болатынын
            chains.update(
                verbal + case for case in ["да", "нан", "ы", "ын", "ға", "ның", "дай", "ына", "ыңызды"]
            )
    global _VERBAL_ONLY
    _VERBAL_ONLY = frozenset(chains - _nominal_chains())
    chains.update(_COMPARATIVE)
    nominal = {chain for chain in chains if chain[:1] not in "а"}
    for noun in _VERBAL_NOUN:
        chains.add(noun)
        chains.update(noun + chain for chain in nominal if chain[:1] in "дтғқнмбпсыл")
    return chains


def _harmonic_suffixes() -> dict[str, str]:
    """Suffix -> "back" or "front", both harmony variants of every chain."""
    table: dict[str, str] = {}
    for chain in _chains():
        front = chain.translate(_TO_FRONT)
        table[chain] = "back" if front != chain else "any"
        table[front] = "front" if front != chain else "any"
    for instrumental in ("мен", "бен", "пен", "менен", "бенен", "пенен"):
        table[instrumental] = "any"  # the instrumental keeps its е after any stem (тотықтырғышпен)
    return table


def _after_vowel_only() -> frozenset[str]:
    """The chains of a consonant-only first or second person possessive (-м, -ң): after a vowel."""
    chains = set()
    for possessive in ("м", "ң", "мыз", "ңыз"):
        for case in ["", *_CASE_AFTER_12]:
            chains.add(possessive + case)
    return frozenset(chains | {chain.translate(_TO_FRONT) for chain in chains})


_VERBAL_ONLY: frozenset[str] = frozenset()  # set by _chains: verbal chains no noun can end in
SUFFIXES = _harmonic_suffixes()
_VERBAL_ONLY_BOTH = _VERBAL_ONLY | {chain.translate(_TO_FRONT) for chain in _VERBAL_ONLY}
# The passive (or reflexive) voice before a verbal ending: ашылған, табылады, жарияланған. Stripped
# only after an ending no noun has, so that ақылды and мысалды keep their л.
_VOICE = {"ыл": "back", "іл": "front", "л": "any", "ын": "back", "ін": "front", "н": "any"}
_AFTER_VOWEL_ONLY = _after_vowel_only()


def _singular_possessives() -> frozenset[str]:
    """The chains that start with a first or second person singular possessive (-ым, -ың)."""
    chains = {
        p + case
        for p in _POSSESSIVE_12
        for case in ["", *_CASE_AFTER_12]
        if (p, case) not in (("м", "а"), ("ң", "а"))
    }
    return frozenset(chains | {chain.translate(_TO_FRONT) for chain in chains})


_SINGULAR_POSSESSIVES = _singular_possessives()
# A stem shorter than this keeps an ending that reads as "my" or "your": сезім, тізім, шешім are
# words, not сез, тіз, шеш + ім; жолдасым and велосипедімді are still stripped.
MIN_STEM_BEFORE_MY = 4
_LONGEST = max(map(len, SUFFIXES))


def _last_vowel(word: str) -> str:
    return next((ch for ch in reversed(word) if ch in VOWELS), "")


def _fits(stem: str, harmony: str) -> bool:
    """Whether `stem` may carry a suffix of this harmony: long enough, a vowel, vowel harmony."""
    vowel = _last_vowel(stem)
    if len(stem) < MIN_STEM or not vowel:
        return False
    if len(stem) == MIN_STEM and stem[0] not in VOWELS and stem not in SHORT_ROOTS:
        return False  # жаны is жан + ы, not жа + ны: two-letter roots start with a vowel (ал, ел, от)
    if harmony == "any":
        return True
    if vowel in BACK_VOWELS:
        return harmony == "back"
    if vowel in FRONT_VOWELS:
        return harmony == "front"
    return True  # и у ю я э ё (mostly in loanwords) take either


# Which sound may end a stem before a suffix starting with this letter (consonant assimilation:
# заты is зат + ы, not за + ты, because -ты follows only voiceless consonants).
_VOICELESS = frozenset("кқпстшфхцчщбвгд")  # б в г д: loanwords take the voiceless forms (педагогтар)
_SONORANT = frozenset("руйлмнң")
# First letter of a suffix -> (letters, whether the stem must end in one of them or in none).
_AFTER: dict[str, tuple[frozenset[str], bool]] = {
    "л": (VOWELS | frozenset("руй"), True),
    "д": (_VOICELESS, False),
    "т": (_VOICELESS, True),
    "н": (VOWELS | frozenset("мнң"), True),
    "ғ": (_VOICELESS, False),
    "г": (_VOICELESS, False),
    "қ": (_VOICELESS, True),
    "к": (_VOICELESS, True),
    "м": (VOWELS | _SONORANT, True),
    "б": (VOWELS | frozenset("жзмнң"), True),
    "п": (_VOICELESS, True),
    "с": (VOWELS, True),
    "ң": (VOWELS, True),
    "й": (VOWELS, True),
}


_VERB_ENDS = ("ла", "ле", "да", "де", "та", "те", "на", "не")


def _joins(stem: str, suffix: str) -> bool:
    end, first = stem[-1], suffix[0]
    if first == "у":
        return True  # the verbal noun: сөндіру, ойлау
    if suffix == "п":
        return stem.endswith(_VERB_ENDS)  # the converb of a verb in -ла, -да, -та: ойлап, сақтап
    if suffix in _SINGULAR_POSSESSIVES and len(stem.rstrip("ыі")) < MIN_STEM_BEFORE_MY:
        return False  # сезім is not сезі + м either
    if suffix in ("ының", "інің") and end in "дт":
        return False  # туындының is туынды + ның (уақытының ends the same either way)
    if suffix in ("сын", "сін") and end not in VOWELS:
        return True  # the imperative after a consonant: білсін (after a vowel: бағдарламасын)
    if first == "р" or suffix in _AFTER_VOWEL_ONLY:
        return end in VOWELS  # the comparative and a first/second person possessive: кішірек, әкем
    if suffix.startswith(("са", "се")):
        return True  # the conditional after any stem: алса, ойласа
    if (
        first == "с"
        and len(stem) > 2
        and stem[-1] in "ыі"
        and stem[-2] not in VOWELS
        and stem[-2] not in "шчтдгғкқ"
    ):
        return False  # облысы is облыс + ы, not облы + сы (but оқушысы is оқушы + сы)
    if end == "у":
        end = "р"  # a final у joins suffixes as a sonorant does: оқытуды, оқытудың, оқытуы
    if first == "д" and end in VOWELS:
        return suffix[1] in "ае"  # after a vowel only the locative/ablative: қалада, қаладан
    if first in _AFTER:
        letters, inside = _AFTER[first]
        return (end in letters) == inside
    return end not in VOWELS  # a vowel-initial suffix follows a consonant


# The few two-letter roots of a consonant and a vowel (су, де: деді, деп).
SHORT_ROOTS = frozenset(["су", "ми", "ру", "де", "же", "жу", "қу", "ки", "не"])

# Words whose end looks like a suffix (бас+ы, жағда+йды, кес+те): never cut shorter than these.
PROTECTED_STEMS = frozenset(
    [
        "бас",
        "жас",
        "тас",
        "қас",
        "жұмыс",
        "дәріс",
        "кеңес",
        "үлес",
        "процес",
        "класс",
        "ресурс",
        "прогресс",
        "жағдай",
        "кесте",
        "сынып",
        "қазақстан",
        "ақпарат",
        "уақыт",
        "талап",
        "мақсат",
        "тұрақ",
        "жалын",
        "орын",
        "мұрын",
        "ауыз",
        "ерін",
        "қарын",
        "қағида",
        "жақын",
        # ending like a first or second person possessive (-ым, -м, -ң) or a verbal ending
        "адам",
        "тіркел",
        # loanwords in -ет, -ат and words in -ып, -еп that read as verb endings
        "мемлекет",
        "университет",
        "кабинет",
        "факультет",
        "комитет",
        "интернет",
        "формат",
        "чемпионат",
        "тақырып",
        "тәртіп",
        "мектеп",
        # қорға (protect; азаматтық қорғау) is not қор + dative
        "қорға",
        # ending like a comparative
        "жапырақ",
        "топырақ",
        "көкірек",
        "кітап",
        "жауап",
        "есеп",
        "себеп",
        "басым",
        "білім",
        "мерзім",
        "бөлім",
        "өнім",
        "ұйым",
        "әлем",
        "көлем",
        "өлшем",
        "сөйлем",
        "өлең",
        "хабар",
        "сапар",
    ]
)
# Stems that drop a vowel when a suffix follows (орын → орны): the inflected stem -> the word.
VOWEL_DROP = {
    "орн": "орын",
    "ауз": "ауыз",
    "мұрн": "мұрын",
    "халқ": "халық",
    "ерн": "ерін",
    "қарн": "қарын",
    "мүлк": "мүлік",
    "қалп": "қалып",
    "мойн": "мойын",
}


def _floor(word: str) -> int:
    """The length of the longest protected stem `word` starts with (0: none)."""
    return max((size for size in range(MIN_STEM, len(word) + 1) if word[:size] in PROTECTED_STEMS), default=0)


def _strip_once(word: str, floor: int = 0) -> str:
    for size in range(min(_LONGEST, len(word) - max(MIN_STEM, floor)), 0, -1):
        suffix = word[-size:]
        harmony = SUFFIXES.get(suffix)
        if harmony and _fits(word[:-size], harmony) and _joins(word[:-size], suffix):
            if suffix[0] == "т" and word[:-size].endswith("ис") and size < len(word) - 4:
                return word[: -size + 1]  # туристер: the т of -ист and of -тер are written once
            return word[:-size]
    return word


def _strip_voice(stem: str, floor: int) -> str:
    for voice in sorted(_VOICE, key=len, reverse=True):
        rest = stem[: -len(voice)]
        if not stem.endswith(voice) or len(rest) < max(MIN_STEM + 1, floor):
            continue
        if (voice[0] in VOWELS) == (rest[-1] in VOWELS):
            continue  # -ыл after a consonant, -л after a vowel
        if _fits(rest, _VOICE[voice]):
            return rest
    return stem


@functools.lru_cache(maxsize=100_000)
def stem_kk(word: str) -> str:
    """The Kazakh stem of a lower-case word: suffix chains stripped until none is left.

    Stripping until nothing changes makes a word and its inflected forms meet even when the
    bare word happens to end like a suffix (оқушы, оқушының → оқуш). Stems are search keys,
    not dictionary forms.
    """
    if word.endswith("ь"):
        word = word[:-1]  # loanwords drop it before an ending: король, королі
    if not word:
        return word
    stem, floor = word, _floor(word)
    while True:
        shorter = _strip_once(stem, floor)
        if shorter == stem:
            break
        if stem[len(shorter) :] in _VERBAL_ONLY_BOTH:
            shorter = _strip_voice(shorter, floor)
        stem = shorter
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in VOWELS:
        stem = stem[:-1]  # процесс, процесі: Kazakh spelling drops the doubled letter before a suffix
    stem = stem[:-1] + _FINAL_DEVOICE.get(stem[-1], stem[-1])
    return VOWEL_DROP.get(stem, stem)


STOP_WORDS_KK = frozenset(
    [
        "және",
        "мен",
        "бен",
        "пен",
        "да",
        "де",
        "та",
        "те",
        "не",
        "немесе",
        "әлде",
        "бірақ",
        "ал",
        "ғана",
        "тек",
        "үшін",
        "бойынша",
        "арқылы",
        "туралы",
        "сияқты",
        "секілді",
        "дейін",
        "кейін",
        "соң",
        "бері",
        "қарай",
        "бұл",
        "осы",
        "сол",
        "ол",
        "мына",
        "ана",
        "олар",
        "оның",
        "оны",
        "оған",
        "онда",
        "одан",
        "бұның",
        "мұны",
        "бұған",
        "мұнда",
        "осында",
        "сонда",
        "біз",
        "сіз",
        "сен",
        "мен",
        "біздің",
        "сіздің",
        "олардың",
        "өз",
        "өзі",
        "әр",
        "әрбір",
        "барлық",
        "бүкіл",
        "кейбір",
        "бір",
        "екі",
        "жоқ",
        "бар",
        "емес",
        "ма",
        "ме",
        "ба",
        "бе",
        "па",
        "пе",
        "ия",
        "иә",
        "егер",
        "онда",
        "яғни",
        "себебі",
        "сондықтан",
        "өйткені",
        "сондай",
        "осындай",
        "қандай",
        "қалай",
        "неге",
        "қашан",
        "кім",
        "қай",
        "еді",
        "екен",
        "басқа",
        "өзге",
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің",
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не",
        "ны",
        "ні",
        "ды",
        "ді",
        "ты",
        "ті",
        "нда",
        "нде",
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
    ]
)

# -- Russian and English --------------------------------------------------------------------

STOP_WORDS_RU = frozenset(
    [
        "и",
        "в",
        "во",
        "не",
        "что",
        "он",
        "на",
        "я",
        "с",
        "со",
        "как",
        "а",
        "то",
        "все",
        "она",
        "так",
        "его",
        "но",
        "да",
        "ты",
        "к",
        "у",
        "же",
        "вы",
        "за",
        "бы",
        "по",
        "только",
        "ее",
        "её",
        "мне",
        "было",
        "вот",
        "от",
        "меня",
        "еще",
        "ещё",
        "нет",
        "о",
        "из",
        "ему",
        "когда",
        "даже",
        "ну",
        "ли",
        "если",
        "уже",
        "или",
        "ни",
        "быть",
        "был",
        "него",
        "до",
        "вас",
        "нибудь",
        "уж",
        "вам",
        "ведь",
        "там",
        "потом",
        "себя",
        "ей",
        "может",
        "они",
        "тут",
        "где",
        "есть",
        "надо",
        "ней",
        "для",
        "мы",
        "тебя",
        "их",
        "чем",
        "была",
        "сам",
        "чтоб",
        "без",
        "будто",
        "чего",
        "раз",
        "тоже",
        "себе",
        "под",
        "будет",
        "ж",
        "тогда",
        "кто",
        "этот",
        "того",
        "потому",
        "этого",
        "какой",
        "ним",
        "здесь",
        "этом",
        "один",
        "почти",
        "мой",
        "тем",
        "чтобы",
        "нее",
        "сейчас",
        "были",
        "куда",
        "зачем",
        "всех",
        "можно",
        "при",
        "об",
        "другой",
        "хоть",
        "после",
        "над",
        "больше",
        "тот",
        "через",
        "эти",
        "нас",
        "про",
        "всего",
        "них",
        "какая",
        "много",
        "разве",
        "эту",
        "моя",
        "свою",
        "этой",
        "перед",
        "том",
        "нельзя",
        "такой",
        "им",
        "более",
        "всегда",
        "всю",
        "между",
        "это",
    ]
)

STOP_WORDS_EN = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
        "from",
        "has",
        "have",
        "had",
        "were",
        "which",
        "what",
        "who",
        "how",
        "when",
        "where",
        "its",
        "can",
        "do",
        "does",
    ]
)

STOP_WORDS = {"kk": STOP_WORDS_KK, "ru": STOP_WORDS_RU, "en": STOP_WORDS_EN}


class _Stemmer(Protocol):
    """What a snowballstemmer stemmer offers (the package ships no types)."""

    def stemWord(self, word: str) -> str: ...  # snowballstemmer's name


@functools.cache
def _snowball(name: str) -> _Stemmer:
    return snowballstemmer.stemmer(name)


@functools.lru_cache(maxsize=100_000)
def stem_ru(word: str) -> str:
    return str(_snowball("russian").stemWord(word.replace("ё", "е")))


@functools.lru_cache(maxsize=100_000)
def stem_en(word: str) -> str:
    return str(_snowball("english").stemWord(word))


STEMMERS = {"kk": stem_kk, "ru": stem_ru, "en": stem_en}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown search language {lang!r} (one of {', '.join(LANGUAGES)})")
    return lang


def normalize(text: str) -> str:
    """NFC (a decomposed й or ә from a word processor equals the composed letter), lower case."""
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> Iterator[str]:
    return (match.group() for match in WORD_RE.finditer(normalize(text)))


def analyze(text: str, lang: str) -> list[str]:
    """Index terms of `text` in `lang`, in order."""
    return [term for _, term in analyze_words(text, lang)]


def analyze_words(text: str, lang: str) -> list[tuple[str, str]]:
    """(word, its term) for every word of `text` that is not a stop word, in order."""
    stop, stem = STOP_WORDS[check_language(lang)], STEMMERS[lang]
    return [(word, stem(word)) for word in words(text) if word not in stop]


ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


def typo_terms(word: str, lang: str) -> set[str]:
    """The terms of every word one letter away from `word` (a letter wrong, missing, extra or two
    swapped; the first letter kept, as the index's fuzzy query keeps it).

    Fuzzy matching of the stem misses a typo that changes which ending the stemmer strips
    (огнетушитили: Snowball gives огнетушит, the right word огнетушител); this works on the word.
    """
    stop, stem, letters = STOP_WORDS[check_language(lang)], STEMMERS[lang], ALPHABETS[lang]
    first, rest = word[:1], word[1:]
    variants = {first + rest[:i] + rest[i + 1 :] for i in range(len(rest))}
    variants |= {first + rest[:i] + rest[i + 1] + rest[i] + rest[i + 2 :] for i in range(len(rest) - 1)}
    for i in range(len(rest) + 1):
        for letter in letters:
            variants.add(first + rest[:i] + letter + rest[i:])
            if i < len(rest):
                variants.add(first + rest[:i] + letter + rest[i + 1 :])
    variants.discard(word)
    return {stem(variant) for variant in variants if variant not in stop}


# -- whoosh ---------------------------------------------------------------------------------


def index_terms(text: str, lang: str) -> list[str]:
    """The terms `whoosh_analyzer(lang)` makes of `text`, in order, without whoosh's token objects:
    the builder gives whoosh these lists to index (measured: the filter chain was the larger part
    of indexing 1,000 lessons). The same steps in the same order: words of the text as written,
    each composed (NFC), lower-cased, stop words dropped, stemmed (tested equal to the chain)."""
    known = _TERMS[check_language(lang)]
    words = WORD_RE.findall(text)
    for word in set(words).difference(known):
        known[word] = _term(word, lang)
    terms = filter(_is_term, map(known.__getitem__, words))  # without a Python step per word
    return cast("list[str]", list(terms))


_is_term = functools.partial(operator.is_not, None)  # a stop word's term is None


# The term of each word as written, per language (None: a stop word), for `index_terms`: a
# lesson repeats its words, and each one went through NFC, lower-casing and the stemmer's cache
# again (~40 % of making the terms of 1,000 lessons). Bounded by the site's vocabulary.
_TERMS: dict[str, dict[str, str | None]] = {lang: {} for lang in STOP_WORDS}


def _term(written: str, lang: str) -> str | None:
    word = unicodedata.normalize("NFC", written).lower()
    return None if word in STOP_WORDS[lang] else STEMMERS[lang](word)


class NfcFilter(Filter):
    """Compose decomposed letters, so that offsets into the stored (NFC) text stay exact."""

    def __call__(self, tokens: Iterator) -> Iterator:
        for token in tokens:
            token.text = unicodedata.normalize("NFC", token.text)
            yield token


def whoosh_analyzer(lang: str) -> CompositeAnalyzer:
    """The same analysis as `analyze`, as a whoosh analyzer (with character offsets, for snippets)."""
    check_language(lang)
    return (
        RegexTokenizer(WORD_RE)
        | NfcFilter()
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS[lang], minsize=1)
        | StemFilter(stemfn=STEMMERS[lang], cachesize=-1)
    )
