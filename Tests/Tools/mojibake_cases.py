#!/usr/bin/env python3
"""Builds the mojibake repair test table with Python's own codecs.

Usage (from anywhere):

    python3 Tests/Tools/mojibake_cases.py [-v]      (-v: list the candidates skipped, and why)

Python 3.11, standard library only. Writes, byte for byte the same on every run:

    Tests/WinnowTests/MojibakeCases.swift   `mojibakeCases` and `mojibakeNegatives`
    Tests/Tools/mojibake-cases.json         the same data, for Benchmarks/mojibake_quality.py

Python's codecs are the oracle, independent of Winnow's ICU tables. Every positive
case is correct text encoded as UTF-8 and decoded through one or two single-byte
legacy encodings (`path`, ICU names, in the order applied: outermost last), with:

    single  the whole text misread once, decoding strictly (no undefined byte);
    double  misread twice over;
    mixed   only parts of the text misread, the rest correct (with its own accents,
            quotes, Cyrillic, CJK);
    lostA0  windows-1252, each U+00A0 of the misread text then replaced by a space;
            the text also holds other mojibake, the evidence the repair needs;
    lossy   windows-1252, the undefined bytes (0x81 0x8D 0x8F 0x90 0x9D) lost as
            U+FFFD or "?"; `expected` follows the rule of `lossy_repair`; the text
            also holds other mojibake.

A case is kept only when no encoding earlier in Winnow's order of preference (and,
for ISO-8859-1, windows-1252 reading the C1 bytes as controls, as ICU does) gives
the same misread text: so `path` is never ambiguous. Negatives are correct text that
looks suspicious; each must come through unchanged.

Known difference between the oracle and ICU, avoided here: IBM437 byte 0xE6 is
U+00B5 MICRO SIGN in Python and U+03BC GREEK SMALL LETTER MU in ICU; no IBM437 case
holds that byte (a UTF-8 lead byte of U+6000-U+6FFF).
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SWIFT_OUT = ROOT / "Tests" / "WinnowTests" / "MojibakeCases.swift"
JSON_OUT = ROOT / "Tests" / "Tools" / "mojibake-cases.json"

# ICU name -> Python codec, in Winnow's order of preference (MojibakeTables.encodingNames),
# ISO-8859-1 (windows-1252 with its C1 controls) right after windows-1252.
CODECS = {
    "windows-1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "windows-1251": "cp1251",
    "windows-1250": "cp1250",
    "ISO-8859-2": "iso8859-2",
    "windows-1253": "cp1253",
    "windows-1254": "cp1254",
    "windows-1257": "cp1257",
    "macintosh": "mac_roman",
    "IBM437": "cp437",
}
ORDER = list(CODECS)

# The bytes windows-1252 leaves undefined.
UNDEFINED_1252 = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def c1_controls(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode error handler: an undefined byte is the code point of the same value (ICU's
    windows-125x converters read 0x81 as U+0081)."""
    return "".join(chr(b) for b in error.object[error.start : error.end]), error.end


codecs.register_error("c1controls", c1_controls)


def misread(text: str, encoding: str, errors: str = "strict") -> str | None:
    """`text` as UTF-8 decoded through `encoding` (ICU name); None when it has an undefined byte."""
    try:
        return text.encode("utf-8").decode(CODECS[encoding], errors)
    except UnicodeDecodeError:
        return None


def misread_path(text: str, path: list[str]) -> str | None:
    for encoding in path:
        text = misread(text, encoding)
        if text is None:
            return None
    return text


def ambiguous(correct: str, path: list[str], broken: str) -> str | None:
    """The first encoding path preferred to `path` that gives the same `broken` text, if any:
    every path of the same length whose encodings are each no later in ORDER, one earlier."""
    choices = [ORDER[: ORDER.index(e) + 1] for e in path]
    for other in itertools.product(*choices):
        if list(other) == path:
            continue
        text = correct
        for encoding in other:
            text = text.encode("utf-8").decode(CODECS[encoding], "c1controls")
        if text == broken:
            return " -> ".join(other)
    # ISO-8859-1 against windows-1252 read as ICU does (undefined bytes as C1 controls).
    if "ISO-8859-1" in path:
        text = correct
        for encoding in path:
            name = "windows-1252" if encoding == "ISO-8859-1" else encoding
            text = text.encode("utf-8").decode(CODECS[name], "c1controls")
        if text == broken:
            return "windows-1252 (ICU)"
    return None


# ---------------------------------------------------------------------------
# Text for each kind


