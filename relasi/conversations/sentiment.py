"""Sentiment of what customers write (Indonesian, including informal spelling, and English).

`score(text, language=None) -> (label, score)`: label is a `choices.Sentiment` value, score a
number from -1 (angry) to +1 (delighted). Pure Python, a fraction of a millisecond a message, no model to load.

Method (a lexicon with rules, in the manner of VADER): the text is lower-cased, repeated
letters are squeezed ("bangettt" → "banget"), informal spellings mapped to one form ("gak",
"ga", "nggak" → "tidak"; "bgt" → "banget"; "mantul" → "mantap"; "lemot" → "lambat"), and a few
Indonesian affixes stripped when a word is not known as written ("kecewanya", "dikirimnya").
Each known word, two-word phrase ("belum sampai", "not received") and emoji adds its weight;
a negator within the three words before flips and damps it ("tidak bagus", "gak jelek",
"not bad"); an intensifier next to it raises it ("parah banget", "very slow"); words after
"tapi"/"but" count more than those before; "!" and CAPITALS raise the total. Thanks and 🙏
that close a question or a request ("mohon infonya, terima kasih 🙏") count only a little,
so a polite question stays neutral. The language is the one given, else the one whose common
words the text has more of; words of the other language still count (customers mix them).

Why no package: the PyPI packages looked at were the Sastrawi stemmer (a formal-Indonesian
stemmer, last released 2016; it does not know informal spelling and stems "kecewa"-type words
no better than the small affix rule here), vaderSentiment (English only, tuned on social
media, not on orders or deliveries, last released 2020, pulls in requests) and indoNLP (a
slang table and stopwords, 2022; its data sets download at run time). The InSet Indonesian
lexicon is not on PyPI. None ships labelled customer-service text. So the word lists in
`sentiment_lexicon.py` were written for this project; the evaluation sets in data/ were not
used to choose them (see docs/conversations.md, "Sentiment")."""

import math
import re
import unicodedata

from relasi.conversations import sentiment_lexicon as lex
from relasi.conversations.choices import Sentiment

POSITIVE_AT = 0.25  # a compound score at or beyond these is positive / negative
NEGATIVE_AT = -0.25
_BROKEN = -1.5
_NEGATION_DAMP = -0.7
_SCOPE = 3
_BOOST_AFTER_CONTRAST = 1.5
_BEFORE_CONTRAST = 0.5

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_EMOTICON = re.compile(r"(:-?\)|:-?\(|:'\(|:d\b|<3)")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?\d?|\d+|[!?.,;]|[^\w\s]", re.UNICODE)
_REPEAT = re.compile(r"(\w)\1{2,}")
_PUNCT = set("!?.,;")
_PLEASE = {"tolong", "please", "mohon"}
_ID_PREFIXES = ("meng", "meny", "mem", "men", "me", "di", "ter", "ber", "ke", "se", "pe")
_ID_SUFFIXES = ("nya", "lah", "kah", "kan", "an", "in", "i")
_EMOJI_KEYS = sorted((k for k in lex.EMOJI if not k.isascii()), key=len, reverse=True)


def detect_language(text: str) -> str:
    """The language, "id" or "en", by which language's common words the text has more of ("id" on a tie:
    the customers are in Indonesia)."""
    words = [_squeeze(w) for w in re.findall(r"[a-z']+", text.lower())]
    id_hits = sum(w in lex.ID_FUNCTION or w in lex.SLANG for w in words)
    en_hits = sum(w.replace("'", "") in lex.EN_FUNCTION for w in words)
    return "en" if en_hits > id_hits else "id"


