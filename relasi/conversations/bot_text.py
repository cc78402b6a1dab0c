"""Text analysis and ranking for the chatbot: tokens, Indonesian (Sastrawi) and English light
stemming, stop words, a few spelling and slang normalisations, and Okapi BM25.

BM25 is written here (40 lines) rather than taken from rank-bm25: that package's idf goes
negative for a term in more than half the documents and is then floored to a fraction of the
mean idf, which on a knowledge base of a handful of articles turns "garansi" or "retur" into
noise; the Lucene idf used here, log(1 + (N - n + 0.5) / (n + 0.5)), is always positive. We
also need the query terms' idf for the confidence (how much of the question the best article
covers), which the package does not expose. No database, no Django."""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

_TOKEN = re.compile(r"[0-9]+%?|[^\W\d_]+", re.UNICODE)

# Informal Indonesian as customers write it in chats, to the standard word (before stemming and
# stop words, and again after stemming). From general usage, not from the evaluation questions.
# fmt: off
ID_NORMAL = {
    "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana", "bgmn": "bagaimana",
    "gmana": "bagaimana", "brp": "berapa", "brapa": "berapa", "sy": "saya", "aku": "saya",
    "gw": "saya", "gue": "saya", "yg": "yang", "tdk": "tidak", "ga": "tidak", "gak": "tidak",
    "nggak": "tidak", "ngga": "tidak", "enggak": "tidak", "engga": "tidak", "dgn": "dengan",
    "dg": "dengan", "udh": "sudah", "udah": "sudah", "sdh": "sudah", "blm": "belum",
    "utk": "untuk", "bs": "bisa", "kpn": "kapan", "lg": "lagi", "aja": "saja", "tp": "tapi",
    "krn": "karena", "jd": "jadi", "dr": "dari", "klo": "kalau", "kalo": "kalau", "gt": "begitu",
    "gitu": "begitu", "pake": "pakai", "pakek": "pakai", "bener": "benar", "trs": "terus",
    "trus": "terus", "hrs": "harus", "msh": "masih", "skrg": "sekarang", "sampe": "sampai",
    "nyampe": "sampai", "nyampai": "sampai", "balikin": "kembali", "dibalikin": "kembali",
    "ngembaliin": "kembali", "kembaliin": "kembali", "nyicil": "cicil", "dicicil": "cicil",
    "ongkir": "ongkos kirim", "magicom": "rice cooker", "magiccom": "rice cooker",
    "ricecooker": "rice cooker", "kartukredit": "kartu kredit", "tf": "transfer",
    "trf": "transfer", "ewallet": "wallet", "gopay": "wallet", "ovo": "wallet",
    "shopeepay": "wallet", "linkaja": "wallet", "refund": "kembali dana", "rifund": "kembali dana",
    "retur": "retur", "return": "retur", "returan": "retur", "diretur": "retur",
    "tracking": "lacak", "track": "lacak", "trek": "lacak", "cek": "lacak", "kurir": "kirim",
    "paket": "kirim", "paketnya": "kirim", "dikirim": "kirim", "servis": "teknisi",
    "service": "teknisi", "warranty": "garansi", "cc": "kartu kredit",
}
EN_NORMAL = {
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks", "im": "i",
    "cant": "cannot", "dont": "do", "wont": "will", "refunded": "refund", "money": "refund",
    "tracking": "track", "shipping": "delivery", "shipment": "delivery", "shipped": "delivery",
    "ship": "delivery", "arrive": "delivery", "courier": "delivery", "parcel": "delivery",
    "package": "delivery", "instalment": "installment", "installments": "installment",
    "guarantee": "warranty", "broken": "fault", "faulty": "fault", "defect": "fault",
    "defective": "fault", "repair": "technician", "fix": "technician", "pay": "payment",
    "paying": "payment", "ewallet": "wallet", "gopay": "wallet", "ovo": "wallet",
    "magicom": "rice cooker", "ricecooker": "rice cooker", "returns": "return",
    "creditcard": "credit card",
}
# Phrases first (before the words are split), then a small bilingual glossary so an English
# question finds an article written only in Indonesian (and back): a query term and its
# translation count as one term, matched by either.
PHRASES = {
    "en": {
        "send back": "return", "give back": "return", "take back": "return",
        "money back": "refund", "pay later": "installment", "credit card": "creditcard",
    },
    "id": {
        "uang kembali": "refund", "kartu kredit": "kartukredit", "ongkos kirim": "ongkir",
        "magic com": "magicom", "rice cooker": "ricecooker", "e wallet": "ewallet",
        "e-wallet": "ewallet",
    },
}
GLOSSARY_EN = {
    "installment": "cicil", "minimum": "minimal", "card": "kartu", "credit": "kredit",
    "payment": "bayar", "warranty": "garansi", "return": "retur", "refund": "kembali",
    "deliver": "kirim", "track": "lacak", "fan": "kipas", "clean": "bersih", "receipt": "struk",
    "month": "bulan", "day": "hari", "technician": "teknisi", "transfer": "transfer",
}
GLOSSARY = {"en": GLOSSARY_EN, "id": {v: k for k, v in GLOSSARY_EN.items()}}
ID_KEEP = {"kembali", "lama"}  # stop words in Sastrawi's list that matter here
ID_EXTRA_STOP = {
    "ada", "admin", "apa", "apakah", "atau", "bagaimana", "barang", "begitu", "beli", "belum",
    "benar", "berapa", "bila", "bu", "cara", "caranya", "deh", "dibeli", "dong", "gak", "gan",
    "gimana", "hai", "hallo", "halo", "harus", "info", "ingin", "jika", "kah", "kak", "kakak",
    "kalau", "kapan", "kasih", "kok", "lagi", "makasih", "malam", "mana", "mas", "masih", "mau",
    "mbak", "min", "mohon", "nanya", "nih", "nya", "pagi", "pak", "pakai", "pengen", "pingin",
    "produk", "pt", "punya", "saja", "saya", "sekarang", "selamat", "siang", "sih", "sis", "sore",
    "sudah", "tanya", "terima", "terus", "thanks", "toko", "tolong", "xyz", "ya", "yaa",
}
EN_STOP = {
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "ask",
    "at", "be", "because", "been", "before", "being", "both", "bought", "but", "buy", "by", "can",
    "could", "dear", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "get", "got", "had", "has", "have", "having", "he", "hello", "here", "hey", "hi", "how", "i",
    "if", "in", "into", "is", "it", "item", "items", "its", "just", "know", "let", "like", "many",
    "may", "me", "might", "mine", "more", "most", "much", "must", "my", "need", "no", "not", "of",
    "on", "one", "only", "or", "other", "our", "out", "over", "own", "please", "product",
    "products", "question", "really", "same", "shall", "she", "shop", "should", "so", "some",
    "something", "still", "store", "such", "tell", "than", "thank", "thanks", "that", "the",
    "their", "them", "then", "there", "these", "they", "thing", "this", "those", "through", "to",
    "too", "until", "up", "very", "want", "wanted", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "xyz", "yes", "you",
    "your", "yours",
}
# fmt: on


