"""Word lists of the sentiment scorer (relasi.conversations.sentiment).

Written for customer-service text from general knowledge of how customers write: praise,
thanks, complaints about orders, delivery, payment, returns and warranty. Weights run from -3
(angry) to +3 (delighted). The evaluation sets in data/ were not used to pick words."""

# Informal Indonesian spellings (and a few English chat ones) → the form the lexicon knows.
SLANG = {
    # negation
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "ngga": "tidak", "nggk": "tidak", "enggak": "tidak", "engga": "tidak", "ndak": "tidak",
    "kagak": "tidak", "tdk": "tidak", "tak": "tidak", "ngak": "tidak", "gak?": "tidak",
    "blm": "belum", "blom": "belum", "bkn": "bukan", "jgn": "jangan", "gausah": "tidak usah",
    # intensifiers
    "bgt": "banget", "bngt": "banget", "bgtt": "banget", "bangett": "banget", "bget": "banget",
    "bener2": "sangat", "beneran": "sangat", "pol": "banget", "poll": "banget",
    "sgt": "sangat", "bgd": "banget",
    # words
    "makasih": "terimakasih", "makasi": "terimakasih", "mksh": "terimakasih",
    "mks": "terimakasih", "trims": "terimakasih", "trimakasih": "terimakasih",
    "tq": "thanks", "thx": "thanks", "tks": "thanks", "ty": "thanks", "thanx": "thanks",
    "mantul": "mantap", "mantab": "mantap", "mantep": "mantap", "mantaap": "mantap",
    "bgs": "bagus", "jlk": "jelek", "lemot": "lambat", "lelet": "lambat", "lama": "lama",
    "cepet": "cepat", "cpt": "cepat", "udh": "sudah", "udah": "sudah", "dah": "sudah",
    "sdh": "sudah", "blum": "belum", "ok": "oke", "okay": "oke", "okey": "oke",
    "kecewaa": "kecewa", "kcewa": "kecewa", "dgn": "dengan", "yg": "yang", "sy": "saya",
    "aku": "saya", "gue": "saya", "gw": "saya", "bs": "bisa", "bsa": "bisa",
    "tolongin": "tolong", "pls": "please", "plz": "please", "plis": "please",
    "tlg": "tolong", "mhn": "mohon", "gimana": "bagaimana", "gmn": "bagaimana",
    "kok": "kok", "knp": "kenapa", "napa": "kenapa", "dong": "dong", "sampe": "sampai",
    "nyampe": "sampai", "nyampai": "sampai", "dtg": "datang", "nunggu": "tunggu",
    "ribet": "rumit", "ngecewain": "mengecewakan", "nyebelin": "menyebalkan",
    "rusak2": "rusak", "dibales": "dibalas", "bales": "balas", "gaje": "tidakjelas",
    "recommended": "rekomendasi", "rekomen": "rekomendasi", "recomended": "rekomendasi",
    "top": "top", "josss": "jos", "joss": "jos", "gercep": "cepat", "sat-set": "cepat",
    "amanah": "amanah", "puas": "puas", "wkwk": "", "hehe": "", "hihi": "",
}  # fmt: skip

ID_NEGATORS = {"tidak", "bukan", "belum", "jangan", "tanpa", "kurang"}
EN_NEGATORS = {
    "not", "no", "never", "without", "hardly", "dont", "doesnt", "didnt", "isnt", "wasnt",
    "arent", "werent", "cant", "cannot", "couldnt", "wont", "wouldnt", "havent", "hasnt",
    "hadnt", "shouldnt", "nor", "neither", "nothing", "nobody",
}  # fmt: skip
INTENSIFIERS = {
    # the following word (EN "very good", ID "sangat bagus") or the one before (ID "bagus banget")
    "banget": 1.6, "sangat": 1.5, "sekali": 1.5, "amat": 1.4, "terlalu": 1.4, "super": 1.5,
    "paling": 1.4, "sungguh": 1.4, "benar": 1.3, "begitu": 1.2,
    "very": 1.5, "so": 1.3, "really": 1.4, "extremely": 1.8, "totally": 1.5, "absolutely": 1.6,
    "too": 1.3, "incredibly": 1.7, "completely": 1.5, "truly": 1.4, "highly": 1.4,
    "seriously": 1.3, "utterly": 1.7, "most": 1.3,
}  # fmt: skip
CONTRAST = {"tapi", "tetapi", "namun", "sayangnya", "cuma", "hanya", "but", "however",
            "although", "though", "unfortunately", "sayang", "padahal"}  # fmt: skip