SINGLE = {
    "windows-1252": [
        "café",
        "Crème brûlée à la française",
        "Où est la gare ? Je ne sais pas.",
        "Le président a déclaré l’état d’urgence",
        "¿Dónde está la biblioteca?",
        "El niño comió en Año Nuevo",
        "São Paulo e Brasília: ação e tradição",
        "Grüße aus München, schöne Straße",
        "Die Bürgermeisterin eröffnet das Fußballstadion",
        "Perché non è così facile, però",
        "Città del Vaticano, 2024",
        "It’s 5 o’clock – time for tea",
        "The price rose to €12.50 — a record",
        "Wait for it…",
        "Party tonight 😀",
        "日本語 is Japanese",
        "Привет мир",
        "naïve coöperation",
        "Zoë’s résumé",
        "Ça va? Très bien, merci.",
        "Antonín Dvořák",
        "Æsir and Ørsted",
        "1er décembre 2023, 14h30",
        "Noël",
        "Le Monde: « Économie : la croissance ralentit »",
        "Señor Muñoz, 3ª planta",
        "Ålesund og Tromsø",
    ],
    "ISO-8859-1": [
        "“Quoted text” and more",
        "Don’t stop believin’",
        "Prices from €5 to €50",
        "She said: “I’ll be there” – and left",
        "Loading…",
        "Great job 👍🏽",
        "I ❤️ Paris",
        "Émile Zola — J’accuse",
        "À bientôt, Hélène!",
        "Ángel Martínez",
        "Íñigo López",
        "Öl und Übermaß",
        "日本語のテキスト",
        "Спасибо, до свидания",
        "Última hora: Ñandú",
        "Çà et là — voilà",
        "ÐÞ",
    ],
    "windows-1250": [
        "Zażółć gęślą jaźń",
        "Dzień dobry, jak się masz?",
        "Wesołych Świąt i szczęśliwego Nowego Roku",
        "Kraków i Gdańsk",
        "Příliš žluťoučký kůň úpěl ďábelské ódy",
        "Dobrý den, jak se máte?",
        "Praha, 15. března 2024",
        "árvíztűrő tükörfúrógép",
        "Köszönöm szépen",
        "Ďakujem veľmi pekne",
        "Čakovec i Šibenik, Hrvatska",
        "Sveučilište u Zagrebu",
        "Mulțumesc frumos, București",
        "Žluťoučký kůň",
        "Małopolska, Wrocław",
        "Gdańsk, ul. Długa 12",
        "Győr",
    ],
    "ISO-8859-2": [
        "Łódź i Łomża",
        "Dobrý deň",
        "Învățământul românesc",
        "Mulțumesc, Bucureşti",
        "Źródło: Gazeta Wyborcza",
        "Příliš žluťoučký kůň",
        "Árvíztűrő tükörfúrógép",
        "Čeština je krásná",
        "Świętokrzyskie",
        "Đakovo i Šibenik",
        "Ľubica Kováčová",
        "Szczęść Boże",
        "Vážení cestující",
        "Ţară frumoasă",
        "Ňa",
        "Wałbrzych, Łańcut",
        "Česko-Slovensko, 1918",
        "Poznań, Śródka i Jeżyce",
        "Bożena Němcová",
        "Żółw",
    ],
    "windows-1251": [
        "Привет, как дела?",
        "Москва — столица России",
        "Съешь же ещё этих мягких французских булок",
        "Война и мир",
        "Слава Україні",
        "Київ, 24 серпня 2023 року",
        "Ґанок і подвір’я",
        "Добро утро, България",
        "Благодаря ви много",
        "Београд, Србија",
        "Ђорђе Ђоковић",
        "Љубљана",
        "Цена: 1500 руб.",
        "Здравствуйте!",
        "Ещё раз, пожалуйста",
        "Щука",
    ],
    "windows-1253": [
        "Γεια σας",
        "Αθήνα",
        "Η θάλασσα είναι ήσυχη",
        "Τι κάνετε;",
        "Ήλιος και θάλασσα",
        "Φίλε μου, τι νέα;",
        "Ελλάδα 2024",
        "Το σπίτι μας",
        "Δελτίο ειδήσεων",
        "Γιάννης Παπαδάκης",
        "Είσαι καλά;",
        "Χαλκιδική",
        "Ζάκυνθος",
        "Φέτα και ελιές",
        "Αγάπη",
        "Ιθάκη",
    ],
    "windows-1254": [
        "Günaydın 😀",
        "Çok güzel bir gün 😊",
        "İstanbul’da hava çok sıcak 🔥",
        "Teşekkür ederim 😂",
        "Maç harikaydı 💯",
        "İyi geceler 🌙",
        "Türkiye 🇹🇷",
        "Ağır ağır çıkacaksın bu merdivenlerden 😀",
        "Öğretmenler günü kutlu olsun 🌙",
        "Bugün çok yoruldum 😂",
        "Doğum günün kutlu olsun 😊",
        "Hoş geldiniz 😀",
        "Iğdır ve Muğla 🔥",
        "Beşiktaş şampiyon 💯",
    ],
    "windows-1257": [
        "Ačiū labai",
        "Į mokyklą einu pėsčiomis",
        "Lietuvių kalba yra įdomi",
        "Kaip tau sekasi? Ačiū, gerai",
        "Žalgirio čempionai",
        "Tere hommikust, kuidas läheb?",
        "Jõulud ja uusaasta",
        "Tallinna ülikool",
        "Tänan väga",
        "Pärnu rand on ilus",
        "Öösel oli külm",
        "Head õhtut",
        "Kõik on hästi",
        "Zaļa čūska",
        "Īsi un labi",
        "Īrija un Latvija",
    ],
    "macintosh": [
        "Café",
        "Crème brûlée",
        "Grüße aus Köln",
        "¿Qué tal, señor?",
        "L’été à Montréal",
        "Mañana será otro día",
        "Über den Wolken",
        "Fußgängerzone",
        "Ça coûte 15 €",
        "Naïve façade",
        "Hôtel de Ville — Paris",
        "Äpfel, Birnen und Öl",
        "Jalapeño",
        "Élève modèle",
    ],
    "IBM437": [
        "Café",
        "Café à la crème",
        "Schöne Grüße",
        "¡Feliz cumpleaños!",
        "Où est la bibliothèque ?",
        "Müller & Söhne GmbH",
        "El señor Peña llegó a las 8",
        "Déjà vu",
        "Königsberger Klopse",
        "Ñoño",
        "Garçon, l’addition !",
        "Ärger über die Bahn",
        "Año 2024: el año del cambio",
        "Fête de la musique",
    ],
}

