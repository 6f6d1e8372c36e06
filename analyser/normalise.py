"""Turn contract wording in English, Dutch and German into the normalised values of the output schema.

Everything here is pure and deterministic: lookup tables are built once, matching happens on a folded copy
of the text (case folded, accents stripped, whitespace collapsed) and the caller's text is never changed.
"""

from __future__ import annotations

import bisect
import gettext
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

EU_MEMBERS = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
EEA_MEMBERS = EU_MEMBERS | {"IS", "LI", "NO"}
REGION_TOKENS = ("EU", "EEA", "GLOBAL", "NON_EEA")

# ---------------------------------------------------------------------------------------------------------------
# Folding: match on a normalised copy, report positions in the original.
# ---------------------------------------------------------------------------------------------------------------

# Typographic variants that PDFs and word processors introduce; folding them keeps every pattern ASCII.
_CHAR_FOLDS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00ad": "",
}


@dataclass(frozen=True, slots=True)
class _Folded:
    """Folded text plus, for each folded character, the index of the source character it came from."""

    source: str
    text: str
    origin: tuple[int, ...]

    def start(self, folded_index: int) -> int:
        """Source index of the folded character at folded_index."""
        return self.origin[folded_index]

    def end(self, folded_end: int) -> int:
        """Source index just past the folded character before folded_end."""
        return self.origin[folded_end - 1] + 1 if folded_end > 0 else 0


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character case folded and stripped of accents ("Ö" → "o", "ß" → "ss")."""
    if char in _CHAR_FOLDS:
        return _CHAR_FOLDS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold_words(text: str) -> str:
    """Fold a table entry or short phrase the same way matched text is folded."""
    return _fold(text).text


@lru_cache(maxsize=64)
def _fold(text: str) -> _Folded:
    """Fold text for matching, collapsing each run of whitespace to one space."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                chars.append(" ")
                origin.append(index)
            previous_space = True
            continue
        previous_space = False
        for folded in _fold_char(char):
            chars.append(folded)
            origin.append(index)
    return _Folded(text, "".join(chars), tuple(origin))


@dataclass(frozen=True, slots=True)
class _Hit:
    """A code found in the source text, with its source span."""

    start: int
    end: int
    code: str


class _Claims:
    """Non-overlapping source spans, kept sorted so that each check is a binary search."""

    def __init__(self) -> None:
        self.hits: list[_Hit] = []
        self._starts: list[int] = []

    def add(self, hit: _Hit) -> bool:
        """Keep hit unless it overlaps a span already kept; report whether it was kept."""
        index = bisect.bisect_right(self._starts, hit.start)
        if index > 0 and self.hits[index - 1].end > hit.start:
            return False
        if index < len(self.hits) and self.hits[index].start < hit.end:
            return False
        self.hits.insert(index, hit)
        self._starts.insert(index, hit.start)
        return True


def _first_mentions(hits: Iterable[_Hit]) -> list[str]:
    """Codes in order of first mention, without duplicates."""
    codes: list[str] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if hit.code not in codes:
            codes.append(hit.code)
    return codes


# ---------------------------------------------------------------------------------------------------------------
# Lexicons: literal names mapped to codes, compiled into one trie-shaped regex that prefers the longest name.
# ---------------------------------------------------------------------------------------------------------------

# A name preceded by these is part of another place: New Jersey, New Mexico, New South Wales, Rhode Island.
_PART_OF_OTHER_PLACE = ("new ", "new south ", "rhode ", "prince edward ")


@dataclass(frozen=True, slots=True)
class _Term:
    """One folded name that stands for a code."""

    name: str
    code: str
    capitalised: bool = False  # also a common lower-case word ("island", "turkey", "china"): only when capitalised
    adjective: bool = False  # "Dutch", "deutschem": skipped where it names a language
    mid_sentence: bool = False  # only when it does not open a sentence
    not_after: tuple[str, ...] = _PART_OF_OTHER_PLACE


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of the words, shaped as a trie so that matching stays fast with thousands of words."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node_pattern(trie)


