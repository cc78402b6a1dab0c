"""Indonesia's 38 provinces with their main kota/kabupaten and common spellings, for matching
what people type in spreadsheets ("Jabar", "Kab. Bogor", "Jogja") to one canonical name.

The lists are reference data compiled by hand from the official names (Kemendagri); they cover
the provincial capitals and the largest kota/kabupaten, not every regency. An unmatched city is
kept as typed (title-cased), never rejected."""

import re
from functools import lru_cache

# canonical province -> (aliases, main kota/kabupaten)
PROVINCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Aceh": (
        ("NAD", "Nanggroe Aceh Darussalam", "D.I. Aceh"),
        (
            "Kota Banda Aceh",
            "Kota Lhokseumawe",
            "Kota Langsa",
            "Kota Sabang",
            "Kab. Aceh Besar",
            "Kab. Aceh Utara",
        ),
    ),
    "Sumatera Utara": (
        ("Sumut", "Sumatra Utara", "North Sumatra"),
        (
            "Kota Medan",
            "Kota Binjai",
            "Kota Pematangsiantar",
            "Kota Tebing Tinggi",
            "Kota Sibolga",
            "Kab. Deli Serdang",
            "Kab. Langkat",
            "Kab. Karo",
        ),
    ),
    "Sumatera Barat": (
        ("Sumbar", "Sumatra Barat", "West Sumatra"),
        ("Kota Padang", "Kota Bukittinggi", "Kota Payakumbuh", "Kota Solok", "Kab. Agam"),
    ),
    "Riau": (
        ("Prov. Riau",),
        ("Kota Pekanbaru", "Kota Dumai", "Kab. Kampar", "Kab. Bengkalis", "Kab. Siak"),
    ),
    "Kepulauan Riau": (
        ("Kepri", "Riau Islands"),
        ("Kota Batam", "Kota Tanjungpinang", "Kab. Bintan", "Kab. Karimun"),
    ),
    "Jambi": (("Prov. Jambi",), ("Kota Jambi", "Kota Sungai Penuh", "Kab. Muaro Jambi")),
    "Sumatera Selatan": (
        ("Sumsel", "Sumatra Selatan", "South Sumatra"),
        (
            "Kota Palembang",
            "Kota Prabumulih",
            "Kota Lubuklinggau",
            "Kota Pagar Alam",
            "Kab. Ogan Komering Ilir",
            "Kab. Banyuasin",
        ),
    ),
    "Kepulauan Bangka Belitung": (
        ("Babel", "Bangka Belitung", "Bangka-Belitung"),
        ("Kota Pangkalpinang", "Kab. Bangka", "Kab. Belitung"),
    ),
    "Bengkulu": (("Prov. Bengkulu",), ("Kota Bengkulu", "Kab. Rejang Lebong")),
    "Lampung": (
        ("Prov. Lampung",),
        ("Kota Bandar Lampung", "Kota Metro", "Kab. Lampung Selatan", "Kab. Lampung Tengah"),
    ),
    "DKI Jakarta": (
        ("Jakarta", "DKI", "Daerah Khusus Ibukota Jakarta", "Jkt"),
        (
            "Kota Jakarta Pusat",
            "Kota Jakarta Utara",
            "Kota Jakarta Barat",
            "Kota Jakarta Selatan",
            "Kota Jakarta Timur",
            "Kab. Kepulauan Seribu",
        ),
    ),
    "Jawa Barat": (
        ("Jabar", "West Java", "Jawa Bar."),
        (
            "Kota Bandung",
            "Kota Bekasi",
            "Kota Bogor",
            "Kota Depok",
            "Kota Cimahi",
            "Kota Cirebon",
            "Kota Sukabumi",
            "Kota Tasikmalaya",
            "Kota Banjar",
            "Kab. Bogor",
            "Kab. Bekasi",
            "Kab. Bandung",
            "Kab. Bandung Barat",
            "Kab. Karawang",
            "Kab. Garut",
            "Kab. Cianjur",
            "Kab. Sukabumi",
            "Kab. Cirebon",
            "Kab. Purwakarta",
            "Kab. Subang",
            "Kab. Indramayu",
        ),
    ),
    "Jawa Tengah": (
        ("Jateng", "Central Java"),
        (
            "Kota Semarang",
            "Kota Surakarta",
            "Kota Magelang",
            "Kota Salatiga",
            "Kota Pekalongan",
            "Kota Tegal",
            "Kab. Semarang",
            "Kab. Banyumas",
            "Kab. Cilacap",
            "Kab. Kudus",
            "Kab. Jepara",
            "Kab. Klaten",
            "Kab. Sukoharjo",
            "Kab. Magelang",
        ),
    ),
    "DI Yogyakarta": (
        (
            "Yogyakarta",
            "DIY",
            "D.I. Yogyakarta",
            "Jogja",
            "Jogjakarta",
            "Daerah Istimewa Yogyakarta",
        ),
        ("Kota Yogyakarta", "Kab. Sleman", "Kab. Bantul", "Kab. Kulon Progo", "Kab. Gunungkidul"),
    ),
    "Jawa Timur": (
        ("Jatim", "East Java"),
        (
            "Kota Surabaya",
            "Kota Malang",
            "Kota Batu",
            "Kota Kediri",
            "Kota Madiun",
            "Kota Blitar",
            "Kota Mojokerto",
            "Kota Pasuruan",
            "Kota Probolinggo",
            "Kab. Sidoarjo",
            "Kab. Gresik",
            "Kab. Malang",
            "Kab. Jember",
            "Kab. Banyuwangi",
            "Kab. Pasuruan",
            "Kab. Mojokerto",
        ),
    ),
    "Banten": (
        ("Prov. Banten",),
        (
            "Kota Tangerang",
            "Kota Tangerang Selatan",
            "Kota Serang",
            "Kota Cilegon",
            "Kab. Tangerang",
            "Kab. Serang",
            "Kab. Lebak",
            "Kab. Pandeglang",
        ),
    ),
    "Bali": (
        ("Prov. Bali",),
        (
            "Kota Denpasar",
            "Kab. Badung",
            "Kab. Gianyar",
            "Kab. Tabanan",
            "Kab. Buleleng",
            "Kab. Karangasem",
            "Kab. Klungkung",
        ),
    ),
    "Nusa Tenggara Barat": (
        ("NTB", "West Nusa Tenggara"),
        (
            "Kota Mataram",
            "Kota Bima",
            "Kab. Lombok Barat",
            "Kab. Lombok Tengah",
            "Kab. Lombok Timur",
            "Kab. Sumbawa",
        ),
    ),
    "Nusa Tenggara Timur": (
        ("NTT", "East Nusa Tenggara"),
        ("Kota Kupang", "Kab. Kupang", "Kab. Sikka", "Kab. Ende", "Kab. Manggarai Barat"),
    ),
    "Kalimantan Barat": (
        ("Kalbar", "West Kalimantan"),
        ("Kota Pontianak", "Kota Singkawang", "Kab. Kubu Raya", "Kab. Ketapang"),
    ),
    "Kalimantan Tengah": (
        ("Kalteng", "Central Kalimantan"),
        ("Kota Palangka Raya", "Kab. Kotawaringin Timur", "Kab. Kotawaringin Barat"),
    ),
    "Kalimantan Selatan": (
        ("Kalsel", "South Kalimantan"),
        ("Kota Banjarmasin", "Kota Banjarbaru", "Kab. Banjar", "Kab. Tanah Laut"),
    ),
    "Kalimantan Timur": (
        ("Kaltim", "East Kalimantan"),
        (
            "Kota Samarinda",
            "Kota Balikpapan",
            "Kota Bontang",
            "Kab. Kutai Kartanegara",
            "Kab. Penajam Paser Utara",
        ),
    ),
    "Kalimantan Utara": (
        ("Kaltara", "North Kalimantan"),
        ("Kota Tarakan", "Kab. Bulungan", "Kab. Nunukan", "Kab. Malinau"),
    ),
    "Sulawesi Utara": (
        ("Sulut", "North Sulawesi"),
        ("Kota Manado", "Kota Bitung", "Kota Tomohon", "Kota Kotamobagu", "Kab. Minahasa"),
    ),
    "Gorontalo": (("Prov. Gorontalo",), ("Kota Gorontalo", "Kab. Gorontalo", "Kab. Bone Bolango")),
    "Sulawesi Tengah": (
        ("Sulteng", "Central Sulawesi"),
        ("Kota Palu", "Kab. Donggala", "Kab. Poso", "Kab. Banggai"),
    ),
    "Sulawesi Barat": (
        ("Sulbar", "West Sulawesi"),
        ("Kab. Mamuju", "Kab. Majene", "Kab. Polewali Mandar"),
    ),
    "Sulawesi Selatan": (
        ("Sulsel", "South Sulawesi"),
        ("Kota Makassar", "Kota Parepare", "Kota Palopo", "Kab. Gowa", "Kab. Maros", "Kab. Bone"),
    ),
    "Sulawesi Tenggara": (
        ("Sultra", "Southeast Sulawesi"),
        ("Kota Kendari", "Kota Baubau", "Kab. Konawe", "Kab. Kolaka"),
    ),
    "Maluku": (("Prov. Maluku",), ("Kota Ambon", "Kota Tual", "Kab. Maluku Tengah")),
    "Maluku Utara": (
        ("Malut", "North Maluku"),
        ("Kota Ternate", "Kota Tidore Kepulauan", "Kab. Halmahera Utara"),
    ),
    "Papua": (
        ("Prov. Papua",),
        ("Kota Jayapura", "Kab. Jayapura", "Kab. Biak Numfor", "Kab. Keerom"),
    ),
    "Papua Barat": (("West Papua", "Pabar"), ("Kab. Manokwari", "Kab. Fakfak", "Kab. Kaimana")),
    "Papua Barat Daya": (
        ("Southwest Papua", "PBD"),
        ("Kota Sorong", "Kab. Sorong", "Kab. Raja Ampat"),
    ),
    "Papua Selatan": (("South Papua",), ("Kab. Merauke", "Kab. Boven Digoel", "Kab. Mappi")),
    "Papua Tengah": (("Central Papua",), ("Kab. Nabire", "Kab. Mimika", "Kab. Paniai")),
    "Papua Pegunungan": (
        ("Highland Papua",),
        ("Kab. Jayawijaya", "Kab. Lanny Jaya", "Kab. Yahukimo"),
    ),
}

