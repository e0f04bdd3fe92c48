"""The Kazakh analyzer for the static site's own search (lunr), generated from analyzers.py.

Material's search worker loads `assets/javascripts/lunr/min/lunr.<lang>.min.js` for the language
of `search.config.lang` (theme/partials/languages/kk.html says "kk") and calls `this.use(lunr.kk)`.
The file this module writes defines `lunr.kk`: Kazakh stop words and `stem_kk`, ported by hand in
`_LOGIC` and fed with the tables of analyzers.py, so that a page is indexed with the terms the
service's index has and a query is stemmed by the same rules (tests/search/test_search_lunr.py
runs both on the labelled words in Chromium). Two things of Material's worker are adjusted:

- it sends every query word as a prefix query (`word*`), and lunr runs no pipeline on those: the
  words of a query are run through the pipeline anyway, and the stemmer answers both the word as
  typed (prefix matching goes on working while one types) and its stem;
- it marks a query word "missing" when no indexed word starts with it, which a stemmed index
  rarely has (сөндіргіштің is indexed as сөндіргіш): Cyrillic words are never marked.

The file is committed (the theme is package data); `python -m builder.search.lunr_kk` rewrites it
and a test fails while it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from builder.search import analyzers as kk

LUNR_KK = (
    Path(__file__).resolve().parents[1]
    / "theme"
    / "assets"
    / "javascripts"
    / "lunr"
    / "min"
    / "lunr.kk.min.js"
)


def _suffix_table() -> dict[str, object]:
    """SUFFIXES as the back forms (the front form follows by _TO_FRONT), "any" ones and exceptions."""
    back = sorted(s for s, h in kk.SUFFIXES.items() if h == "back")
    any_ = sorted(s for s, h in kk.SUFFIXES.items() if h == "any")
    rebuilt: dict[str, str] = {}
    for suffix in back:
        rebuilt[suffix] = "back"
    for suffix in back:
        rebuilt.setdefault(suffix.translate(kk._TO_FRONT), "front")
    for suffix in any_:
        rebuilt[suffix] = "any"
    extra = {s: h for s, h in kk.SUFFIXES.items() if rebuilt.get(s) != h}
    drop = sorted(s for s in rebuilt if s not in kk.SUFFIXES)
    return {"back": " ".join(back), "any": " ".join(any_), "extra": extra, "drop": drop}


def _tables() -> dict[str, object]:
    return {
        "suffixes": _suffix_table(),
        "toFront": [chr(k) + chr(v) for k, v in kk._TO_FRONT.items()],
        "backVowels": "".join(sorted(kk.BACK_VOWELS)),
        "frontVowels": "".join(sorted(kk.FRONT_VOWELS)),
        "vowels": "".join(sorted(kk.VOWELS)),
        "devoice": kk._FINAL_DEVOICE,
        "minStem": kk.MIN_STEM,
        "after": {
            letter: ["".join(sorted(letters)), inside] for letter, (letters, inside) in kk._AFTER.items()
        },
        "afterVowelOnly": " ".join(sorted(kk._AFTER_VOWEL_ONLY)),
        "singularPossessives": " ".join(sorted(kk._SINGULAR_POSSESSIVES)),
        "minStemBeforeMy": kk.MIN_STEM_BEFORE_MY,
        "verbalOnly": " ".join(sorted(kk._VERBAL_ONLY_BOTH)),
        "voice": [[voice, kk._VOICE[voice]] for voice in sorted(kk._VOICE, key=len, reverse=True)],
        "verbEnds": list(kk._VERB_ENDS),
        "shortRoots": " ".join(sorted(kk.SHORT_ROOTS)),
        "protected": " ".join(sorted(kk.PROTECTED_STEMS)),
        "vowelDrop": kk.VOWEL_DROP,
        "stopWords": " ".join(sorted(kk.STOP_WORDS_KK)),
    }


_LOGIC = r"""
  function set(words) {
    var out = Object.create(null);
    words.split(" ").forEach(function (w) { if (w) out[w] = true; });
    return out;
  }
  var toFront = {}; T.toFront.forEach(function (pair) { toFront[pair[0]] = pair[1]; });
  function front(s) { return s.replace(/./g, function (c) { return toFront[c] || c; }); }
  var SUFFIXES = Object.create(null), LONGEST = 0;
  T.suffixes.back.split(" ").forEach(function (s) { SUFFIXES[s] = "back"; });
  T.suffixes.back.split(" ").forEach(function (s) { var f = front(s); if (!(f in SUFFIXES)) SUFFIXES[f] = "front"; });
  T.suffixes.any.split(" ").forEach(function (s) { if (s) SUFFIXES[s] = "any"; });
  Object.keys(T.suffixes.extra).forEach(function (s) { SUFFIXES[s] = T.suffixes.extra[s]; });
  T.suffixes.drop.forEach(function (s) { delete SUFFIXES[s]; });
  Object.keys(SUFFIXES).forEach(function (s) { LONGEST = Math.max(LONGEST, s.length); });
  var VOWELS = set(T.vowels.split("").join(" ")), BACK = set(T.backVowels.split("").join(" ")),
      FRONT = set(T.frontVowels.split("").join(" "));
  var AFTER_VOWEL_ONLY = set(T.afterVowelOnly), VERBAL_ONLY = set(T.verbalOnly),
      SINGULAR_POSSESSIVES = set(T.singularPossessives),
      SHORT_ROOTS = set(T.shortRoots), PROTECTED = set(T.protected), STOP = set(T.stopWords);

  function lastVowel(word) { for (var i = word.length - 1; i >= 0; i--) if (VOWELS[word[i]]) return word[i]; return ""; }
  function fits(stem, harmony) {
    var vowel = lastVowel(stem);
    if (stem.length < T.minStem || !vowel) return false;
    if (stem.length === T.minStem && !VOWELS[stem[0]] && !SHORT_ROOTS[stem]) return false;
    if (harmony === "any") return true;
    if (BACK[vowel]) return harmony === "back";
    if (FRONT[vowel]) return harmony === "front";
    return true;
  }
  function endsWithAny(word, ends) { return ends.some(function (e) { return word.slice(-e.length) === e; }); }
  function joins(stem, suffix) {
    var end = stem[stem.length - 1], first = suffix[0];
    if (first === "у") return true;
    if (suffix === "п") return endsWithAny(stem, T.verbEnds);
    if (SINGULAR_POSSESSIVES[suffix] && stem.replace(/[ыі]+$/, "").length < T.minStemBeforeMy) return false;
    if ((suffix === "ының" || suffix === "інің") && "дт".indexOf(end) >= 0) return false;
    if ((suffix === "сын" || suffix === "сін") && !VOWELS[end]) return true;
    if (first === "р" || AFTER_VOWEL_ONLY[suffix]) return !!VOWELS[end];
    if (suffix.slice(0, 2) === "са" || suffix.slice(0, 2) === "се") return true;
    if (first === "с" && stem.length > 2 && "ыі".indexOf(stem[stem.length - 1]) >= 0 &&
        !VOWELS[stem[stem.length - 2]] && "шчтдгғкқ".indexOf(stem[stem.length - 2]) < 0) return false;
    if (end === "у") end = "р";
    if (first === "д" && VOWELS[end]) return "ае".indexOf(suffix[1]) >= 0;
    if (first in T.after) return (T.after[first][0].indexOf(end) >= 0) === T.after[first][1];
    return !VOWELS[end];
  }
  function floorOf(word) {
    var best = 0;
    for (var size = T.minStem; size <= word.length; size++) if (PROTECTED[word.slice(0, size)]) best = size;
    return best;
  }
  function stripOnce(word, floor) {
    for (var size = Math.min(LONGEST, word.length - Math.max(T.minStem, floor)); size > 0; size--) {
      var suffix = word.slice(-size), harmony = SUFFIXES[suffix], stem = word.slice(0, -size);
      if (harmony && fits(stem, harmony) && joins(stem, suffix)) {
        if (suffix[0] === "т" && stem.slice(-2) === "ис" && size < word.length - 4) return word.slice(0, -size + 1);
        return stem;
      }
    }
    return word;
  }
  function stripVoice(stem, floor) {
    for (var i = 0; i < T.voice.length; i++) {
      var voice = T.voice[i][0], rest = stem.slice(0, -voice.length);
      if (stem.slice(-voice.length) !== voice || rest.length < Math.max(T.minStem + 1, floor)) continue;
      if (!!VOWELS[voice[0]] === !!VOWELS[rest[rest.length - 1]]) continue;
      if (fits(rest, T.voice[i][1])) return rest;
    }
    return stem;
  }
  var cache = Object.create(null);
  function stemWord(word) {
    if (word in cache) return cache[word];
    var key = word;
    if (word.slice(-1) === "ь") word = word.slice(0, -1);
    if (!word) return (cache[key] = word);
    var stem = word, floor = floorOf(word);
    for (;;) {
      var shorter = stripOnce(stem, floor);
      if (shorter === stem) break;
      if (VERBAL_ONLY[stem.slice(shorter.length)]) shorter = stripVoice(shorter, floor);
      stem = shorter;
    }
    var n = stem.length;
    if (n > 2 && stem[n - 1] === stem[n - 2] && !VOWELS[stem[n - 1]]) stem = stem.slice(0, -1);
    stem = stem.slice(0, -1) + (T.devoice[stem[stem.length - 1]] || stem[stem.length - 1]);
    return (cache[key] = T.vowelDrop[stem] || stem);
  }
  function isStopWord(word) { return !!STOP[word]; }

  root.oquKazakh = { stem: stemWord, isStopWord: isStopWord };
  var lunr = root.lunr;
  if (!lunr) return;
  lunr.kk = function () {
    this.pipeline.reset();
    this.pipeline.add(lunr.kk.stopWordFilter, lunr.kk.stemmer);
    this.searchPipeline.reset();
    this.searchPipeline.add(lunr.kk.stemmer);
  };
  lunr.kk.stopWordFilter = function (token) {
    return isStopWord(token.toString().normalize("NFC").toLowerCase()) ? undefined : token;
  };
  lunr.kk.stemmer = function (token) {
    var text = token.toString().normalize("NFC").toLowerCase();
    var wildcard = text.slice(-1) === "*" ? "*" : "";
    var word = wildcard ? text.slice(0, -1) : text;
    if (!word || !/^[а-яёәғқңөұүһі]+$/.test(word)) return token.update(function () { return text; });
    var stemmed = stemWord(word) + wildcard;
    if (!wildcard || stemmed === text) return token.update(function () { return stemmed; });
    return [token.clone(function () { return text; }), token.clone(function () { return stemmed; })];
  };
  lunr.Pipeline.registerFunction(lunr.kk.stopWordFilter, "stopWordFilter-kk");
  lunr.Pipeline.registerFunction(lunr.kk.stemmer, "stemmer-kk");
  var clause = lunr.Query.prototype.clause;
  lunr.Query.prototype.clause = function (options) {
    var query = clause.call(this, options);
    this.clauses[this.clauses.length - 1].usePipeline = true;
    return query;
  };
  var englishStopWords = lunr.stopWordFilter;
  lunr.stopWordFilter = function (token) {
    return /[а-яёәғқңөұүһі]/i.test(String(token)) ? undefined : englishStopWords(token);
  };
"""


def javascript() -> str:
    tables = json.dumps(_tables(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (
        "/* Generated by builder/search/lunr_kk.py from builder/search/analyzers.py: do not edit. */\n"
        "(function (root) {\n"
        '  "use strict";\n'
        f"  var T = {tables};\n" + _LOGIC + "})(typeof self !== 'undefined' ? self : globalThis);\n"
    )


def main() -> None:
    LUNR_KK.parent.mkdir(parents=True, exist_ok=True)
    LUNR_KK.write_text(javascript(), encoding="utf-8")
    print(f"wrote {LUNR_KK} ({LUNR_KK.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