def _trie_node_pattern(node: dict[str, Any]) -> str:
    """The regex for one trie node; a longer continuation is tried before ending here."""
    branches = [re.escape(char) + _trie_node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    return f"(?:{body})?"


def _german_forms(name: str) -> set[str]:
    """A German name with its case endings ("vereinigte staaten" → "vereinigten staaten", "deutschlands")."""
    forms = {""}
    words = name.split(" ")
    for position, word in enumerate(words):
        if position == len(words) - 1:
            variants = {word + ending for ending in ("", "s", "es", "n", "en")}
        elif re.search(r"e[nmrs]?$", word) and len(word) > 4:
            stem = re.sub(r"e[nmrs]?$", "", word)
            variants = {stem + ending for ending in ("e", "en", "em", "er", "es")}
        else:
            variants = {word}
        forms = {f"{form} {variant}".strip() for form in forms for variant in variants}
    return forms


class _Lexicon:
    """Terms matched as whole words on folded text; the longest term wins at each position."""

    def __init__(self, terms: Iterable[_Term]) -> None:
        # Later terms replace earlier ones with the same name, so a curated table can be passed last.
        self._terms = {term.name: term for term in terms}
        self._regex = re.compile(rf"(?<![\w])(?:{_trie_pattern(self._terms)})(?![\w])")

    def matches(self, folded: _Folded) -> list[tuple[re.Match[str], _Term]]:
        """Every term found in the folded text, less capitalised-only terms in lower case and parts of other places."""
        found: list[tuple[re.Match[str], _Term]] = []
        for match in self._regex.finditer(folded.text):
            term = self._terms[match.group(0)]
            start = folded.start(match.start())
            if term.capitalised and not folded.source[start].isupper():
                continue
            if term.mid_sentence and _opens_sentence(folded.source, start):
                continue
            if _preceded_by(folded.text, match.start(), term.not_after):
                continue
            found.append((match, term))
        return found


def _opens_sentence(source: str, start: int) -> bool:
    """Whether source[start:] opens a sentence, a list item or a numbered clause ("2.1 Indien ...")."""
    before = source[max(0, start - 40) : start].rstrip()
    before = re.sub(r"(?:\(?\d+(?:\.\d+)*\)?\.?|\([a-z]\))$", "", before).rstrip()
    return not before or before[-1] in ".!?:;•*-–"


def _preceded_by(text: str, start: int, prefixes: Iterable[str]) -> bool:
    """Whether one of the prefixes, starting at a word boundary, ends right at start."""
    for prefix in prefixes:
        begin = start - len(prefix)
        if begin >= 0 and text.startswith(prefix, begin) and (begin == 0 or not text[begin - 1].isalnum()):
            return True
    return False


# ---------------------------------------------------------------------------------------------------------------
# Country names: pycountry (EN names, official and common names, their DE and NL translations) plus exonyms.
# ---------------------------------------------------------------------------------------------------------------

# EN / NL / DE forms that pycountry lacks or that contracts use instead of the ISO name.
_EXONYMS: dict[str, tuple[str, ...]] = {
    "AT": ("Austria", "Republic of Austria", "Oostenrijk", "Österreich", "Republik Österreich"),
    "BE": ("Belgium", "België", "Belgie", "Belgien", "Kingdom of Belgium", "Königreich Belgien"),
    "BG": ("Bulgaria", "Bulgarije", "Bulgarien"),
    "CY": ("Cyprus", "Zypern", "Republic of Cyprus"),
    "CZ": ("Czech Republic", "Czechia", "Tsjechië", "Tsjechische Republiek", "Tschechien", "Tschechische Republik"),
    "DE": (
        "Germany",
        "Duitsland",
        "Deutschland",
        "Federal Republic of Germany",
        "Bondsrepubliek Duitsland",
        "Bundesrepublik Deutschland",
    ),
    "DK": ("Denmark", "Denemarken", "Dänemark", "Kingdom of Denmark"),
    "EE": ("Estonia", "Estland"),
    "ES": ("Spain", "Spanje", "Spanien", "Kingdom of Spain"),
    "FI": ("Finland", "Finnland"),
    "FR": ("France", "Frankrijk", "Frankreich", "French Republic", "Franse Republiek", "Französische Republik"),
    "GR": ("Greece", "Griekenland", "Griechenland", "Hellenic Republic"),
    "HR": ("Croatia", "Kroatië", "Kroatien"),
    "HU": ("Hungary", "Hongarije", "Ungarn"),
    "IE": ("Ireland", "Republic of Ireland", "Ierland", "Irland", "Republik Irland", "Eire"),
    "IT": ("Italy", "Italië", "Italien", "Italian Republic"),
    "LT": ("Lithuania", "Litouwen", "Litauen"),
    "LU": (
        "Luxembourg",
        "Luxemburg",
        "Grand Duchy of Luxembourg",
        "Groothertogdom Luxemburg",
        "Großherzogtum Luxemburg",
    ),
    "LV": ("Latvia", "Letland", "Lettland"),
    "MT": ("Malta",),
    "NL": (
        "Netherlands",
        "the Netherlands",
        "Holland",
        "Nederland",
        "Niederlande",
        "Kingdom of the Netherlands",
        "Koninkrijk der Nederlanden",
        "Königreich der Niederlande",
    ),
    "PL": ("Poland", "Polen", "Republic of Poland"),
    "PT": ("Portugal",),
    "RO": ("Romania", "Roemenië", "Rumänien"),
    "SE": ("Sweden", "Zweden", "Schweden", "Kingdom of Sweden"),
    "SI": ("Slovenia", "Slovenië", "Slowenien"),
    "SK": ("Slovakia", "Slovak Republic", "Slowakije", "Slowakei", "Slowakische Republik"),
    "IS": ("Iceland", "IJsland"),
    "LI": ("Liechtenstein",),
    "NO": ("Norway", "Noorwegen", "Norwegen"),
    "CH": ("Switzerland", "Zwitserland", "Schweiz", "Swiss Confederation", "Schweizerische Eidgenossenschaft"),
    "GB": (
        "United Kingdom",
        "Verenigd Koninkrijk",
        "Vereinigtes Königreich",
        "Great Britain",
        "Britain",
        "Groot-Brittannië",
        "Großbritannien",
        "England",
        "Engeland",
        "Scotland",
        "Schotland",
        "Schottland",
        "Wales",
        "Northern Ireland",
        "Noord-Ierland",
        "Nordirland",
    ),
    "US": (
        "United States",
        "United States of America",
        "Verenigde Staten",
        "Verenigde Staten van Amerika",
        "Vereinigte Staaten",
        "Vereinigte Staaten von Amerika",
        "America",
        "Amerika",
    ),
    "CA": ("Canada", "Kanada"),
    "AU": ("Australia", "Australië", "Australien"),
    "NZ": ("New Zealand", "Nieuw-Zeeland", "Neuseeland"),
    "IN": ("India", "Indien"),
    "JP": ("Japan",),
    "KR": ("South Korea", "Republic of Korea", "Zuid-Korea", "Südkorea"),
    "BR": ("Brazil", "Brazilië", "Brasilien"),
    "CN": ("China", "People's Republic of China", "Volksrepubliek China", "Volksrepublik China"),
    "HK": ("Hong Kong", "Hongkong"),
    "SG": ("Singapore", "Singapur"),
    "IL": ("Israel", "Israël"),
    "RS": ("Serbia", "Servië", "Serbien"),
    "UA": ("Ukraine", "Oekraïne"),
    "TR": ("Turkey", "Türkiye", "Turkije", "Türkei"),
    "RU": ("Russia", "Rusland", "Russland"),
    "AE": ("United Arab Emirates", "Verenigde Arabische Emiraten", "Vereinigte Arabische Emirate"),
    "ZA": ("South Africa", "Zuid-Afrika", "Südafrika"),
    "MX": ("Mexico", "Mexiko"),
    "AR": ("Argentina", "Argentinië", "Argentinien"),
    "PH": ("Philippines", "Filipijnen", "Philippinen"),
    "MY": ("Malaysia", "Maleisië"),
    "VN": ("Vietnam", "Viet Nam"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CV": ("Cape Verde", "Cabo Verde"),
    "MM": ("Myanmar", "Burma"),
    "SZ": ("Eswatini", "Swaziland"),
    "BN": ("Brunei",),
    "GE": ("Georgia (country)", "Georgië", "Georgien"),
    "EU": ("European Union", "Europese Unie", "Europäische Union", "Europe", "Europa"),
    "EEA": ("European Economic Area", "Europese Economische Ruimte", "Europäischer Wirtschaftsraum"),
}

# German spellings in the table above, which take case endings ("in den Niederlanden", "Deutschlands").
# fmt: off
_GERMAN_EXONYMS = frozenset(
    _fold_words(name) for name in (
        "Österreich", "Republik Österreich", "Belgien", "Königreich Belgien", "Bulgarien", "Zypern", "Tschechien",
        "Tschechische Republik", "Deutschland", "Bundesrepublik Deutschland", "Dänemark", "Spanien", "Finnland",
        "Frankreich", "Französische Republik", "Griechenland", "Kroatien", "Ungarn", "Irland", "Republik Irland",
        "Italien", "Litauen", "Großherzogtum Luxemburg", "Lettland", "Niederlande", "Königreich der Niederlande",
        "Rumänien", "Schweden", "Slowenien", "Slowakei", "Slowakische Republik", "Norwegen", "Schweiz",
        "Schweizerische Eidgenossenschaft", "Vereinigtes Königreich", "Großbritannien", "Schottland", "Nordirland",
        "Vereinigte Staaten", "Vereinigte Staaten von Amerika", "Amerika", "Kanada", "Australien", "Neuseeland",
        "Indien", "Südkorea", "Brasilien", "Volksrepublik China", "Serbien", "Türkei", "Russland",
        "Vereinigte Arabische Emirate", "Südafrika", "Mexiko", "Argentinien", "Philippinen", "Georgien",
        "Europäische Union", "Europa", "Europäischer Wirtschaftsraum",
    )
)
# fmt: on

# Names that are also everyday words in EN, NL or DE, taken only when capitalised in the source.
_CAPITALISED_ONLY = frozenset(
    "island turkey chad china jordan jersey guernsey guinea guinee chili reunion america amerika europe europa polen "
    "indien".split()
)
# German "Indien" (India) is also the Dutch "if", which is capitalised when it opens a sentence.
_NOT_SENTENCE_START = frozenset({"indien"})

# Names left out: a US state as well as a country, an English county, or "America" qualified by a region word.
_EXCLUDED_NAMES = frozenset({"georgia", "norfolk"})

# "America" alone is the United States, but not in North, South, Latin or Central America.
_AMERICA_BLOCKERS = (
    *_PART_OF_OTHER_PLACE,
    "north ",
    "south ",
    "latin ",
    "central ",
    "noord-",
    "zuid-",
    "midden-",
    "latijns-",
)


def _pycountry_names(country: object) -> set[str]:
    """The English name, official name and common name of one pycountry record."""
    names = {str(getattr(country, "name", ""))}
    for attribute in ("official_name", "common_name"):
        value = getattr(country, attribute, None)
        if value:
            names.add(str(value))
    return names


def _name_variants(name: str) -> set[str]:
    """A pycountry name plus the forms contracts use ("Korea, Republic of" → "Republic of Korea", "Korea")."""
    variants = {name}
    inside = re.search(r"\(([^)]*)\)", name)
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    variants.add(bare)
    if inside and len(inside.group(1)) > 3:
        variants.add(inside.group(1))
    if ", " in bare:
        head, tail = bare.split(", ", 1)
        variants.add(head)
        # "Republic of" / "Föderierte Staaten von" read before the head; a single qualifier ("British") too.
        if re.search(r"\b(?:of|of the|von|van)$", tail) or " " not in tail:
            variants.add(f"{tail} {head}")
    return {v for v in variants if v}


@lru_cache(maxsize=1)
def _translations() -> dict[str, gettext.NullTranslations]:
    """pycountry's own German and Dutch country names (shipped in the package)."""
    return {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in ("de", "nl")}


def _pycountry_terms() -> list[_Term]:
    """Country names from pycountry in EN, DE and NL; names that fit several countries are dropped."""
    codes: dict[str, set[str]] = {}
    german: set[str] = set()
    for country in pycountry.countries:
        for english in _pycountry_names(country):
            for lang, name in (("en", english), *((k, t.gettext(english)) for k, t in _translations().items())):
                for variant in _name_variants(name):
                    folded = _fold_words(variant)
                    codes.setdefault(folded, set()).add(str(country.alpha_2))
                    if lang == "de" and name != english:
                        german.add(folded)
    return [
        term
        for name, found in codes.items()
        if len(found) == 1 and name not in _EXCLUDED_NAMES
        for term in _name_terms(name, next(iter(found)), german=name in german)
    ]


def _name_terms(name: str, code: str, *, german: bool) -> list[_Term]:
    """Terms for one folded name: German case forms, and the capitalised-only rule for everyday words."""
    if name in _CAPITALISED_ONLY:
        blockers = _AMERICA_BLOCKERS if name in ("america", "amerika") else _PART_OF_OTHER_PLACE
        return [_Term(name, code, capitalised=True, mid_sentence=name in _NOT_SENTENCE_START, not_after=blockers)]
    forms = _german_forms(name) if german else {name}
    return [_Term(form, code) for form in forms]


def _exonym_terms() -> list[_Term]:
    """The hand-written EN/NL/DE table."""
    terms: list[_Term] = []
    for code, names in _EXONYMS.items():
        for name in map(_fold_words, names):
            terms += _name_terms(name, code, german=name in _GERMAN_EXONYMS)
    return terms


# Azure region display names that name no country ("Germany West Central" already does).
_CLOUD_DISPLAY_NAMES = {"West Europe": "NL", "North Europe": "IE"}

# Nationality adjectives as a contract uses them for a place or a law ("Dutch law", "deutschem Recht",
# "Nederlandse rechter"). "e?" marks the optional Dutch -e; German stems in -sch take -e/-em/-en/-er/-es.
_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "NL": ("dutch", "nederlandse?", "niederlandisch"),
    "DE": ("german", "duitse?", "deutsch"),
    "IE": ("irish", "ierse?", "irisch"),
    "FR": ("french", "franse", "franzosisch"),  # not "Frans": also a Dutch first name
    "BE": ("belgian", "belgische?", "belgisch"),
    "LU": ("luxembourgish", "luxemburgse?", "luxemburgisch"),
    "AT": ("austrian", "oostenrijkse?", "osterreichisch"),
    "CH": ("swiss", "zwitserse?", "schweizerisch", "schweizer"),
    "SE": ("swedish", "zweedse?", "schwedisch"),
    "DK": ("danish", "deense?", "danisch"),
    "FI": ("finnish", "finnisch"),
    "NO": ("norwegian", "noorse?", "norwegisch"),
    "IS": ("icelandic", "ijslandse?", "islandisch"),
    "ES": ("spanish", "spaanse?", "spanisch"),
    "PT": ("portuguese", "portugees", "portugese", "portugiesisch"),
    "IT": ("italian", "italiaanse?", "italienisch"),
    "PL": ("polnisch",),
    "CZ": ("czech", "tsjechische?", "tschechisch"),
    "SK": ("slovak", "slowaakse?", "slowakisch"),
    "HU": ("hungarian", "hongaarse?", "ungarisch"),
    "RO": ("romanian", "roemeense?", "rumanisch"),
    "BG": ("bulgarian", "bulgaarse?", "bulgarisch"),
    "HR": ("croatian", "kroatische?", "kroatisch"),
    "SI": ("slovenian", "sloveense?", "slowenisch"),
    "EE": ("estonian", "estnisch"),
    "LV": ("latvian", "lettisch"),
    "LT": ("lithuanian", "litouwse?", "litauisch"),
    "GR": ("greek", "griekse?", "griechisch"),
    "CY": ("cypriot", "cypriotische?", "zyprisch"),
    "MT": ("maltese", "maltees", "maltesisch"),
    "GB": ("british", "britse?", "britisch"),
    "US": ("american", "amerikaanse?", "amerikanisch", "us-amerikanisch"),
    "CA": ("canadian", "canadees", "canadese", "kanadisch"),
    "AU": ("australian", "australische?", "australisch"),
    "IN": ("indian", "indiaas", "indiase", "indisch"),
    "JP": ("japanese", "japanse?", "japanisch"),
    "CN": ("chinese", "chinees", "chinesisch"),
    "BR": ("brazilian", "braziliaanse?", "brasilianisch"),
    "IL": ("israeli", "israelische?", "israelisch"),
    "SG": ("singaporean", "singaporees", "singaporese", "singapurisch"),
    "RS": ("serbian", "servische?", "serbisch"),
    "UA": ("ukrainian", "oekraiense?", "ukrainisch"),
    "TR": ("turkish", "turkse?", "turkisch"),
}

# Adjectives that are also ordinary words in another of our languages: only when capitalised.
_CAPITALISED_ADJECTIVES: dict[str, tuple[str, ...]] = {"PL": ("polish", "poolse?"), "FI": ("finse?",)}

# English / Scottish / Welsh law: a UK nation, so only jurisdiction() uses these.
_UK_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "GB-ENG": ("english", "engelse?", "englisch"),
    "GB-SCT": ("scottish", "schotse?", "schottisch"),
    "GB-WLS": ("welsh", "walisisch"),
}