def score(text: str, language: str | None = None) -> tuple[str, float]:
    """The sentiment label and a score in [-1, 1] of one message."""
    text = unicodedata.normalize("NFC", text or "")
    if not text.strip():
        return Sentiment.NEUTRAL, 0.0
    lang = language[:2].lower() if language else detect_language(text)
    tokens = _tokens(text)
    words, phrases = (
        (lex.EN_WORDS, lex.EN_PHRASES) if lang == "en" else (lex.ID_WORDS, lex.ID_PHRASES)
    )
    other_words, other_phrases = (
        (lex.ID_WORDS, lex.ID_PHRASES) if lang == "en" else (lex.EN_WORDS, lex.EN_PHRASES)
    )
    asks = any(t in lex.REQUEST or t == "?" for t in tokens)
    questions = _question_spans(tokens)
    hypothetical = _hypothetical_spans(tokens)
    values: list[float] = []
    contrast_at = -1
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        pair = f"{tok} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        weight: float | None = None
        width = 1
        if pair in lex.GREETINGS:
            weight, width = 0.0, 2
        elif pair and (pair in phrases or pair in other_phrases):
            weight, width = phrases.get(pair, other_phrases.get(pair)), 2
        elif tok in lex.EMOJI:
            weight = lex.EMOJI[tok]
        else:
            weight = _word_weight(tok, words, other_words)
        if tok in lex.CONTRAST:
            contrast_at = len(values)
        if weight:
            weight = _adjust(tokens, i, width, weight, asks)
        elif tok in lex.FUNCTION_VERBS and _negated(tokens, i) and i not in questions:
            weight = _BROKEN  # "gak nyala", "won't turn on"
        if weight and (i in hypothetical or (weight > 0 and i in questions)):
            weight *= 0.3
        values.append(weight or 0.0)
        i += width
    if contrast_at > 0:
        values = [v * _BEFORE_CONTRAST for v in values[:contrast_at]] + [
            v * _BOOST_AFTER_CONTRAST for v in values[contrast_at:]
        ]
    total = sum(values)
    total *= _emphasis(text, tokens)
    compound = total / math.sqrt(total * total + 15)
    if compound >= POSITIVE_AT:
        return Sentiment.POSITIVE, round(compound, 3)
    if compound <= NEGATIVE_AT:
        return Sentiment.NEGATIVE, round(compound, 3)
    return Sentiment.NEUTRAL, round(compound, 3)


def _squeeze(word: str) -> str:
    return _REPEAT.sub(r"\1", word)


def _tokens(text: str) -> list[str]:
    text = _URL.sub(" ", text.lower().replace("’", "'"))
    text = _EMOTICON.sub(lambda m: f" {m.group(0)} ", text)
    for e in _EMOJI_KEYS:
        if e in text:
            text = text.replace(e, f" {e} ")
    out: list[str] = []
    for raw in re.findall(r":-?\)|:-?\(|:'\(|:d\b|<3|\S+", text):
        if raw in lex.EMOJI:
            out.append(raw)
            continue
        for tok in _TOKEN.findall(raw):
            tok = tok.replace("'", "") if tok.endswith(("n't", "nt")) or "'" in tok else tok
            tok = _normal(tok)
            if tok:
                out.extend(tok.split())
    return out


def _normal(tok: str) -> str:
    if tok[-1:] == "2" and len(tok) > 2:  # "cepet2" = "cepet-cepet"
        tok = tok[:-1]
    if tok in lex.SLANG:
        return lex.SLANG[tok]
    squeezed = _squeeze(tok)
    if squeezed in lex.SLANG:
        return lex.SLANG[squeezed]
    if squeezed != tok and _known(squeezed):
        return squeezed
    once = re.sub(r"(\w)\1+", r"\1", tok) if squeezed != tok else tok
    if once != tok and (once in lex.SLANG or _known(once)):
        return lex.SLANG.get(once, once)
    return squeezed


def _known(word: str) -> bool:
    return word in lex.ID_WORDS or word in lex.EN_WORDS or word in lex.INTENSIFIERS


def _word_weight(tok: str, words: dict[str, float], other: dict[str, float]) -> float | None:
    if tok in words:
        return words[tok]
    if tok in other:
        return other[tok]
    stem = _stem(tok)
    if stem is not None:
        return lex.ID_WORDS.get(stem)
    return None