DOUBLE = [
    (["windows-1252", "windows-1252"], "café"),
    (["windows-1252", "windows-1252"], "Crème brûlée"),
    (["windows-1252", "windows-1252"], "L’été à Paris"),
    (["windows-1252", "windows-1252"], "São Paulo"),
    (["windows-1252", "windows-1252"], "Grüße aus Köln"),
    (["windows-1252", "windows-1252"], "The café isn’t open — yet"),
    (["windows-1252", "windows-1252"], "Señor Muñoz"),
    (["windows-1252", "windows-1252"], "Only €100"),
    (["windows-1252", "windows-1252"], "Zoë and Chloë"),
    (["windows-1252", "windows-1252"], "Ελλάδα"),
    (["windows-1252", "windows-1252"], "Αθήνα"),
    (["windows-1252", "windows-1252"], "Привет"),  # skipped: Ð is C3 90 (0x90 undefined)
    (["ISO-8859-1", "windows-1252"], "don’t"),
    (["ISO-8859-1", "windows-1252"], "It’s – ok"),
    (["ISO-8859-1", "windows-1252"], "Émile"),
    (["ISO-8859-1", "windows-1252"], "Ελλάδα"),
    (["ISO-8859-1", "windows-1252"], "Привет"),  # skipped: Ð is C3 90 (0x90 undefined)
    (["windows-1251", "windows-1252"], "Привет"),
    (["windows-1251", "windows-1252"], "Спасибо"),
]


def B(text: str) -> tuple[str, bool]:
    """A part of a mixed case that is misread."""
    return (text, True)


MIXED = [
    ("windows-1252", ["Le café de Zoë: ", B("don’t"), " miss it"]),
    ("windows-1252", [B("Crème brûlée"), " — «délicieux»"]),
    ("windows-1252", ["Привет! ", B("Ça va très bien"), " 🙂"]),
    ("windows-1252", ["日本語のテキスト and ", B("café au lait")]),
    ("windows-1252", ["“Quoted” part, then ", B("naïve résumé")]),
    ("windows-1252", ["Straße: ", B("München – Köln")]),
    ("windows-1252", ["São Paulo, ", B("Brasília e Goiânia")]),
    ("windows-1252", ["It’s “great” — ", B("señor"), " says so"]),
    ("windows-1252", [B("Grüße"), " and correct Grüße"]),
    ("windows-1252", ["👍🏽 ", B("Noël"), " à Zürich"]),
    ("windows-1252", ["À la une : ", B("élection présidentielle"), " (²)"]),
    ("windows-1252", ["Ørsted, ", B("Ærø"), ", Ålesund"]),
    ("windows-1251", ["Новости: ", B("Москва, 5 мая"), " — «ТАСС»"]),
    ("windows-1251", ["Café «", B("Привет"), "»"]),
    ("windows-1250", ["Kraków — ", B("Zażółć gęślą jaźń")]),
    ("windows-1253", ["Η Ελλάδα: ", B("Αθήνα"), "…"]),
    ("macintosh", ["Café ", B("crème"), " et thé"]),
    ("IBM437", ["Müller: ", B("Grüße"), " aus Köln"]),
]