@cache
def _id_stemmer():  # type: ignore[no-untyped-def]
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    stemmer = StemmerFactory().create_stemmer()
    # Sastrawi keeps its ~30,000 root words in a list and looks each candidate up with `in`:
    # ~1 ms a lookup, hundreds per unknown word. A frozenset makes a word microseconds.
    dictionary = stemmer.delegatedStemmer.dictionary
    dictionary.words = frozenset(dictionary.words)
    return stemmer


@cache
def _id_stop() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    words = set(StopWordRemoverFactory().get_stop_words()) - ID_KEEP
    return frozenset(words | ID_EXTRA_STOP)


_ID_AFFIX = re.compile(r"^(me|be|di|ke|pe|se|te)|(kan|an|i|nya|lah|kah|pun|ku|mu)$")
# Colloquial Jakarta verbs: ngajuin = ajukan, nyemprot = menyemprot, bersihin = bersihkan.
_COLLOQUIAL = (("nge", ""), ("ng", ""), ("ng", "k"), ("ny", "s"), ("ny", "c"))


@lru_cache(maxsize=20000)
def _id_stem(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    stemmer = _id_stemmer()
    known = stemmer.delegatedStemmer.dictionary.contains
    if known(word):
        return word
    for base in [word, *([word[:-2]] if word.endswith("in") and len(word) > 5 else [])]:
        for prefix, sound in _COLLOQUIAL:
            if base.startswith(prefix) and known(sound + base[len(prefix) :]):
                return sound + base[len(prefix) :]
        if base != word and known(base):
            return base
    if not _ID_AFFIX.search(word):
        return word  # Sastrawi would keep it too
    return str(stemmer.stem(word)) or word


@lru_cache(maxsize=20000)
def en_stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed, -ly, -ery (enough for a help centre)."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif (
        w.endswith("sses") or (w.endswith("es") and w[-3] in "sxz") or w.endswith(("ches", "shes"))
    ):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix, minimum in (("ing", 6), ("ed", 5), ("ly", 5)):
        if w.endswith(suffix) and len(w) >= minimum:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]  # shipp -> ship
            break
    if w.endswith("ery") and len(w) > 5:
        w = w[:-1]  # delivery -> deliver
    return w


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def analyse(text: str, language: str, *, query: bool = False) -> list[str]:
    """The index terms of `text` in `language` ("id" or "en"). A query's terms carry their
    glossary translation as an alternative: "installment|cicil"."""
    language = "en" if language == "en" else "id"
    stop: set[str] | frozenset[str]
    if language == "en":
        stop, normal, stem = EN_STOP, EN_NORMAL, en_stem
    else:
        stop, normal, stem = _id_stop(), ID_NORMAL, _id_stem
    text = text.lower()
    for phrase, word in PHRASES[language].items():
        text = text.replace(phrase, word)
    out: list[str] = []
    for raw in tokens(text):
        for word in normal.get(raw, raw).split():
            if word in stop or (len(word) < 2 and not word.isdigit()):
                continue
            stemmed = stem(word)
            for term in normal.get(stemmed, stemmed).split():
                if term not in stop:
                    out.append(term)
    if query:
        glossary = GLOSSARY[language]
        out = [f"{t}|{glossary[t]}" if t in glossary and glossary[t] != t else t for t in out]
    return out