def _adjective_forms(stem: str) -> tuple[str, ...]:
    """The forms of one table entry: "nederlandse?" → nederlands, nederlandse; "deutsch" → deutsch, deutsche, ..."""
    if stem.endswith("e?"):
        return (stem[:-2], stem[:-1])
    if stem.endswith("sch"):
        return tuple(stem + ending for ending in ("", "e", "em", "en", "er", "es"))
    return (stem,)


def _adjective_terms(table: Mapping[str, tuple[str, ...]], *, capitalised: bool = False) -> list[_Term]:
    """Terms for a table of nationality adjectives."""
    return [
        _Term(form, code, adjective=True, capitalised=capitalised)
        for code, stems in table.items()
        for stem in stems
        for form in _adjective_forms(stem)
    ]


@lru_cache(maxsize=1)
def _country_lexicon() -> _Lexicon:
    """Country and region names plus nationality adjectives (no UK nation adjectives)."""
    terms = _pycountry_terms() + _exonym_terms()
    terms += [_Term(_fold_words(name), code, capitalised=True) for name, code in _CLOUD_DISPLAY_NAMES.items()]
    terms += _adjective_terms(_ADJECTIVES) + _adjective_terms(_CAPITALISED_ADJECTIVES, capitalised=True)
    return _Lexicon(terms)