# Extra city spellings people use, canonical -> aliases
CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "Kota Surakarta": ("Solo",),
    "Kota Yogyakarta": ("Jogja", "Jogjakarta", "Yogya", "Kota Jogja"),
    "Kota Jakarta Selatan": ("Jaksel", "Jakarta Selatan", "South Jakarta"),
    "Kota Jakarta Pusat": ("Jakpus", "Jakarta Pusat", "Central Jakarta"),
    "Kota Jakarta Barat": ("Jakbar", "Jakarta Barat", "West Jakarta"),
    "Kota Jakarta Timur": ("Jaktim", "Jakarta Timur", "East Jakarta"),
    "Kota Jakarta Utara": ("Jakut", "Jakarta Utara", "North Jakarta"),
    "Kota Tangerang Selatan": ("Tangsel",),
    "Kota Palangka Raya": ("Palangkaraya",),
    "Kota Pangkalpinang": ("Pangkal Pinang",),
    "Kota Bandar Lampung": ("Bandarlampung",),
}

_PREFIXES = re.compile(
    r"^(?:kota administrasi|kota adm\.?|kota|kabupaten|kab\.?|provinsi|prov\.?|propinsi)\s+"
)
_SPACES = re.compile(r"[\s.,_-]+")


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip()


def _bare(text: str) -> str:
    return _PREFIXES.sub("", _key(text)).replace("sumatra", "sumatera")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    provinces: dict[str, str] = {}
    cities: dict[str, tuple[str, str]] = {}  # full key ("kota bandung") -> (city, province)
    bare: dict[str, tuple[str, str]] = {}  # bare key ("bandung") -> prefer Kota over Kab.
    for province, (aliases, main) in PROVINCES.items():
        for name in (province, *aliases):
            provinces[_key(name)] = province
            provinces[_bare(name)] = province
        for city in main:
            cities[_key(city)] = (city, province)
            cities[_key(city.replace("Kab. ", "Kabupaten "))] = (city, province)
            b = _bare(city)
            if b not in bare or city.startswith("Kota"):
                bare[b] = (city, province)
            for alias in CITY_ALIASES.get(city, ()):
                bare[_key(alias)] = (city, province)
    return provinces, cities, bare


def match_province(text: str) -> str | None:
    if not text:
        return None
    provinces = _tables()[0]
    return provinces.get(_key(text)) or provinces.get(_bare(text))


def match_city(text: str) -> tuple[str, str] | None:
    """(canonical city, its province) for a typed city, or None."""
    if not text:
        return None
    _provinces, cities, bare = _tables()
    return cities.get(_key(text)) or bare.get(_bare(text))