# Polite words that end nearly every request ("mohon infonya, terima kasih"): they count fully
# only when the message asks nothing.
THANKS = {"terimakasih", "thanks", "thank", "thankyou", "makasih", "🙏"}
REQUEST = {"tolong", "mohon", "please", "bisa", "bisakah", "apakah", "gimana", "bagaimana",
           "kapan", "could", "can", "would", "when", "where", "how", "what", "minta", "info",
           "berapa", "dimana", "mana", "kah", "gak?"}  # fmt: skip

# Words that open a hypothetical ("kalau rusak di jalan, ...?"): what follows is not a report.
HYPOTHETICAL = {"kalau", "kalo", "klo", "jika", "jikalau", "apabila", "andai", "seandainya",
                "if", "whether", "unless", "suppose"}  # fmt: skip
# "Oke, ...", "Baik, ...", "Fine, ..." at the start acknowledge; they are not praise.
ACKNOWLEDGE = {"oke", "ok", "baik", "fine", "siap", "sip", "noted", "sure", "alright", "okay"}
# Prohibitions keep a negative word negative: "jangan bohong" is still a complaint.
PROHIBIT = {"jangan", "dont", "stop"}
# Things that should happen: negated, they are a problem ("gak nyala", "won't turn on").
FUNCTION_VERBS = {
    "bisa", "nyala", "menyala", "jalan", "berjalan", "berfungsi", "masuk", "sampai", "datang",
    "panas", "dingin", "nyambung", "terima", "menerima", "muncul", "respon", "merespon",
    "dibalas", "cair", "dikirim", "diproses", "jelas", "normal", "connect", "konek",
    "work", "works", "working", "arrive", "arrived", "come", "came", "apply", "load", "loads",
    "open", "opens", "start", "starts", "charge", "charging", "turn", "respond", "responded",
    "reply", "replied", "received", "receive", "shipped", "delivered", "processed",
}  # fmt: skip
GREETINGS = {"good morning", "good afternoon", "good evening", "selamat pagi", "selamat siang",
             "selamat sore", "selamat malam"}  # fmt: skip

ID_FUNCTION = {
    "yang", "dan", "di", "ke", "dari", "saya", "tidak", "sudah", "belum", "ini", "itu", "ada",
    "untuk", "dengan", "kak", "min", "ya", "kok", "sih", "nya", "aja", "juga", "masih", "kenapa",
    "apa", "bisa", "mau", "tolong", "mohon", "pesanan", "barang", "banget", "sampai", "kapan",
    "sama", "lagi", "udah", "gak", "ga", "nggak", "kalau", "kalo", "gimana", "terima", "kasih",
    "dong", "deh", "tapi", "karena", "jadi", "pak", "bu", "gan", "paket", "kami", "aku",
}  # fmt: skip
EN_FUNCTION = {
    "the", "and", "is", "are", "was", "were", "to", "of", "my", "i", "you", "it", "this",
    "that", "for", "with", "have", "has", "not", "order", "please", "can", "would", "what",
    "when", "where", "how", "your", "me", "be", "been", "on", "in", "at", "a", "an", "but",
    "so", "do", "does", "did", "just", "still", "thanks", "thank", "hi", "hello", "we",
}  # fmt: skip