def detect_language(text: str, default: str) -> str:
    """ "en" or "id" by stop-word hits; `default` when unclear (short or mixed messages)."""
    words = tokens(text)
    en = sum(w in EN_STOP for w in words)
    idn = sum(w in _id_stop() or w in ID_NORMAL for w in words)
    if en >= 2 and en > 2 * idn:
        return "en"
    if idn >= 2 and idn > 2 * en:
        return "id"
    return default


@dataclass
class Hit:
    key: int
    score: float
    coverage: float  # share of the question's idf weight the document contains


@dataclass
class BM25:
    """Okapi BM25 over documents given as term lists."""

    docs: Sequence[tuple[int, Sequence[str]]]
    k1: float = 1.2
    b: float = 0.75
    # A question word no article contains weighs like this share of the rarest known word: it
    # lowers the coverage (the question may be about something else) without drowning it.
    oov: float = 0.6
    tf: list[Counter[str]] = field(init=False)
    df: Counter[str] = field(init=False)
    avgdl: float = field(init=False)

    def __post_init__(self) -> None:
        self.tf = [Counter(terms) for _key, terms in self.docs]
        self.df = Counter(t for counts in self.tf for t in counts)
        self.avgdl = sum(len(t) for _k, t in self.docs) / max(1, len(self.docs))

    def idf(self, term: str) -> float:
        n, big_n = self.df.get(term, 0), len(self.docs)
        return math.log(1 + (big_n - n + 0.5) / (n + 0.5))

    def idf_known_rarest(self) -> float:
        big_n = len(self.docs)
        return math.log(1 + (big_n - 0.5) / 1.5)

    def rank(self, query: Iterable[str], limit: int = 5) -> list[Hit]:
        groups = [tuple(g.split("|")) for g in dict.fromkeys(query)]
        rare = self.idf_known_rarest()
        weights = {t: self.idf(t) if t in self.df else rare * self.oov for g in groups for t in g}
        group_weight = {g: max(weights[t] for t in g) for g in groups}
        total = sum(group_weight.values()) or 1.0
        hits = []
        for (key, doc), counts in zip(self.docs, self.tf, strict=True):
            norm = self.k1 * (1 - self.b + self.b * len(doc) / (self.avgdl or 1))
            score = covered = 0.0
            for g in groups:
                best = 0.0
                for t in g:
                    f = counts.get(t, 0)
                    if f:
                        best = max(best, weights[t] * f * (self.k1 + 1) / (f + norm))
                if best:
                    score += best
                    covered += group_weight[g]
            if score > 0:
                hits.append(Hit(key, score, covered / total))
        hits.sort(key=lambda h: (-h.score, h.key))
        return hits[:limit]