# ---------------------------------------------------------------------------------------------------------------
# Regions, cloud regions and abbreviations.
# ---------------------------------------------------------------------------------------------------------------

_REGION_WORDS = (
    r"(?:the |de |des |der |den )?(?:eu|eea|eer|ewr|european economic area|european union"
    r"|europese economische ruimte|europese unie|europaische[nmrs]? wirtschaftsraum(?:e?s)?|europaische[nmrs]? union)"
    r"(?: ?\( ?(?:eu|eea|eer|ewr) ?\))?"
)
_REGION_LIST = rf"{_REGION_WORDS}(?: ?(?:/|or|and|of|en|oder|und|bzw\.?) ?{_REGION_WORDS})?"
_REGION_PHRASES: tuple[tuple[str, str], ...] = (
    (rf"(?:outside|buiten|ausserhalb) (?:of )?{_REGION_LIST}", "NON_EEA"),
    (r"(?:non|niet|nicht) ?- ?(?:eu|eea|eer|ewr)(?:/(?:eu|eea|eer|ewr))?", "NON_EEA"),
    (
        r"third[ -]countr(?:y|ies)|derde landen|derde land|drittl(?:and|ander|andern|andes)|drittstaat(?:en|es|s)?",
        "NON_EEA",
    ),
    (
        r"world ?-? ?wide|anywhere in the world|globally|throughout the world|around the world|wereldwijde?"
        r"|overal (?:ter|in de) wereld|weltweit\w*|(?:auf|in) der ganzen welt",
        "GLOBAL",
    ),
)

# Cloud region identifiers as providers spell them. AWS: eu-west-1; Azure: westeurope; GCP: europe-west3.
# fmt: off
_CLOUD_REGIONS: dict[str, str] = {
    # AWS
    "eu-west-1": "IE", "eu-west-2": "GB", "eu-west-3": "FR", "eu-central-1": "DE", "eu-central-2": "CH",
    "eu-north-1": "SE", "eu-south-1": "IT", "eu-south-2": "ES", "ca-central-1": "CA", "ca-west-1": "CA",
    "sa-east-1": "BR", "ap-southeast-1": "SG", "ap-southeast-2": "AU", "ap-southeast-3": "ID",
    "ap-southeast-4": "AU", "ap-southeast-5": "MY", "ap-northeast-1": "JP", "ap-northeast-2": "KR",
    "ap-northeast-3": "JP", "ap-south-1": "IN", "ap-south-2": "IN", "ap-east-1": "HK", "me-south-1": "BH",
    "me-central-1": "AE", "af-south-1": "ZA", "il-central-1": "IL", "mx-central-1": "MX",
    # Azure
    "westeurope": "NL", "northeurope": "IE", "germanywestcentral": "DE", "germanynorth": "DE",
    "francecentral": "FR", "francesouth": "FR", "uksouth": "GB", "ukwest": "GB", "switzerlandnorth": "CH",
    "switzerlandwest": "CH", "norwayeast": "NO", "norwaywest": "NO", "swedencentral": "SE", "swedensouth": "SE",
    "polandcentral": "PL", "italynorth": "IT", "spaincentral": "ES", "austriaeast": "AT", "belgiumcentral": "BE",
    "eastus": "US", "eastus2": "US", "westus": "US", "westus2": "US", "westus3": "US", "centralus": "US",
    "northcentralus": "US", "southcentralus": "US", "westcentralus": "US", "canadacentral": "CA",
    "canadaeast": "CA", "australiaeast": "AU", "australiasoutheast": "AU", "australiacentral": "AU",
    "japaneast": "JP", "japanwest": "JP", "koreacentral": "KR", "koreasouth": "KR", "southeastasia": "SG",
    "eastasia": "HK", "centralindia": "IN", "southindia": "IN", "westindia": "IN", "brazilsouth": "BR",
    "uaenorth": "AE", "uaecentral": "AE", "southafricanorth": "ZA", "israelcentral": "IL", "qatarcentral": "QA",
    "mexicocentral": "MX",
    # Google Cloud
    "europe-west1": "BE", "europe-west2": "GB", "europe-west3": "DE", "europe-west4": "NL", "europe-west6": "CH",
    "europe-west8": "IT", "europe-west9": "FR", "europe-west10": "DE", "europe-west12": "IT",
    "europe-north1": "FI", "europe-north2": "SE", "europe-central2": "PL", "europe-southwest1": "ES",
    "northamerica-northeast1": "CA", "northamerica-northeast2": "CA", "southamerica-east1": "BR",
    "australia-southeast1": "AU", "australia-southeast2": "AU", "asia-northeast1": "JP", "asia-northeast2": "JP",
    "asia-northeast3": "KR", "asia-southeast1": "SG", "asia-south1": "IN", "asia-south2": "IN",
    "asia-east1": "TW", "asia-east2": "HK", "me-west1": "IL", "me-central1": "QA", "me-central2": "SA",
    "africa-south1": "ZA",
}
# fmt: on
# Any other US region (AWS us-east-1, us-gov-west-1; GCP us-central1) is in the United States.
_US_CLOUD_REGION = r"us-(?:gov-)?(?:east|west|central|south|north)\w*-?\d+[a-z]?"

# Upper-case abbreviations, matched case-sensitively on the source: "US" but never "us"; bare ISO codes
# such as IN, DE, NO or IT are deliberately absent because they are ordinary words in capitals.
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"(?<![\w.])U\. ?S\.(?: ?A\.?)?(?![\w])", "US"),
    (r"(?<![\w.])USA(?![\w])", "US"),
    (r"(?<![\w.])U\.?K\.?(?![\w])", "GB"),
    (r"(?<![\w.])E\.U\.(?![\w])|(?<![\w.])EU(?![\w])", "EU"),
    (r"(?<![\w.])(?:EEA|EER|EWR)(?![\w])", "EEA"),
    (r"(?<![\w.])UAE(?![\w])", "AE"),
)
# "US"/"VS" could be the pronoun in a sentence written in capitals ("CONTACT US"), so they need context.
_BARE_US = re.compile(r"(?<![\w.])(US|VS)(?![\w])")
_CURRENCY = re.compile(r" ?(?:\$|[Dd]ollars?\b)")
_CAPITALS_ALLOWED_BESIDE_US = frozenset({"EU", "EEA", "EER", "EWR", "UK", "GDPR", "DPF", "SCC", "SCCS", "CCPA"})