ID_WORDS = {
    # positive
    "bagus": 2.0, "baik": 1.5, "mantap": 2.5, "keren": 2.2, "puas": 2.5, "memuaskan": 2.5,
    "senang": 2.2, "seneng": 2.2, "suka": 1.8, "cinta": 2.5, "hebat": 2.5, "luar biasa": 3.0,
    "cepat": 1.2, "ramah": 2.0, "sopan": 1.5, "rapi": 1.5, "aman": 1.2, "mulus": 1.5,
    "terimakasih": 1.8, "rekomendasi": 2.0, "recommended": 2.0, "top": 2.0, "jos": 2.0,
    "sukses": 1.5, "lancar": 1.5, "amanah": 2.0, "terpercaya": 2.0, "berkualitas": 2.0,
    "awet": 1.5, "sesuai": 1.2, "original": 1.0, "asli": 0.8, "murah": 1.0, "worth": 1.5,
    "oke": 0.8, "sip": 1.5, "sippp": 1.5, "joss": 2.0, "nyaman": 1.8, "enak": 1.8,
    "cantik": 1.8, "sempurna": 3.0, "terbaik": 2.8, "juara": 2.5, "responsif": 1.8,
    "membantu": 1.8, "terbantu": 2.0, "solutif": 2.0, "beres": 1.5, "langganan": 1.0,
    "alhamdulillah": 1.5, "syukur": 1.5, "salut": 2.2, "apresiasi": 2.0, "bangga": 2.0,
    "gercep": 2.0, "sigap": 2.0, "tanggap": 1.8, "pas": 0.8, "lengkap": 1.0, "wangi": 1.2,
    "halus": 1.0, "kuat": 1.0, "tepat": 1.2, "ontime": 1.5, "mudah": 1.2, "gampang": 1.2,
    # negative
    "jelek": -2.2, "buruk": -2.5, "kecewa": -2.6, "mengecewakan": -2.6, "kekecewaan": -2.4,
    "parah": -2.3, "lambat": -1.8, "lama": -0.8, "rusak": -2.2, "cacat": -2.2, "pecah": -2.0,
    "penyok": -1.8, "sobek": -1.8, "retak": -1.8, "bocor": -1.8, "error": -1.8, "eror": -1.8,
    "gagal": -1.8, "salah": -1.6, "hilang": -1.8, "telat": -1.8, "terlambat": -1.8,
    "marah": -2.5, "kesal": -2.4, "kesel": -2.4, "sebel": -2.2, "menyebalkan": -2.4,
    "bete": -2.0, "capek": -1.6, "cape": -1.6, "ribet": -1.6, "rumit": -1.2, "susah": -1.4,
    "sulit": -1.2, "mahal": -1.2, "palsu": -2.5, "kw": -1.8, "tipu": -3.0, "penipu": -3.0,
    "penipuan": -3.0, "nipu": -3.0, "bohong": -2.6, "zonk": -2.4, "kapok": -2.8,
    "nyesel": -2.4, "menyesal": -2.4, "rugi": -2.2, "dirugikan": -2.4, "komplain": -1.5,
    "keluhan": -1.3, "masalah": -1.2, "bermasalah": -1.8, "lecet": -1.6, "kotor": -1.8,
    "bau": -1.5, "basi": -2.2, "mati": -1.5, "hang": -1.6, "macet": -1.4, "cuek": -2.0,
    "lambat respon": -2.0, "slow": -1.5, "tidakjelas": -1.8, "kasar": -2.4, "jutek": -2.2,
    "ngawur": -2.2, "sembarangan": -2.0, "kacau": -2.2, "amburadul": -2.4, "payah": -2.4,
    "sampah": -2.8, "ampas": -2.6, "hancur": -2.4, "mengecewakn": -2.6, "parahh": -2.3,
    "dicuekin": -2.2, "diabaikan": -2.2, "menunggu": -0.6, "nunggu": -0.6, "tunggu": -0.3,
    "refund": -0.8, "batal": -0.8, "dibatalkan": -1.0, "retur": -0.6, "tolak": -1.0,
    "ditolak": -1.4, "terpotong": -1.2, "dobel": -1.2, "double": -1.0, "kurang": -0.8,
    "kecil": -0.3, "pudar": -1.4, "luntur": -1.6, "lemah": -1.2, "mengganggu": -1.8,
    "keterlaluan": -2.8, "kebangetan": -2.6, "astaga": -1.8, "ya ampun": -1.5,
    "kapan": -0.2, "kenapa": -0.6, "kok": -0.6, "lagi": -0.2,
}  # fmt: skip