def _stem(word: str) -> str | None:
    """A known Indonesian word under a few common affixes, or None."""
    if len(word) < 5 or not word.isalpha():
        return None
    candidates = [word]
    for suffix in _ID_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            candidates.append(word[: -len(suffix)])
    for cand in list(candidates):
        for prefix in _ID_PREFIXES:
            if cand.startswith(prefix) and len(cand) - len(prefix) >= 3:
                rest = cand[len(prefix) :]
                candidates.append(rest)
                # meN- drops the first letter of k/p/t/s words: mengecewakan ← kecewa
                restore = {"meng": "k", "mem": "p", "men": "t", "meny": "s", "pe": ""}
                if restore.get(prefix):
                    candidates.append(restore[prefix] + rest)
    for cand in candidates[1:]:
        if cand in lex.ID_WORDS:
            return cand
    return None


def _adjust(tokens: list[str], i: int, width: int, weight: float, asks: bool) -> float:
    tok = tokens[i]
    pair = " ".join(tokens[i : i + width])
    if _is_thanks(tok, pair, width) and asks:
        weight = min(weight, 0.3)
    if tok in lex.ACKNOWLEDGE and (i == 0 or tokens[i - 1] in _PUNCT) and width == 1:
        return min(weight, 0.3)
    weight *= _boost(tokens, i, width)
    if width == 2 and tokens[i] in lex.ID_NEGATORS | lex.EN_NEGATORS:
        return weight  # the phrase is already negated ("tidak sesuai", "not received")
    negator, at = _negator(tokens, i)
    prohibits = negator in lex.PROHIBIT and (at == 0 or tokens[at - 1] in _PUNCT | _PLEASE)
    if negator and prohibits and weight < 0:
        return weight * 0.6
    if negator:
        weight *= _NEGATION_DAMP
    return weight


def _question_spans(tokens: list[str]) -> set[int]:
    """Positions inside a clause that ends with "?"."""
    out: set[int] = set()
    start = 0
    for j, t in enumerate(tokens):
        if t in _PUNCT:
            if t == "?":
                out.update(range(start, j))
            start = j + 1
    return out


def _hypothetical_spans(tokens: list[str]) -> set[int]:
    out: set[int] = set()
    inside = False
    for j, t in enumerate(tokens):
        if t in lex.HYPOTHETICAL:
            inside = True
        elif t in _PUNCT:
            inside = False
        elif inside:
            out.add(j)
    return out


def _is_thanks(tok: str, pair: str, width: int) -> bool:
    return (tok if width == 1 else pair) in lex.THANKS or pair in ("terima kasih", "thank you")


def _negated(tokens: list[str], i: int) -> bool:
    return bool(_negator(tokens, i)[0])


def _negator(tokens: list[str], i: int) -> tuple[str, int]:
    """The negating word within the few words before position i and where it is."""
    for j in range(i - 1, max(-1, i - 1 - _SCOPE), -1):
        t = tokens[j]
        if t in _PUNCT or t in lex.CONTRAST:
            break
        if t in lex.ID_NEGATORS or t in lex.EN_NEGATORS or t in lex.PROHIBIT:
            return t, j
    return "", -1


def _boost(tokens: list[str], i: int, width: int) -> float:
    factor = 1.0
    before = tokens[i - 1] if i >= 1 else ""
    after = tokens[i + width] if i + width < len(tokens) else ""
    if before in lex.INTENSIFIERS:
        factor = lex.INTENSIFIERS[before]
    elif after in lex.INTENSIFIERS and after in ("banget", "sekali", "amat", "parah"):
        factor = lex.INTENSIFIERS[after]
    elif after == "parah":
        factor = 1.5
    return factor


def _emphasis(text: str, tokens: list[str]) -> float:
    bangs = min(text.count("!"), 4)
    shouted = sum(1 for w in re.findall(r"\b[A-Z]{3,}\b", text) if w.lower() not in ("cod",))
    return 1.0 + 0.08 * bangs + (0.15 if shouted >= 2 else 0.0)