# windows-1252; every U+00A0 of the misread text then becomes a space.
LOST_A0 = [
    "à la carte, café, crème brûlée",
    "Voilà tout, c’est fini",
    "Prix\u00a0: 10\u00a0€, café compris",
    "Привет, Роберт",
    "Footnote† and ‘quotes’",
    "Ġgantija temples in Għajnsielem",
    "Déjà vu à Paris",
    "Là-bas, à côté",
    "Rendez-vous à 20\u00a0h, près de l’église",
    "Dagger † and double dagger ‡",
    "À propos: à bientôt",
    "Ответ: Р. Иванов",
    "100\u00a0km — trop loin",
]

# windows-1252 with lost bytes: (text, replace the U+FFFD of three- and four-byte sequences by "?").
LOSSY = [
    ("“Quote”", False),
    ("“Quote”", True),
    ("He said “hello” – loudly", False),
    ("He said “hello” – loudly", True),
    ("Ángel Martínez", False),
    ("Íñigo López", False),
    ("I ❤️ Paris, café", False),
    ("I ❤️ Paris, café", True),
    ("Great job 👍🏽 café", False),
    ("Great job 👍🏽 café", True),
    ("“Yes,” she said, “we’re done.”", False),
    ("Ýmir and Þór", False),
    ("Árvore, “ação”", True),
    ("日本語のテキスト", False),
    ("Нет, спасибо", False),
    ("Ça coûte 5 € – “cher”", True),
    ("‐hyphen”", False),  # dropped: the rule gives ” for the lost hyphen U+2010
]

# ---------------------------------------------------------------------------
# Negatives: correct text that must come through unchanged.