# Two-word problems that carry no sentiment word ("belum sampai": not arrived yet).
ID_PHRASES = {
    "belum sampai": -1.8, "belum datang": -1.8, "belum diterima": -1.8, "belum dikirim": -1.6,
    "belum ada": -1.2, "belum dibalas": -1.8, "belum direspon": -1.8, "belum masuk": -1.4,
    "belum diproses": -1.5, "tidak sampai": -1.8, "tidak bisa": -1.4, "tidak masuk": -1.5,
    "tidak sesuai": -2.2, "tidak ada": -0.8, "tidak nyala": -2.0, "tidak berfungsi": -2.2,
    "tidak dibalas": -2.0, "tidak direspon": -2.0, "tidak jelas": -1.8, "tidak diangkat": -1.8,
    "tidak datang": -1.8, "tidak lengkap": -1.8, "tidak ramah": -2.2, "salah kirim": -2.0,
    "salah ukuran": -1.6, "kurang puas": -2.0, "kurang bagus": -1.8, "masih belum": -1.6,
    "sudah seminggu": -1.2, "berhari hari": -1.2, "berminggu minggu": -1.6,
    "uang kembali": -0.8, "dana kembali": -0.8, "tolong segera": -0.8, "ganti rugi": -1.8,
    "tidak pernah": -0.8, "tidak ditanggapi": -2.2, "di php": -2.2, "dipingpong": -2.2,
    "terima kasih": 1.8, "luar biasa": 3.0, "ya ampun": -1.5, "sudah sampai": 0.8,
    "sudah diterima": 0.8, "sampai dengan selamat": 2.2, "tepat waktu": 1.8,
    "sangat membantu": 2.4, "sesuai pesanan": 1.4, "sesuai deskripsi": 1.4,
    "tidak kecewa": 2.0, "tidak menyesal": 2.0, "tidak nyesel": 2.0,
}  # fmt: skip

EN_WORDS = {
    # positive
    "good": 1.8, "great": 2.5, "excellent": 3.0, "amazing": 3.0, "awesome": 2.8, "love": 2.6,
    "loved": 2.6, "perfect": 3.0, "happy": 2.3, "glad": 2.0, "pleased": 2.2, "satisfied": 2.2,
    "fantastic": 3.0, "wonderful": 3.0, "nice": 1.8, "helpful": 2.0, "friendly": 2.0,
    "fast": 1.2, "quick": 1.2, "quickly": 1.0, "smooth": 1.5, "thanks": 1.8, "thank": 1.8,
    "appreciate": 2.0, "appreciated": 2.0, "recommend": 2.0, "recommended": 2.0, "best": 2.5,
    "impressed": 2.5, "brilliant": 2.8, "superb": 3.0, "lovely": 2.4, "beautiful": 2.2,
    "works": 0.8, "working": 0.5, "fixed": 1.2, "solved": 1.5, "resolved": 1.5,
    "reliable": 1.8, "easy": 1.2, "polite": 1.6, "professional": 1.8, "quality": 0.8,
    "delighted": 3.0, "thrilled": 3.0, "exceeded": 2.2, "worth": 1.5, "cheers": 1.2,
    "kudos": 2.5, "fine": 0.8, "well": 0.8, "ok": 0.6, "oke": 0.6, "gem": 2.0, "top": 1.5,
    "legend": 2.5, "lifesaver": 2.8, "prompt": 1.5, "efficient": 1.8, "comfortable": 1.8,
    "sturdy": 1.5, "genuine": 1.0, "wow": 2.0, "yay": 2.0, "saved": 1.2, "favourite": 2.0,
    "favorite": 2.0, "enjoy": 2.0, "enjoyed": 2.0, "cool": 1.5, "neat": 1.5,
    # negative
    "bad": -2.2, "terrible": -3.0, "awful": -3.0, "horrible": -3.0, "worst": -3.0,
    "poor": -2.0, "disappointed": -2.6, "disappointing": -2.6, "disappointment": -2.6,
    "angry": -2.6, "annoyed": -2.2, "annoying": -2.2, "frustrated": -2.5, "frustrating": -2.5,
    "upset": -2.2, "furious": -3.0, "unacceptable": -2.8, "ridiculous": -2.6, "useless": -2.6,
    "broken": -2.2, "damaged": -2.2, "defective": -2.4, "faulty": -2.2, "cracked": -2.0,
    "late": -1.6, "delayed": -1.6, "delay": -1.4, "slow": -1.6, "missing": -1.8, "lost": -1.8,
    "wrong": -1.8, "error": -1.6, "failed": -1.8, "fail": -1.8, "fails": -1.8,
    "scam": -3.0, "fraud": -3.0, "fake": -2.5, "cheated": -2.8, "rude": -2.6, "ignored": -2.2,
    "waste": -2.4, "wasted": -2.4, "refund": -0.8, "complaint": -1.5, "complain": -1.5,
    "problem": -1.2, "issue": -1.0, "issues": -1.0, "stuck": -1.5, "never": -0.6,
    "hate": -2.8, "sucks": -2.6, "disgusting": -3.0, "dirty": -1.8, "expensive": -1.0,
    "overcharged": -2.4, "charged": -0.6, "twice": -0.6, "still": -0.4, "again": -0.4,
    "nobody": -1.2, "mess": -2.0, "messed": -2.0, "joke": -1.8, "nightmare": -2.8,
    "regret": -2.4, "unhappy": -2.4, "dissatisfied": -2.4, "unreliable": -2.0,
    "worse": -2.2, "pathetic": -2.8, "incompetent": -2.8, "misleading": -2.4, "hassle": -1.8,
    "leaking": -1.8, "leaks": -1.8, "torn": -1.8, "stopped": -1.2, "dead": -1.5,
    "cancel": -0.6, "cancelled": -0.8, "unfortunately": -1.0, "sadly": -1.4, "sad": -1.8,
    "worried": -1.4, "concerned": -1.0, "confused": -1.0, "why": -0.5, "seriously": -0.4,
    "fed": -0.5, "tired": -1.2, "unusable": -2.6, "wtf": -2.8, "ugh": -1.8, "smh": -1.8,
}  # fmt: skip