@lru_cache(maxsize=1)
def _region_regexes() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Region phrases and cloud region codes, compiled."""
    cloud = "|".join(re.escape(name) for name in sorted(_CLOUD_REGIONS, key=len, reverse=True))
    compiled = [(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w])"), code) for pattern, code in _REGION_PHRASES]
    compiled.append((re.compile(rf"(?<![\w-])(?P<cloud>{cloud})[a-z]?(?![\w-])"), "CLOUD"))
    compiled.append((re.compile(rf"(?<![\w-]){_US_CLOUD_REGION}(?![\w-])"), "US"))
    return tuple(compiled)


def _region_hits(folded: _Folded) -> list[_Hit]:
    """Region phrases ("outside the EEA", "worldwide") and cloud region codes."""
    claims = _Claims()
    for regex, code in _region_regexes():
        for match in regex.finditer(folded.text):
            found = _CLOUD_REGIONS[match.group("cloud")] if code == "CLOUD" else code
            if found == "NON_EEA" and _negated(folded.text, match.start()):
                # "shall not store data outside the EEA" keeps the data inside it.
                found = _region_inside(match.group(0))
            claims.add(_Hit(folded.start(match.start()), folded.end(match.end()), found))
    return claims.hits


_NEGATIONS = frozenset("not never no nor without niet nooit geen noch nicht kein keine keinen niemals".split())


def _negated(folded: str, start: int) -> bool:
    """Whether the clause that ends at start is negated ("No personal data is transferred" outside the EEA)."""
    clause = re.split(r"[.;:,()]", folded[max(0, start - 120) : start])[-1]
    return any(word in _NEGATIONS for word in re.findall(r"[a-z]+", clause)[-8:])


def _region_inside(phrase: str) -> str:
    """The region a negated "outside ..." phrase keeps data in: "EU" when only the Union is named, else "EEA"."""
    names_union = re.search(r"\beu\b|union|unie", phrase)
    names_eea = re.search(r"eea|eer|ewr|economic|economische|wirtschaftsraum|third|derde|dritt", phrase)
    return "EU" if names_union and not names_eea else "EEA"


def _words_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The word just before start and the word just after end (letters only, case kept)."""
    before = re.findall(r"[^\W\d_]+", text[max(0, start - 40) : start])
    after = re.findall(r"[^\W\d_]+", text[end : end + 40])
    return (before[-1] if before else "", after[0] if after else "")


def _is_country_us(text: str, start: int, end: int) -> bool:
    """Whether a bare "US"/"VS" at start names the country rather than being the pronoun in capitals."""
    before, after = _words_around(text, start, end)
    if text[start:end] == "VS":
        return before in ("de", "De", "DE", "EU")
    if before.lower() == "the":
        return True
    for word in (before, after):
        if len(word) >= 2 and word.isupper() and word not in _CAPITALS_ALLOWED_BESIDE_US:
            return False
    return True


def _abbreviation_hits(text: str) -> list[_Hit]:
    """Case-sensitive abbreviations (USA, U.S., UK, EU, EEA/EER/EWR) and a bare US in context."""
    hits = [_Hit(m.start(), m.end(), code) for pattern, code in _ABBREVIATIONS for m in re.finditer(pattern, text)]
    hits += [_Hit(m.start(), m.end(), "US") for m in _BARE_US.finditer(text) if _is_country_us(text, *m.span())]
    # "US$ 100", "U.S. dollars" name a currency, not a place.
    return [hit for hit in hits if not (hit.code == "US" and _CURRENCY.match(text, hit.end))]


# ---------------------------------------------------------------------------------------------------------------
# Telling a nationality adjective from a language name: "Dutch law" vs "the Dutch version", "in het Nederlands".
# ---------------------------------------------------------------------------------------------------------------

_LANGUAGE_NOUNS = frozenset(
    "language languages version versions translation translations translated text texts wording speaking "
    "taal talen taalversie versie versies vertaling vertalingen vertaald tekst opgesteld geschreven "
    "sprache sprachen sprachfassung fassung fassungen ubersetzung ubersetzt abgefasst verfasst massgeblich "
    "written drafted prevail prevails prevailing voorrang".split()
)
_LANGUAGE_PREPOSITIONS = frozenset("in into auf ins het from uit aus".split())
_CONJUNCTIONS = frozenset("and or en of und oder bzw".split())


def _words_after(folded: str, end: int, limit: int = 6) -> list[str]:
    """Up to limit words after end; punctuation other than a comma, slash or hyphen ends the run."""
    run = re.match(r"[a-z\s,/-]*", folded[end : end + 120])
    return re.findall(r"[a-z]+", run.group(0) if run else "")[:limit]


def _words_before(folded: str, start: int, limit: int = 6) -> list[str]:
    """Up to limit words before start, nearest first, with the same stopping rule."""
    run = re.search(r"[a-z\s,/-]*$", folded[max(0, start - 120) : start])
    return list(reversed(re.findall(r"[a-z]+", run.group(0) if run else "")))[:limit]


@lru_cache(maxsize=1)
def _any_adjective() -> re.Pattern[str]:
    """Matches any nationality adjective in full, to see past lists such as "German and French versions"."""
    tables = (_ADJECTIVES, _CAPITALISED_ADJECTIVES, _UK_ADJECTIVES)
    forms = {form for table in tables for stems in table.values() for stem in stems for form in _adjective_forms(stem)}
    return re.compile(_trie_pattern(forms))


def _past_list(words: list[str]) -> list[str]:
    """The words after a leading run of nationality adjectives and conjunctions."""
    index = 0
    while index < len(words) and (words[index] in _CONJUNCTIONS or _any_adjective().fullmatch(words[index])):
        index += 1
    return words[index:]


def _is_language_word(word: str) -> bool:
    """A word about language ("version", "Vertragssprache", "voertaal")."""
    return word in _LANGUAGE_NOUNS or word.endswith(("sprache", "taal"))


def _names_language(folded: str, start: int, end: int) -> bool:
    """Whether the adjective at folded[start:end] names a language rather than a country."""
    after = _past_list(_words_after(folded, end))
    if after:
        # "the Dutch version" is a language; "Dutch law", "deutschem Recht" are a country.
        return _is_language_word(after[0])
    # Used as a noun: "in German", "in het Nederlands", "Die Vertragssprache ist Deutsch".
    before = _past_list(_words_before(folded, start))
    return bool(before) and (before[0] in _LANGUAGE_PREPOSITIONS or any(map(_is_language_word, before)))


def _lexicon_hits(lexicon: _Lexicon, folded: _Folded) -> list[_Hit]:
    """Lexicon hits, less language uses of adjectives and names that only contain a place."""
    return [
        _Hit(folded.start(match.start()), folded.end(match.end()), term.code)
        for match, term in lexicon.matches(folded)
        if term.code != _NOT_A_PLACE
        and not (term.adjective and _names_language(folded.text, match.start(), match.end()))
    ]