NEGATIVES = [
    # French, Portuguese
    "L’été dernier, à l’hôpital, Noël et Zoë ont mangé une crème brûlée.",
    "Où êtes-vous ? À Besançon, près de l’église Saint-Étienne.",
    "Ça coûte 12,50 € — c’est très cher !",
    "« Bonjour », dit-il.",
    "A ação da população não é só ilusão.",
    "Coração, mãe, pão e órgão",
    "Ã is the letter A with tilde",
    "ÂGE",
    "Â",
    "Â is A with a circumflex, as in “Âge”.",
    # Vietnamese
    "Tiếng Việt có dấu rất đẹp.",
    "Hà Nội, Việt Nam",
    "Nguyễn Thị Minh Khai",
    "Phở bò tái",
    # Icelandic, Faroese
    "Ég heiti Þórður og bý á Íslandi.",
    "Æðarfugl í Þórsmörk",
    "Guðrún Ósvífursdóttir",
    "ÐÞ",
    "ÞÓRSHÖFN",
    # Danish, Norwegian, Swedish, Finnish
    "Blåbærsyltetøy på brødskiva",
    "Ærø, Øresund og Århus",
    "ÆØÅ",
    "Søren Kierkegaard",
    "ÅÄÖ",
    "Räksmörgås med ägg",
    "Göteborg och Malmö",
    "Hyvää päivää, Jyväskylä!",
    # Hungarian, Polish, Czech, Slovak, Croatian, Romanian
    "Árvíztűrő tükörfúrógép",
    "Győr és Pécs, Szőlő utca 5.",
    "ŐSZ",
    "Zażółć gęślą jaźń",
    "Łódź, ul. Piotrkowska 104",
    "Szczebrzeszyn, Źródło, Świnoujście",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Dvořák, Janáček a Martinů",
    "Ďakujem, dobrú noc",
    "Ľudovít Štúr",
    "Đakovo, Čakovec i Šibenik",
    "Ćevapčići",
    "Învățământul românesc și țara",
    "Ştefan cel Mare",
    "ÎNCHIS",
    # Turkish, Baltic, Esperanto, Welsh, Maltese, IPA
    "Iğdır, İzmir ve Şanlıurfa",
    "İSTANBUL",
    "Ağaçlar ışık altında",
    "Ačiū, gražu! Šiauliai ir Žalgiris",
    "Į Vilnių",
    "Rīga, Ķekava, Ļaudona un Ņukši",
    "Latvijas Nacionālā bibliotēka",
    "Jõulud ja Õismäe",
    "Tänan väga, hüvasti",
    "Eĥoŝanĝo ĉiuĵaŭde",
    "Ĉu vi parolas Esperanton?",
    "Mae’r ŵyn yn y cae",
    "Tŷ bach twt",
    "Għajnsielem u Ħal Qormi, Ġgantija",
    "/ˈfoʊnətɪk/ and /ʃ ʒ θ ð ŋ/",
    "[ɐ̃w̃] ɬ ɮ ʔ ʕ",
    # German, Spanish, Italian, Catalan
    "Grüße aus Köln, Straße 5",
    "ÄÖÜ ẞ",
    "¿Dónde está el niño?",
    "Año nuevo, vida nueva",
    "Perché è così? Più tardi, Città di Castello",
    "Col·lecció de la Paeria",
    # Cyrillic
    "«СССР»",
    "ОАО «Газпром»",
    "РФ—",
    "США»",
    "Р. Иванов",
    "ЦСКА…",
    "Привет, мир!",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Москва, ул. Тверская, д. 7, кв. 12",
    "Он сказал: «Нет».",
    "— Ты где? — Дома.",
    "Ёлка, ёж, Ёжик",
    "Їжак їсть яблука",
    "Ґанок, ґудзик",
    "Європа і Україна",
    "Київ — столиця України",
    "Ђорђе, Џон, Љубица, Њујорк, Ћуприја",
    "Београд, Нови Сад и Ниш",
    "Добър ден, България!",
    "Щастие и ъгъл",
    "Ќерка, Ѓорѓи и Ѕвезда",
    "Скопје, Македонија",
    "Беларусь, Мінск, ўсё",
    "Қазақстан, Алматы",
    # Greek
    "Καλημέρα κόσμε",
    "Η Ελλάδα είναι όμορφη.",
    "ΑΘΗΝΑ 2004",
    "ΕΛΛΑΔΑ…",
    "Ψυχή, ψάρι, ωκεανός",
    "Άρης, Έλενα, Ήρα, Ίρις, Όλγα, Ύδρα, Ώρα",
    "«Ναι» ή «Όχι»;",
    "ΔΕΗ—ΟΤΕ",
    "Μ. Παπαδόπουλος",
    "Σ = 5, Π ≈ 3, Ω²",
    # Other scripts
    "Բարև, աշխարհ",
    "Հայաստան",
    "გამარჯობა, მსოფლიო",
    "საქართველო",
    "שלום עולם",
    "עִבְרִית",
    "مرحبا بالعالم",
    "اللغة العربية",
    "سلام دنیا",
    "من می\u200cخواهم بروم.",
    "नमस्ते दुनिया",
    "हिन्दी भाषा",
    "আমি বাংলায় গান গাই",
    "வணக்கம் உலகம்",
    "สวัสดีชาวโลก",
    "ภาษาไทย",
    "你好，世界！",
    "中华人民共和国",
    "繁體中文：臺灣",
    "こんにちは世界",
    "日本語のテキスト",
    "カタカナ・ひらがな",
    "東京都は火曜日、新しい橋の建設計画を発表した。",
    "안녕하세요 세계",
    "한국어",
    # Emoji
    "👨\u200d👩\u200d👧\u200d👦",
    "👍🏽",
    "🇫🇷🇯🇵",
    "❤️",
    "🏳️\u200d🌈",
    "👩🏿\u200d💻",
    "😀😃😄",
    "Great job 👍🏽!",
    "I ❤️ NY",
    # ALL CAPS
    "SÃO PAULO",
    "ÉCOLE NORMALE",
    "À LA UNE",
    "L'HAŸ-LES-ROSES",
    "ÇA VA",
    "ÎLE-DE-FRANCE",
    "CRÈME BRÛLÉE",
    "ÑANDÚ",
    "MÜNCHEN",
    "ÓRGÃO",
    "ÍSLAND",
    # Math
    "±½°×÷µ²³",
    "∑ ∫ √2 ≈ 1.414",
    "x² + y² = r²",
    "90°",
    "5 µm",
    "a ≤ b ≥ c",
    "∞",
    "∀x ∈ ℝ: x² ≥ 0",
    "¼ + ¾ = 1",
    "10⁻³ m, H₂O",
    "∂f/∂x → 0 ⇒ ok",
    # Currency
    "£5",
    "€10",
    "¥100",
    "¢",
    "100 €",
    "5,00 €",
    "₹500",
    "100 ₽",
    "₩1000",
    "₺50",
    # Symbols after letters
    "Apple®",
    "Winnow™",
    "©2024 Foo",
    "N°5",
    "Nº 3",
    "1ª",
    "1º",
    "20ºC",
    "§ 5 Abs. 2",
    "¶",
    "†1944",
    "• item · item",
    "5 ‰",
    # Quotes, brackets
    "¿Qué?",
    "¡Hola!",
    "«guillemets»",
    "„German quotes“",
    "‚single‘",
    "「CJK」",
    "『本』",
    "‹single›",
    "“double” and ‘single’",
    # Kaomoji, box drawing
    "¯\\_(ツ)_/¯",
    "(╯°□°)╯︵ ┻━┻",
    "ʕ•ᴥ•ʔ",
    "(ಠ_ಠ)",
    "ヽ(•‿•)ノ",
    "(｡◕‿◕｡)",
    "(╥﹏╥)",
    "┌─┐│└┘",
    "╔═╗",
    "╚═╝ ├──┤",
    "▓▒░ ■□▪▫",
    # NBSP, U+FFFD used normally
    "decoding failed: \ufffd",
    "Prix\u00a0: 10\u00a0€",
    "100\u00a0km",
    "M.\u00a0Dupont",
    "U+FFFD looks like \ufffd",
    # Tricky: a letter followed by a symbol that is a continuation byte in some encoding
    "«Спартак»",
    "«Динамо»",
    "Итак…",
    "Да—нет",
    "Ответ…",
    "Приказ № 5",
    "Газета «Известия»",
    "«Россия»",
    "Р—",
    "ЖКХ…",
    "Москва—Петербург",
    "Αθήνα…",
    "Ναι…",
    "ΟΧΙ…",
    "Ελλάδα…",
    "Kraków, ŁÓDŹ!",
    "PRAHA, ČR.",
    "ŻÓŁW?",
    "ŚWIĘTO—",
    "ZAŻÓŁĆ!",
    "ČESKÁ REPUBLIKA»",
    "BRNO–ŽILINA",
    # Short quoted sentences
    "„Ich komme morgen“, sagte sie.",
    "«Je reviendrai», promit-il.",
    "“I’ll be there at 5,” she said.",
    "«Я вернусь», — сказал он.",
    "„Przyjdę jutro” — powiedziała.",
    "„Přijdu zítra,“ řekla.",
    "«Volveré», dijo él.",
    "“Chegarei amanhã”, disse ela.",
    "«Θα έρθω αύριο», είπε.",
    "「明日行きます」と彼女は言った。",
    "“我明天来，”她说。",
    "“내일 갈게요,” 그녀가 말했다.",
    "„Holnap jövök” – mondta.",
    "„Mâine vin”, a spus ea.",
    "»Jeg kommer i morgen«, sagde hun.",
    "”Jag kommer i morgon”, sa hon.",
    "”Tulen huomenna”, hän sanoi.",
    "“Yarın geleceğim,” dedi.",
    "„Ateik rytoj“, – pasakė jis.",
    "«Я прийду завтра», — сказала вона.",
    "“Tôi sẽ đến vào ngày mai,” cô ấy nói.",
    "„Sutra dolazim“, rekla je.",
    "«Վաղը կգամ», ասաց նա։",
    "„Ég kem á morgun,“ sagði hún.",
    "“אני אבוא מחר,” היא אמרה.",
    "«Ще дойда утре», каза тя.",
]