EN_PHRASES = {
    "not received": -1.8, "not arrived": -1.8, "never arrived": -2.2, "never received": -2.2,
    "hasnt arrived": -1.8, "havent received": -1.8, "not working": -2.0, "doesnt work": -2.0,
    "didnt work": -2.0, "stopped working": -2.2, "no response": -2.0, "no reply": -2.0,
    "still waiting": -1.8, "still not": -1.6, "fed up": -2.6, "not happy": -2.4,
    "thank you": 1.8, "well done": 2.2, "good job": 2.2, "great job": 2.6, "on time": 1.4,
    "as described": 1.4, "no problem": 0.8, "no issues": 1.2, "not bad": 1.0,
    "five stars": 2.5, "5 stars": 2.5, "one star": -2.4, "1 star": -2.4, "money back": -1.2,
    "charged twice": -2.2, "cant log": -1.4, "cannot log": -1.4, "waste of": -2.4,
    "not as described": -2.4, "what a joke": -2.6, "keeps crashing": -2.2,
    "worked perfectly": 2.6, "works perfectly": 2.6, "works great": 2.6,
}  # fmt: skip

EMOJI = {
    "😡": -3.0, "🤬": -3.0, "😠": -2.6, "😤": -2.0, "👿": -2.4, "💢": -2.0, "😞": -2.0,
    "😔": -1.8, "😢": -2.0, "😭": -2.2, "😩": -2.0, "😫": -2.0, "😣": -1.8, "😖": -1.8,
    "🙄": -1.6, "😒": -1.6, "👎": -2.4, "💔": -2.2, "😑": -1.0, "😐": -0.6, "😕": -1.4,
    "🙁": -1.6, "☹": -1.8, "😓": -1.4, "🤦": -1.8, "😱": -1.4, "😬": -0.8, "🥲": -0.4,
    "👍": 2.0, "🙏": 1.2, "😊": 2.0, "😁": 2.0, "😄": 2.0, "😃": 2.0, "🙂": 1.2, "😀": 1.8,
    "🥰": 2.6, "😍": 2.6, "❤": 2.4, "💕": 2.2, "💖": 2.2, "💯": 2.2, "👌": 1.8, "🔥": 1.6,
    "✨": 1.2, "🤩": 2.6, "👏": 2.2, "🎉": 2.0, "😘": 2.0, "🤗": 2.0, "💪": 1.4, "⭐": 1.2,
    "🌟": 1.6, "😆": 1.2, "😂": 0.3, "🤣": 0.3, "😅": 0.0, "🤔": -0.2,
    ":)": 1.2, ":-)": 1.2, ":d": 1.8, ":(": -1.8, ":-(": -1.8, ":'(": -2.0, "<3": 2.2,
}  # fmt: skip