def _claim(layers: Iterable[Iterable[_Hit]]) -> list[_Hit]:
    """Hits from several matchers; a later matcher never reuses text an earlier one matched."""
    claims = _Claims()
    for layer in layers:
        for hit in layer:
            claims.add(hit)
    return claims.hits


def _location_hits(text: str) -> list[_Hit]:
    """Every country and region mention in the text, most specific matcher first."""
    folded = _fold(text)
    return _claim((_region_hits(folded), _lexicon_hits(_country_lexicon(), folded), _abbreviation_hits(text)))


def countries_in(text: str) -> list[str]:
    """All countries and regions named in the text, as codes, in order of first mention, no duplicates."""
    codes = _first_mentions(_location_hits(text))
    named_outside_eea = any(code not in EEA_MEMBERS and code not in REGION_TOKENS for code in codes)
    if named_outside_eea:
        # "outside the EEA, namely the United States": the named country says more than the region token.
        codes = [code for code in codes if code != "NON_EEA"]
    return codes


# ---------------------------------------------------------------------------------------------------------------
# One location value.
# ---------------------------------------------------------------------------------------------------------------

_REGION_VALUES = {
    "EU": "EU",
    "EEA": "EEA",
    "EER": "EEA",
    "EWR": "EEA",
    "GLOBAL": "GLOBAL",
    "NON_EEA": "NON_EEA",
    "NON-EEA": "NON_EEA",
    "UK": "GB",
    "WORLDWIDE": "GLOBAL",
}
_ANYWHERE = re.compile(r"\b(?:anywhere|any location|any country|global|overal|uberall|ueberall)\b")


def _subdivisions(**query: str) -> list[Any]:
    """pycountry subdivision records for a query (its lookup is untyped and returns one record or a list)."""
    found = pycountry.subdivisions.get(**query)  # type: ignore[no-untyped-call]
    if found is None:
        return []
    return list(found) if isinstance(found, list | set | tuple) else [found]


def _code_value(value: str) -> str | None:
    """A value that already is a code: "IE", "IRL", "EU", "NON_EEA", "US-DE" (→ "US")."""
    if value.upper() in _REGION_VALUES and (value.isupper() or len(value) > 3):
        return _REGION_VALUES[value.upper()]
    if re.fullmatch(r"[A-Z]{2}", value):
        country = pycountry.countries.get(alpha_2=value)
    elif re.fullmatch(r"[A-Z]{3}", value):
        country = pycountry.countries.get(alpha_3=value)
    elif re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", value) and _subdivisions(code=value):
        return value[:2]
    else:
        return None
    return str(country.alpha_2) if country is not None else None


def to_country(value: str | None) -> str | None:
    """Normalise one location value ("Ierland", "Frankfurt, Germany", "IE", "EU", "anywhere") to one code, or None."""
    if value is None:
        return None
    value = value.strip().strip(".,;:")
    if not value:
        return None
    code = _code_value(value)
    if code is not None:
        return code
    found = countries_in(value)
    if found:
        return found[0]
    places = _first_mentions(_lexicon_hits(_place_lexicon(), _fold(value)))
    if places:
        return places[0][:2]
    return "GLOBAL" if _ANYWHERE.search(_fold_words(value)) else None


# ---------------------------------------------------------------------------------------------------------------
# Jurisdiction: ISO 3166-1, or ISO 3166-2 for a US state or UK nation.
# ---------------------------------------------------------------------------------------------------------------

_UK_NATIONS: dict[str, tuple[str, ...]] = {
    "GB-ENG": ("England and Wales", "England & Wales", "England", "Engeland", "Engeland en Wales", "England und Wales"),
    "GB-SCT": ("Scotland", "Schotland", "Schottland"),
    "GB-WLS": ("Wales",),
    "GB-NIR": ("Northern Ireland", "Noord-Ierland", "Nordirland"),
}

# Capitals and major cities, for a court named only by its seat ("the courts of Amsterdam").
_CITIES: dict[str, tuple[str, ...]] = {
    "NL": ("Amsterdam", "Rotterdam", "Den Haag", "The Hague", "'s-Gravenhage", "Utrecht", "Eindhoven", "Arnhem"),
    "DE": (
        "Berlin",
        "München",
        "Munich",
        "Frankfurt",
        "Frankfurt am Main",
        "Hamburg",
        "Köln",
        "Cologne",
        "Düsseldorf",
        "Stuttgart",
        "Leipzig",
    ),
    "IE": ("Dublin",),
    "FR": ("Paris", "Lyon"),
    "BE": ("Brussels", "Brussel", "Bruxelles", "Brüssel", "Antwerp", "Antwerpen"),
    "LU": ("Luxembourg", "Luxemburg"),
    "AT": ("Vienna", "Wien", "Wenen"),
    "CH": ("Zurich", "Zürich", "Geneva", "Genève", "Genf", "Bern"),
    "NO": ("Oslo",),
    "SE": ("Stockholm",),
    "DK": ("Copenhagen", "Kopenhagen", "København"),
    "FI": ("Helsinki",),
    "ES": ("Madrid", "Barcelona"),
    "PT": ("Lisbon", "Lisboa", "Lissabon"),
    "IT": ("Rome", "Roma", "Milan", "Milano", "Mailand"),
    "PL": ("Warsaw", "Warszawa", "Warschau"),
    "CZ": ("Prague", "Praha", "Prag"),
    "GB-ENG": ("London", "Londen", "Manchester"),
    "GB-SCT": ("Edinburgh", "Glasgow"),
    "GB-WLS": ("Cardiff",),
    "GB-NIR": ("Belfast",),
    "US-NY": ("New York City", "Manhattan"),
    "US-CA": ("San Francisco", "Santa Clara", "San Jose", "Los Angeles", "Palo Alto"),
    "US-WA": ("Seattle", "King County", "Washington State"),
    "US-DE": ("Wilmington",),
    "US-IL": ("Chicago",),
    "US-MA": ("Boston",),
    "US-DC": ("Washington, D.C.", "Washington D.C.", "Washington DC"),
}

# Names that contain a city but are no place: the Rome I / Rome II Regulations on the law applicable.
_NOT_A_PLACE = ""
_NOT_PLACES: dict[str, tuple[str, ...]] = {_NOT_A_PLACE: ("Rome I", "Rome II", "Rom I", "Rom II", "Rome Convention")}

# Court names that place a court in one country by themselves.
_COURTS: dict[str, tuple[str, ...]] = {
    "NL": ("Rechtbank", "Gerechtshof", "Hoge Raad", "kantonrechter", "voorzieningenrechter"),
    "DE": ("Landgericht", "Amtsgericht", "Oberlandesgericht", "Bundesgerichtshof"),
}


def _us_state_terms() -> list[_Term]:
    """US states and DC from pycountry ("Delaware", "State of Delaware", "Delaware law" all → "US-DE")."""
    terms: list[_Term] = []
    for state in _subdivisions(country_code="US"):
        if state.type not in ("State", "District"):
            continue
        name = _fold_words(str(state.name))
        code = str(state.code)
        # Georgia is also a country: only an explicit "State of Georgia" is the US state.
        if name != "georgia":
            terms.append(_Term(name, code))
        terms += [_Term(f"state of {name}", code), _Term(f"commonwealth of {name}", code)]
    return terms