# ---------------------------------------------------------------------------
# Building the cases


def lossy_repair(sequence: bytes, lost: list[int]) -> str:
    """The repair of one UTF-8 sequence whose bytes at `lost` were lost: the one candidate
    (each lost byte any of UNDEFINED_1252) that decodes to an assigned character other
    than a control or private use; U+FFFD when there is not exactly one (a lost byte
    of `â€\ufffd` could be `”`, a zero-width joiner or three other characters)."""
    found = set()
    for choice in itertools.product(UNDEFINED_1252, repeat=len(lost)):
        candidate = bytearray(sequence)
        for position, byte in zip(lost, choice):
            candidate[position] = byte
        try:
            character = bytes(candidate).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if unicodedata.category(character) not in ("Cn", "Cc", "Co", "Cs"):
            found.add(character)
    return found.pop() if len(found) == 1 else "\ufffd"


def lossy_case(correct: str, question_marks: bool) -> tuple[str, str, bool, bool]:
    """(broken, expected, every lost character repaired to itself or U+FFFD, has evidence)."""
    broken, expected, faithful, evidence = [], [], True, False
    for character in correct:
        sequence = character.encode("utf-8")
        lost = [i for i, byte in enumerate(sequence) if byte in UNDEFINED_1252]
        if not lost:
            broken.append(sequence.decode("cp1252"))
            expected.append(character)
            evidence = evidence or len(sequence) > 1
            continue
        mark = "?" if question_marks else "\ufffd"
        broken.append("".join(mark if b in UNDEFINED_1252 else bytes([b]).decode("cp1252") for b in sequence))
        repair = lossy_repair(sequence, lost)
        faithful = faithful and repair in (character, "\ufffd")
        expected.append(repair)
    return "".join(broken), "".join(expected), faithful, evidence


