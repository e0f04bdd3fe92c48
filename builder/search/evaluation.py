"""How well the Kazakh analyzer conflates word forms, measured on a treebank with lemmas.

The data is CoNLL-U with a lemma and a part of speech per token: the Universal Dependencies
Kazakh treebank (UD_Kazakh-KTB, CC BY-SA 4.0). None of it is in this repository: it is read from
the folder `OQU_KK_TREEBANK` names, else `../shared/data/UD_Kazakh-KTB` beside the repository;
without it the test is skipped and the bench says so.

- **conflation**, per part of speech: of the distinct (form, lemma) pairs whose form differs from
  its lemma, the share that `analyze` gives one term. A stemmer that cut every word to two letters
  would score 100 %, hence the second figure:
- **false merges**: of the pairs of different lemmas that begin with the same three letters (the
  pairs a suffix stripper can confuse: бас, басым, басқа), the share given one term. Left out are
  the pairs the treebank itself relates (one lemma is also tagged as a form of the other: its
  lemmas are not always dictionary forms, e.g. басы, жолда) and the derivations conflated on
  purpose (`DELIBERATE`).
"""

from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.search.analyzers import analyze, normalize

PARTS_OF_SPEECH = ("NOUN", "ADJ", "VERB")
TARGETS = {"NOUN": 0.95, "ADJ": 0.90, "VERB": 0.70}
FALSE_MERGE_LIMIT = 0.02
TREEBANK_ENV = "OQU_KK_TREEBANK"
_REPO = Path(__file__).resolve().parents[2]
DEFAULT_TREEBANK = _REPO.parent / "shared" / "data" / "UD_Kazakh-KTB"
_WORD = re.compile(r"^[а-яёәғқңөұүһі]+$")


@dataclass(frozen=True)
class Token:
    form: str
    lemma: str
    pos: str


@dataclass(frozen=True)
class Score:
    hits: int
    total: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.share:.1%} ({self.hits}/{self.total})"


def treebank_dir() -> Path:
    return Path(os.environ.get(TREEBANK_ENV) or DEFAULT_TREEBANK)


def read_treebank(folder: Path) -> list[Token]:
    """The words of every `*.conllu` file in `folder` (multi-word token lines left out)."""
    tokens = []
    for path in sorted(folder.glob("*.conllu")):
        tokens += read_conllu(path.read_text(encoding="utf-8"))
    return tokens


def read_conllu(text: str) -> list[Token]:
    tokens = []
    for line in text.splitlines():
        columns = line.split("\t")
        if len(columns) == 10 and columns[0].isdigit():
            tokens.append(Token(normalize(columns[1]), normalize(columns[2]), columns[3]))
    return tokens


def _words(tokens: Iterable[Token]) -> list[Token]:
    """Tokens of the evaluated parts of speech whose form and lemma are Cyrillic words."""
    return [t for t in tokens if t.pos in PARTS_OF_SPEECH and _WORD.match(t.form) and _WORD.match(t.lemma)]


def _term(word: str) -> str | None:
    terms = analyze(word, "kk")
    return terms[0] if len(terms) == 1 else None  # None: a stop word


def conflation(tokens: Iterable[Token], term: Callable[[str], str | None] = _term) -> dict[str, Score]:
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for token in _words(tokens):
        if token.form != token.lemma and term(token.form) and term(token.lemma):
            pairs[token.pos].add((token.form, token.lemma))
    return {
        pos: Score(sum(term(form) == term(lemma) for form, lemma in pairs[pos]), len(pairs[pos]))
        for pos in PARTS_OF_SPEECH
    }


# Derivations given one term on purpose (see docs/search.md):
def _verbal_noun(verb: str, noun: str) -> bool:
    """A verb and its verbal noun: жаса, жасау; оқы, оқу."""
    return noun in (verb + "у", verb + "ю", verb[:-1] + "у")


def _denominal_verb(noun: str, verb: str) -> bool:
    """A noun and its verb in -ла, -да, -та (жинақ, жинақта; сақ, сақта): the verb is written as the
    noun's locative, which no suffix stripper can tell apart."""
    return verb[len(noun) :] in ("ла", "ле", "да", "де", "та", "те") and verb.startswith(noun)


def _denominal_verbal_noun(noun: str, verbal_noun: str) -> bool:
    """The two above in one: a noun and the verbal noun of its verb (жөн, жөндеу; сақ, сақтау)."""
    return verbal_noun.endswith("у") and _denominal_verb(noun, verbal_noun[:-1])


def _having(noun: str, adjective: str) -> bool:
    """A noun and its adjective in -лы, -ды, -ты "having" (білім, білімді; күш, күшті): written as
    the noun's accusative."""
    return adjective.startswith(noun) and adjective[len(noun) :] in ("лы", "лі", "ды", "ді", "ты", "ті")


DELIBERATE: tuple[Callable[[str, str], bool], ...] = (
    _verbal_noun,
    _denominal_verb,
    _denominal_verbal_noun,
    _having,
)


def false_merges(
    tokens: Iterable[Token], term: Callable[[str], str | None] = _term
) -> tuple[Score, list[tuple[str, str]]]:
    """The share of confusable lemma pairs given one term, and those pairs."""
    words = _words(tokens)
    related = {(t.form, t.lemma) for t in words} | {(t.lemma, t.form) for t in words}
    lemmas = sorted({t.lemma for t in words if term(t.lemma)})
    pairs = merged = 0
    examples = []
    for a, b in itertools.combinations(lemmas, 2):
        if a[:3] != b[:3] or (a, b) in related:
            continue
        if any(rule(a, b) or rule(b, a) for rule in DELIBERATE):
            continue
        pairs += 1
        if term(a) == term(b):
            merged += 1
            examples.append((a, b))
    return Score(merged, pairs), examples


def report(tokens: list[Token]) -> list[str]:
    """Lines of figures: conflation per part of speech, then false merges."""
    lines = [
        f"  {pos:5} conflation {score}  (target {TARGETS[pos]:.0%})"
        for pos, score in conflation(tokens).items()
    ]
    merges, _ = false_merges(tokens)
    lines.append(f"  false merges {merges} of confusable lemma pairs  (limit {FALSE_MERGE_LIMIT:.0%})")
    return lines