def _table_terms(table: Mapping[str, tuple[str, ...]], *, german: bool = False) -> list[_Term]:
    """Terms from a code → names table."""
    return [
        term
        for code, names in table.items()
        for name in names
        for term in _name_terms(_fold_words(name), code, german=german)
    ]


@lru_cache(maxsize=1)
def _place_lexicon() -> _Lexicon:
    """US states, UK nations and major cities: places below or beside the country level."""
    return _Lexicon(_us_state_terms() + _table_terms(_UK_NATIONS) + _table_terms(_CITIES) + _table_terms(_NOT_PLACES))


@lru_cache(maxsize=1)
def _jurisdiction_lexicon() -> _Lexicon:
    """Places, court names and the UK nation adjectives ("English law")."""
    courts = _table_terms(_COURTS, german=True)
    uk = _adjective_terms(_UK_ADJECTIVES)
    places = _us_state_terms() + _table_terms(_UK_NATIONS) + _table_terms(_CITIES) + _table_terms(_NOT_PLACES)
    return _Lexicon(places + courts + uk)


def jurisdiction(text: str | None) -> str | None:
    """Governing-law or court jurisdiction as ISO 3166-1/3166-2: "laws of the State of Delaware" → "US-DE".

    The first place named decides the country; a US state or UK nation named anywhere in the text refines it.
    A clause that only points elsewhere ("the Member State of the data exporter") gives None.
    """
    if not text:
        return None
    folded = _fold(text)
    hits = _location_hits(text) + _lexicon_hits(_jurisdiction_lexicon(), folded)
    concrete = sorted((h for h in hits if h.code not in REGION_TOKENS), key=lambda h: (h.start, -h.end))
    if not concrete:
        return None
    first = concrete[0].code
    country = first[:2]
    # "the laws of the United States and the State of New York": the state is the jurisdiction.
    for hit in concrete:
        if hit.code.startswith(country + "-"):
            return hit.code
    return first


# ---------------------------------------------------------------------------------------------------------------
# Numbers and periods.
# ---------------------------------------------------------------------------------------------------------------