def build() -> tuple[list[dict], list[str], list[str]]:
    cases: list[dict] = []
    skipped: list[str] = []

    def add(broken: str | None, expected: str, path: list[str], kind: str, correct: str) -> None:
        if broken is None:
            skipped.append(f"{kind} {' -> '.join(path)} {correct!r}: an undefined byte")
            return
        if broken == expected:
            skipped.append(f"{kind} {' -> '.join(path)} {correct!r}: unchanged")
            return
        other = ambiguous(correct, path, broken) if kind in ("single", "double") else None
        if other:
            skipped.append(f"{kind} {' -> '.join(path)} {correct!r}: same as {other}")
            return
        if "IBM437" in path and "\u00b5" in broken:
            skipped.append(f"{kind} IBM437 {correct!r}: byte 0xE6 (ICU and Python differ)")
            return
        cases.append({"broken": broken, "expected": expected, "path": path, "kind": kind})

    for encoding, texts in SINGLE.items():
        for text in texts:
            add(misread(text, encoding), text, [encoding], "single", text)

    for path, text in DOUBLE:
        add(misread_path(text, path), text, path, "double", text)

    for encoding, parts in MIXED:
        correct = "".join(part[0] if isinstance(part, tuple) else part for part in parts)
        misread_parts = [part[0] for part in parts if isinstance(part, tuple)]
        pieces = [misread(part[0], encoding) if isinstance(part, tuple) else part for part in parts]
        if None in pieces:
            skipped.append(f"mixed {encoding} {correct!r}: an undefined byte")
            continue
        # Ambiguity is judged on the misread parts alone.
        others = [ambiguous(text, [encoding], misread(text, encoding)) for text in misread_parts]
        if any(others):
            skipped.append(f"mixed {encoding} {correct!r}: same as {next(o for o in others if o)}")
            continue
        add("".join(pieces), correct, [encoding], "mixed", correct)

    for text in LOST_A0:
        broken = misread(text, "windows-1252")
        if broken is None or "\u00a0" not in broken:
            skipped.append(f"lostA0 {text!r}: {'an undefined byte' if broken is None else 'no 0xA0'}")
            continue
        evidence = any(ord(c) > 0x7F and 0xA0 not in c.encode("utf-8") for c in text)
        if not evidence:
            skipped.append(f"lostA0 {text!r}: no other mojibake")
            continue
        add(broken.replace("\u00a0", " "), text, ["windows-1252"], "lostA0", text)

    for text, question_marks in LOSSY:
        broken, expected, faithful, evidence = lossy_case(text, question_marks)
        if not any(b in UNDEFINED_1252 for b in text.encode("utf-8")):
            skipped.append(f"lossy {text!r}: no lost byte")
        elif not faithful:
            skipped.append(f"lossy {text!r}: the rule repairs a lost character to another one")
        elif not evidence:
            skipped.append(f"lossy {text!r}: no other mojibake")
        else:
            add(broken, expected, ["windows-1252"], "lossy", text)

    negatives: list[str] = []
    for text in NEGATIVES:
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if text not in negatives:
            negatives.append(text)
    return cases, negatives, skipped


def check(cases: list[dict], negatives: list[str]) -> None:
    problems = []
    for case in cases:
        if case["broken"] == case["expected"]:
            problems.append(f"unchanged: {case!r}")
        if any(e not in CODECS for e in case["path"]):
            problems.append(f"unknown encoding: {case!r}")
    for text in negatives:
        text.encode("utf-8")  # valid: no lone surrogates
        if not unicodedata.is_normalized("NFC", text):
            problems.append(f"negative not NFC: {text!r}")
    if problems:
        sys.exit("\n".join(problems))
    counts = Counter(case["kind"] for case in cases)
    minimum = {"single": 0, "double": 10, "mixed": 12, "lostA0": 10, "lossy": 10}
    for kind, least in minimum.items():
        if counts[kind] < least:
            sys.exit(f"only {counts[kind]} {kind} cases, want {least}")
    singles = Counter(case["path"][0] for case in cases if case["kind"] == "single")
    for encoding in CODECS:
        if singles[encoding] < 12:
            sys.exit(f"only {singles[encoding]} single cases for {encoding}, want 12")
    if len(cases) < 160 or len(negatives) < 160:
        sys.exit(f"{len(cases)} cases and {len(negatives)} negatives, want 160 of each")


# ---------------------------------------------------------------------------
# Output


def invisible(character: str, previous_escaped: bool) -> bool:
    code = ord(character)
    if code < 0x20 or 0x7F <= code <= 0xA0 or code in (0xAD, 0xFFFD, 0x2028, 0x2029, 0xFEFF):
        return True
    if 0x200B <= code <= 0x200F or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    category = unicodedata.category(character)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or (category == "Zs" and character != " "):
        return True
    # A combining mark with nothing visible to sit on.
    return category.startswith("M") and previous_escaped


def swift_string(text: str) -> str:
    out, escaped = [], True
    for character in text:
        if character in '\\"':
            out.append("\\" + character)
            escaped = False
        elif invisible(character, escaped):
            out.append(f"\\u{{{ord(character):04X}}}")
            escaped = True
        else:
            out.append(character)
            escaped = False
    return '"' + "".join(out) + '"'


def json_string(text: str) -> str:
    """A JSON string literal: UTF-8, with the characters the Swift file escapes as \\u escapes."""
    out = []
    for character in text:
        code = ord(character)
        if character in '\\"':
            out.append("\\" + character)
        elif invisible(character, False):
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


def width(line: str) -> int:
    """The length of a line in code points: at least swift-format's count (characters)."""
    return len(line)


def swift_case(case: dict) -> list[str]:
    broken, expected = swift_string(case["broken"]), swift_string(case["expected"])
    path = "[" + ", ".join(f'"{e}"' for e in case["path"]) + "]"
    kind = f'"{case["kind"]}"'
    one = f"  MojibakeCase(broken: {broken}, expected: {expected}, path: {path}, kind: {kind}),"
    if width(one) <= 120:
        return [one]
    inner = f"    broken: {broken}, expected: {expected}, path: {path}, kind: {kind}"
    if width(inner) <= 120:
        return ["  MojibakeCase(", inner, "  ),"]
    return [
        "  MojibakeCase(",
        f"    broken: {broken},",
        f"    expected: {expected},",
        f"    path: {path}, kind: {kind}",
        "  ),",
    ]


def swift_source(cases: list[dict], negatives: list[str]) -> str:
    lines = [
        "// Generated by Tests/Tools/mojibake_cases.py; do not edit.",
        "",
        "/// One mojibake case: `broken` must repair to `expected`.",
        "struct MojibakeCase: Sendable {",
        "  var broken: String",
        "  var expected: String",
        "  /// The legacy encodings the text went through, outermost last, as ICU names.",
        "  var path: [String]",
        '  /// What kind of damage: "single", "double", "mixed", "lostA0", "lossy".',
        "  var kind: String",
        "}",
        "",
        "let mojibakeCases: [MojibakeCase] = [",
    ]
    for case in cases:
        lines.extend(swift_case(case))
    lines += [
        "]",
        "",
        "/// Correct text that looks suspicious and must come through unchanged.",
        "let mojibakeNegatives: [String] = [",
    ]
    lines.extend(f"  {swift_string(text)}," for text in negatives)
    lines += ["]", ""]
    return "\n".join(lines)


def json_source(cases: list[dict], negatives: list[str]) -> str:
    lines = ["{", '  "cases": [']
    for i, case in enumerate(cases):
        path = "[" + ", ".join(json_string(e) for e in case["path"]) + "]"
        lines.append(
            f'    {{"broken": {json_string(case["broken"])}, "expected": {json_string(case["expected"])}, '
            f'"path": {path}, "kind": {json_string(case["kind"])}}}' + ("," if i < len(cases) - 1 else "")
        )
    lines += ["  ],", '  "negatives": [']
    for i, text in enumerate(negatives):
        lines.append(f"    {json_string(text)}" + ("," if i < len(negatives) - 1 else ""))
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def main() -> int:
    cases, negatives, skipped = build()
    check(cases, negatives)
    swift = swift_source(cases, negatives)
    data = json_source(cases, negatives)
    # The JSON must read back as the same data.
    assert json.loads(data) == {"cases": cases, "negatives": negatives}
    SWIFT_OUT.write_text(swift, encoding="utf-8")
    JSON_OUT.write_text(data, encoding="utf-8")

    print(f"wrote {SWIFT_OUT.relative_to(ROOT)} and {JSON_OUT.relative_to(ROOT)}")
    print(f"{len(cases)} cases, {len(negatives)} negatives, {len(skipped)} candidates skipped")
    kinds = Counter(case["kind"] for case in cases)
    paths = Counter(" -> ".join(case["path"]) for case in cases)
    print("\nper kind:")
    for kind in ("single", "double", "mixed", "lostA0", "lossy"):
        print(f"  {kind:8} {kinds[kind]:4}")
    print("\nper encoding path (all kinds / single):")
    for path, count in sorted(paths.items(), key=lambda item: (-item[1], item[0])):
        single = sum(1 for c in cases if c["kind"] == "single" and " -> ".join(c["path"]) == path)
        print(f"  {path:30} {count:4} {single:4}")
    if "-v" in sys.argv[1:]:
        print("\nskipped:")
        for line in skipped:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