_EN_UNITS = tuple("one two three four five six seven eight nine".split())
_NL_UNITS = tuple("een twee drie vier vijf zes zeven acht negen".split())
_DE_UNITS = tuple("ein zwei drei vier funf sechs sieben acht neun".split())
_EN_TEENS = tuple("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())
_NL_TEENS = tuple("tien elf twaalf dertien veertien vijftien zestien zeventien achttien negentien".split())
_DE_TEENS = tuple("zehn elf zwolf dreizehn vierzehn funfzehn sechzehn siebzehn achtzehn neunzehn".split())
_EN_TENS = tuple("twenty thirty forty fifty sixty seventy eighty ninety".split())
_NL_TENS = tuple("twintig dertig veertig vijftig zestig zeventig tachtig negentig".split())
_DE_TENS = tuple("zwanzig dreissig vierzig funfzig sechzig siebzig achtzig neunzig".split())

# Indefinite articles read as 1 only before a unit ("a month", "een maand", "einen Monat"): elsewhere
# "een"/"ein" is far more often the article than the number.
_ARTICLES = {"a": 1, "an": 1, "een": 1, "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "eines": 1}


# How each language joins tens and units: "twenty-one", "eenentwintig", "einundzwanzig".
_NUMBER_SYSTEMS = (
    (_EN_UNITS, _EN_TEENS, _EN_TENS, ("{ten}-{unit}", "{ten} {unit}")),
    (_NL_UNITS, _NL_TEENS, _NL_TENS, ("{unit}en{ten}",)),
    (_DE_UNITS, _DE_TEENS, _DE_TENS, ("{unit}und{ten}",)),
)


@lru_cache(maxsize=1)
def _number_words() -> dict[str, int]:
    """Number words 0–100 in EN, NL and DE (folded), including compounds such as "eenentwintig"."""
    words = {"zero": 0, "nul": 0, "eins": 1}
    words.update(dict.fromkeys(("hundred", "one hundred", "a hundred", "honderd", "hundert", "einhundert"), 100))
    for units, teens, tens, compounds in _NUMBER_SYSTEMS:
        words.update({word: value for value, word in enumerate(units, start=1)})
        words.update({word: value for value, word in enumerate(teens, start=10)})
        for ten_value, ten in enumerate(tens, start=2):
            words[ten] = ten_value * 10
            for unit_value, unit in enumerate(units, start=1):
                words.update({form.format(ten=ten, unit=unit): ten_value * 10 + unit_value for form in compounds})
    # "ein" alone is the German article (see _ARTICLES); "een" is checked in number().
    del words["ein"]
    return words


_DIGITS = r"\d{1,3}(?:[.,]\d{3})+(?![\d])|\d+"


@lru_cache(maxsize=1)
def _number_regex() -> re.Pattern[str]:
    """A number as written in a contract: "thirty (30)", "(30)", "30 (thirty)", "30", "thirty"."""
    word = _trie_pattern(_number_words())
    return re.compile(
        rf"(?<![\w.,])(?:(?:(?P<word_before>{word}) ?)?\( ?(?P<paren>\d+) ?\)"
        rf"|(?P<digits>{_DIGITS})(?: ?\( ?(?:{word}) ?\))?"
        rf"|(?P<word>{word}))(?![\w])"
    )


def _digits_value(digits: str) -> int:
    """Digits with optional thousands separators as an int ("1.000" → 1000)."""
    return int(re.sub(r"[.,]", "", digits))


def _number_value(match: re.Match[str]) -> int:
    """The value of a _number_regex / _period_regex match; the digit in parentheses wins."""
    if match.group("paren"):
        return int(match.group("paren"))
    if match.group("digits"):
        return _digits_value(match.group("digits"))
    word = match.group("word")
    return _number_words().get(word, _ARTICLES.get(word, 0))


def number(text: str) -> int | None:
    """The first number written in digits or words (EN/NL/DE, 0–100 plus "hundred"/"honderd"/"hundert").

    A digit in parentheses wins: "thirty (30)" → 30.
    """
    folded = _fold(text)
    for match in _number_regex().finditer(folded.text):
        if match.group("word") == "een":
            source = folded.source[folded.start(match.start()) : folded.end(match.end())]
            if "é" not in source.lower():
                continue  # "een" without accents is the Dutch article
        return _number_value(match)
    return None


_UNIT_PATTERNS: dict[str, str] = {
    "hour": r"hours?|hrs?|uur|uren|stunden?|std\.?|h",
    "day": r"(?:business |working |calendar |bank )?days?|(?:werk|kalender)?dag(?:en)?"
    r"|(?:werk|arbeits|kalender|geschafts|bankarbeits)?tag(?:e|en|es)?",
    "week": r"weeks?|weken|wochen?",
    "month": r"(?:calendar )?months?|(?:kalender)?maand(?:en)?|(?:kalender)?monat(?:e|en|s|es)?",
    "year": r"(?:calendar )?years?|(?:kalender)?jaar|(?:kalender)?jaren|(?:kalender)?jahr(?:e|en|es)?",
}
_HOURS_PER_UNIT = {"hour": 1, "day": 24, "week": 7 * 24, "month": 30 * 24, "year": 365 * 24}
_QUALIFIERS = r"(?:(?:consecutive|full|clear|volle|aaneengesloten|aufeinanderfolgenden?|vollen?) )?"


@lru_cache(maxsize=1)
def _period_regex() -> re.Pattern[str]:
    """A number followed by a unit of time: "thirty (30) days", "4 Wochen", "een maand", "48-hour"."""
    word = _trie_pattern({**_number_words(), **_ARTICLES})
    units = "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _UNIT_PATTERNS.items())
    return re.compile(
        rf"(?<![\w.,])(?:(?:(?P<word_before>{word}) ?)?\( ?(?P<paren>\d+) ?\)"
        rf"|(?P<digits>{_DIGITS})(?: ?\( ?(?:{word}) ?\))?"
        rf"|(?P<word>{word}))[ -]?{_QUALIFIERS}(?:{units})(?![\w])"
    )


def _periods_in_hours(text: str) -> list[tuple[int, str]]:
    """Every period in the text as (hours, unit kind), in order."""
    folded = _fold(text)
    periods: list[tuple[int, str]] = []
    for match in _period_regex().finditer(folded.text):
        kind = next(k for k in _UNIT_PATTERNS if match.group(k))
        unit_start = folded.start(match.start(kind))
        if kind == "hour" and match.group(kind) == "h" and not match.group("digits"):
            continue  # "h" is an hour only straight after digits ("72h")
        if match.group(kind).startswith("tag") and not folded.source[unit_start].isupper():
            continue  # lower-case "tag" is the English word; the German day is always "Tag"
        periods.append((_number_value(match) * _HOURS_PER_UNIT[kind], kind))
    return periods


def days(text: str | None) -> int | None:
    """A period as days ("vier Wochen" → 28, "dertig (30) dagen" → 30, "one month" → 30); None if none is stated.

    Business days count as the number given; a period in hours is rounded up to whole days.
    """
    if not text:
        return None
    periods = _periods_in_hours(text)
    if not periods:
        return None
    total_hours, _kind = periods[0]
    return math.ceil(total_hours / 24)


def hours(text: str | None) -> int | None:
    """A deadline as hours ("72 hours" → 72, "48 Stunden" → 48, "2 days" → 48); None for "without undue delay"."""
    if not text:
        return None
    periods = _periods_in_hours(text)
    return periods[0][0] if periods else None


# ---------------------------------------------------------------------------------------------------------------
# Transfer mechanisms.
# ---------------------------------------------------------------------------------------------------------------

_MECHANISMS: tuple[tuple[str, str], ...] = (
    (
        "SCC",
        r"standard (?:contractual|data protection) clauses?|model (?:contract(?:ual)? )?clauses?"
        r"|standaard ?-?contract(?:uele)? ?(?:bepalingen|bepaling|clausules?)"
        r"|model ?-?contract ?(?:bepalingen|bepaling|clausules?)"
        r"|standard ?-?(?:vertrags|datenschutz|schutz)klauseln?|2021/914|2010/87",
    ),
    ("UK_ADDENDUM", r"uk ?-?(?:[a-z]+ ){0,3}addendum|international data transfer (?:addendum|agreement)"),
    (
        "DPF",
        r"data privacy framework|datenschutz ?-?rahmen\w*|kader voor gegevens(?:bescherming|privacy)"
        r"|gegevensbeschermingskader",
    ),
    (
        "BCR",
        r"binding corporate rules?|bindende bedrijfsvoorschriften"
        r"|verbindliche[n]? (?:interne[n]? |unternehmensinterne[n]? )?datenschutzvorschriften",
    ),
    (
        "ADEQUACY",
        r"adequacy (?:decisions?|findings?|regulations?)|adequaatheids?-? ?(?:besluit(?:en)?|beslissing)"
        r"|angemessenheits ?-?(?:beschluss\w*|entscheidung\w*)"
        r"|art(?:icle|ikel|\.)? ?45 (?:of the )?(?:gdpr|dsgvo|avg)",
    ),
)
_MECHANISM_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("SCC", r"(?<![\w])SCC(?:s|'s)?(?![\w])"),
    ("UK_ADDENDUM", r"(?<![\w])IDTA(?![\w])"),
    ("DPF", r"(?<![\w])DPF(?![\w])"),
    ("BCR", r"(?<![\w])BCR(?:s|'s)?(?![\w])"),
)
# "an adequate level of protection" is adequacy only when the Commission decided it; otherwise it is
# the importer's duty under the SCCs.
_ADEQUATE_LEVEL = re.compile(
    r"adequate level of (?:data )?protection|passend beschermingsniveau|angemessenes? (?:datenschutz|schutz)niveau\w*"
)
_COMMISSION = re.compile(r"commission|commissie|kommission")


def _adequate_level_hits(folded: _Folded) -> list[_Hit]:
    """Adequate-level wording that a Commission decision backs, within the same sentence."""
    hits: list[_Hit] = []
    for match in _ADEQUATE_LEVEL.finditer(folded.text):
        sentence_start = max(folded.text.rfind(". ", 0, match.start()), 0)
        sentence_end = folded.text.find(". ", match.end())
        sentence = folded.text[sentence_start : sentence_end if sentence_end != -1 else len(folded.text)]
        if _COMMISSION.search(sentence):
            hits.append(_Hit(folded.start(match.start()), folded.end(match.end()), "ADEQUACY"))
    return hits


def transfer_mechanisms(text: str) -> list[str]:
    """Tokens SCC, UK_ADDENDUM, DPF, BCR, ADEQUACY named in the text (EN/NL/DE), in order, no duplicates."""
    folded = _fold(text)
    hits = [
        _Hit(folded.start(m.start()), folded.end(m.end()), token)
        for token, pattern in _MECHANISMS
        for m in re.finditer(rf"(?<![\w])(?:{pattern})", folded.text)
    ]
    hits += [
        _Hit(m.start(), m.end(), token)
        for token, pattern in _MECHANISM_ABBREVIATIONS
        for m in re.finditer(pattern, text)
    ]
    return _first_mentions(hits + _adequate_level_hits(folded))


# ---------------------------------------------------------------------------------------------------------------
# Yes / no answers.
# ---------------------------------------------------------------------------------------------------------------

_UNKNOWN_ANSWERS = re.compile(
    r"^(?:not (?:stated|specified|mentioned|addressed|clear|known)|unknown|unclear|n/?a\b|none stated"
    r"|niet (?:vermeld|gespecificeerd|genoemd|bekend|duidelijk)|onbekend|onduidelijk"
    r"|nicht (?:angegeben|genannt|geregelt|bekannt)|unbekannt|unklar|keine angabe)"
)
_TRUE_WORDS = frozenset({"yes", "y", "true", "ja", "j", "wahr", "waar"})
_FALSE_WORDS = frozenset({"no", "n", "false", "nee", "nein", "onwaar", "falsch"})


def boolean_answer(text: str | None) -> bool | None:
    """Map a yes/no style answer ("yes", "true", "ja", "nee", "nein", "no", "not stated") to True/False/None."""
    if text is None:
        return None
    folded = _fold_words(text).strip()
    if not folded or _UNKNOWN_ANSWERS.match(folded):
        return None
    first = re.match(r"[a-z]+", folded)
    if first is None:
        return None
    if first.group(0) in _TRUE_WORDS:
        return True
    if first.group(0) in _FALSE_WORDS:
        return False
    return None
