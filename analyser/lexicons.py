"""What each field group looks for: query sentences for the embedder and EN/NL/DE lexicon terms for BM25.

A group is split into facets (security: transfers, encryption and keys, breach notification),
because one group's facts sit in different clauses and each clause must be found. The terms are
the ordinary vocabulary of DPAs, MSAs, subprocessor lists and security pages in English, Dutch and
German, not phrases copied from any one document. Term syntax (matched after lowercasing, accent
folding and light stemming, see `analyser.retrieval.tokenize`):

- `word`: that word and the inflections the stemmer folds into it;
- `two words`: the words next to each other (longer phrases: each adjacent pair);
- `stem*`: any word starting with `stem`, for compounds (`rechenzentr*`, `unterauftragsverarbeit*`);
- `*part*`: any word containing `part`, for compounds ending in the key word (`*sleutel*`).

`core` terms signal the topic on their own: a document without any of a group's core terms (and
without a chunk close in meaning) has nothing for that group. `context` terms only help to rank
chunks that mention the topic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Facet:
    """One kind of clause a field group needs, with its own queries and terms."""

    name: str
    queries: tuple[str, ...]
    core: tuple[str, ...]
    context: tuple[str, ...] = ()
    # A table or list: its rows continue in the chunks after the best one, often without the key words.
    contiguous: bool = False


@dataclass(frozen=True, slots=True)
class FieldLexicon:
    """The facets of one field group plus context terms they share."""

    group: str
    facets: tuple[Facet, ...]
    context: tuple[str, ...] = ()
    # Party definitions, cover pages and "key terms" tables open a contract.
    opening_chunk: bool = False

    @property
    def queries(self) -> tuple[str, ...]:
        """All query sentences of the group."""
        return tuple(query for facet in self.facets for query in facet.queries)

    @property
    def core(self) -> tuple[str, ...]:
        """All core terms of the group."""
        return tuple(term for facet in self.facets for term in facet.core)


# fmt: off
# The tables below are kept compact by hand: one term per line would make them unreadable.

# Countries and regions in English, Dutch and German, as context for where data sits. Context only:
# addresses in party definitions name countries too.
PLACES = (
    "european union", "europe", "eea", "european economic area", "united states", "usa", "u.s", "united kingdom",
    "uk", "germany", "netherlands", "ireland", "france", "belgium", "luxembourg", "austria", "switzerland",
    "italy", "spain", "portugal", "poland", "czech republic", "sweden", "norway", "denmark", "finland",
    "bulgaria", "romania", "hungary", "greece", "estonia", "canada", "india", "japan", "china", "singapore",
    "australia", "brazil", "israel", "philippines", "ukraine", "south africa",
    "europese unie", "eer", "europese economische ruimte", "verenigde staten", "verenigd koninkrijk", "duitsland",
    "nederland", "ierland", "frankrijk", "belgie", "zwitserland", "oostenrijk", "zweden", "noorwegen", "polen",
    "tsjechie", "spanje", "italie",
    "europaische union", "ewr", "europaischer wirtschaftsraum", "vereinigte staaten", "vereinigtes konigreich",
    "deutschland", "bundesrepublik", "niederlande", "irland", "frankreich", "belgien", "osterreich", "schweiz",
    "schweden", "norwegen", "tschech*", "spanien", "italien", "indien",
)
_LEGAL_FORMS = (
    "inc", "ltd", "limited", "llc", "llp", "plc", "gmbh", "b.v", "bv", "n.v", "nv", "ag", "s.a", "sas", "sarl", "s.r.l",
    "srl", "s.r.o", "corporation", "corp", "eood", "aps", "kg", "se", "ug",
)
_SUBPROCESSOR_WORDS = (
    "subprocessor", "subprocessors", "sub-processor", "sub-processors", "sub processor", "subcontractor*",
    "sub-contractor*", "subverwerker*", "sub-verwerker*", "onderaannemer*", "unterauftragsverarbeit*",
    "unterauftragnehmer*", "unterauftragsverh*", "subunternehmer*",
)
_TERMINATION = (
    "termination", "terminate", "terminated", "expiry", "expiration", "expires", "end of the agreement",
    "beeindiging", "einde", "opzegging", "afloop", "beendigung", "vertragsende", "kundigung", "ende",
)

LEXICONS: dict[str, FieldLexicon] = {
    "parties": FieldLexicon(
        group="parties",
        opening_chunk=True,
        facets=(
            Facet(
                name="entity",
                queries=(
                    "This agreement is entered into between the customer and the provider, a company incorporated "
                    "under the laws of its country.",
                    "Deze overeenkomst wordt gesloten tussen partijen: verwerker en verwerkingsverantwoordelijke.",
                    "Dieser Vertrag wird geschlossen zwischen dem Verantwortlichen und dem Auftragsverarbeiter.",
                ),
                core=(
                    "by and between", "between", "parties", "the provider", "the supplier", "the processor",
                    "data importer", "tussen", "partijen", "zwischen", "vertragsparteien", "parteien",
                ),
                context=(
                    *_LEGAL_FORMS,
                    "provider", "processor", "supplier", "vendor", "contractor", "service provider",
                    "hereinafter", "referred to", "operated by", "provided by", "verwerker", "leverancier",
                    "opdrachtnemer", "dienstverlener", "hierna", "auftragsverarbeiter", "auftragnehmer", "anbieter",
                    "dienstleister", "nachfolgend",
                ),
            ),
            Facet(
                name="seat",
                queries=(
                    "The provider has its registered office and principal place of business at the following "
                    "address.",
                    "Verwerker is statutair gevestigd te en ingeschreven bij de Kamer van Koophandel.",
                    "Der Auftragsverarbeiter mit Sitz in ist eingetragen im Handelsregister des Amtsgerichts.",
                ),
                core=(
                    "registered office", "principal place of business", "incorporated", "company number",
                    "registration number", "having its seat", "headquartered", "registered address", "address",
                    "street", "statutair gevestigd", "gevestigd te", "kantoorhoudende", "handelsregister",
                    "kamer van koophandel", "kvk", "mit sitz", "sitz in", "eingetragen", "amtsgericht", "hrb",
                    "vertreten durch",
                ),
                context=("contact", "suite", "floor", "strasse", "straat", "weg", *PLACES),
            ),
        ),
    ),
    "locations": FieldLexicon(
        group="locations",
        context=(*PLACES, "country", "countries", "city", "land", "landen", "lander"),
        facets=(
            Facet(
                name="storage",
                queries=(
                    "Customer data is stored and hosted in data centres located in the following country or region.",
                    "The provider processes all customer personal data in the following countries.",
                    "Persoonsgegevens worden uitsluitend opgeslagen in datacenters in Nederland.",
                    "Die Daten werden ausschließlich in Rechenzentren in Deutschland gespeichert.",
                ),
                core=(
                    "stored", "store", "storage", "hosted", "hosting", "data centre", "data center", "datacenter*",
                    "datacentr*", "region", "regions", "located in", "location", "locations", "processed in",
                    "data residency", "cloud", "aws", "amazon web services", "azure", "google cloud",
                    "opgeslagen", "opslag", "slaat", "gehost", "rekencentr*", "locatie", "vestigingsland",
                    "gespeichert", "speicher*", "gehostet", "rechenzentr*", "standort*", "ort der verarbeitung",
                ),
                context=("infrastructure", "server", "servers", "exclusively", "uitsluitend", "ausschliesslich"),
            ),
            Facet(
                name="backup",
                queries=(
                    "Backups and disaster recovery copies are replicated to a secondary site in another region.",
                    "Back-ups worden bewaard op een uitwijklocatie.",
                    "Sicherungskopien werden in einem Backup-Rechenzentrum gespeichert.",
                ),
                core=(
                    "backup", "backups", "back-up", "back-ups", "disaster recovery", "disaster-recovery", "replicated",
                    "replication", "secondary site", "failover", "redundant", "uitwijk*", "*backup*",
                    "sicherung*", "sicherungskopie*", "ausweich*", "georedundant",
                ),
                context=("copy", "copies", "kopie", "kopieen", "site", "encrypted"),
            ),
            Facet(
                name="remote",
                queries=(
                    "Support staff and engineers may access customer data remotely from other countries.",
                    "Technische ondersteuning kan op afstand worden verleend door medewerkers in een ander land.",
                    "Der Support erfolgt per Fernzugriff aus einem anderen Land.",
                ),
                core=(
                    "remote access", "remotely", "access from", "follow the sun", "follow-the-sun", "support staff",
                    "support team", "operations staff", "engineering staff", "op afstand",
                    "toegang vanuit", "servicedesk", "fernzugriff*", "fernwartung", "zugriff aus",
                ),
                context=(
                    "access", "support", "personnel", "staff", "from", "outside", "third country", "toegang",
                    "ondersteuning", "medewerkers", "vanuit", "buiten", "zugriff", "aus", "drittland",
                ),
            ),
            Facet(
                name="vendors",
                contiguous=True,
                queries=("The subprocessors and their locations: name, country, purpose such as hosting provider.",),
                core=_SUBPROCESSOR_WORDS,
                context=("hosting provider", "cloud", "infrastructure", "located", "colocation"),
            ),
        ),
    ),
    "law": FieldLexicon(
        group="law",
        facets=(
            Facet(
                name="governing_law",
                queries=(
                    "This agreement shall be governed by and construed in accordance with the laws of the country.",
                    "Op deze overeenkomst is Nederlands recht van toepassing.",
                    "Dieser Vertrag unterliegt deutschem Recht.",
                ),
                core=(
                    "governed by", "governing law", "governing state", "laws of", "law of", "applicable law",
                    "choice of law", "construed", "toepasselijk recht", "recht van toepassing", "nederlands recht",
                    "beheerst", "anwendbares recht", "recht der", "deutschem recht", "deutsches recht",
                    "unterliegt", "rechtswahl", "es gilt",
                ),
                context=("state", "conflict of laws", "recht", "schlussbestimmungen", "slotbepalingen"),
            ),
            Facet(
                name="courts",
                queries=(
                    "The courts of the city shall have exclusive jurisdiction over any dispute arising out of this "
                    "agreement.",
                    "Geschillen worden voorgelegd aan de bevoegde rechter van de rechtbank.",
                    "Ausschließlicher Gerichtsstand für alle Streitigkeiten ist der Sitz des Anbieters.",
                ),
                core=(
                    "jurisdiction", "courts", "court", "venue", "arbitration", "disputes", "rechtbank",
                    "bevoegde rechter", "geschillen", "forumkeuze", "arbitrage", "gerichtsstand", "gericht",
                    "gerichte", "schiedsgericht", "streitigkeiten",
                ),
                context=("exclusive", "submit", "rechter", "geschil", "zustandig", "ausschliesslich"),
            ),
        ),
    ),
    "subprocessors": FieldLexicon(
        group="subprocessors",
        context=_SUBPROCESSOR_WORDS,
        facets=(
            Facet(
                name="list",
                contiguous=True,
                queries=(
                    "The provider engages the following subprocessors: name, country and purpose of processing.",
                    "Bijlage: lijst van subverwerkers met naam, vestigingsland en activiteit.",
                    "Anlage: Liste der Unterauftragsverarbeiter mit Sitz, Leistung und Ort der Verarbeitung.",
                ),
                # Rows of a subprocessor table name companies, so legal forms mark them as well.
                core=(*_SUBPROCESSOR_WORDS, "third parties", "vendors", "service providers", *_LEGAL_FORMS),
                context=(
                    "purpose", "entity", "list", "following", "provider", "services", "payment", "email",
                    "analytics", "support", "hosting", "infrastructure", "monitoring", "naam", "activiteit", "lijst",
                    "leistung", "liste", *PLACES,
                ),
            ),
            Facet(
                name="changes",
                queries=(
                    "The provider will notify the customer at least thirty days in advance before engaging a new "
                    "subprocessor, and the customer may object.",
                    "Verwerker informeert dertig dagen voordat een nieuwe subverwerker wordt ingeschakeld; "
                    "bezwaar maken is mogelijk.",
                    "Der Auftragsverarbeiter informiert vier Wochen vor der Hinzuziehung eines neuen "
                    "Unterauftragsverarbeiters; der Verantwortliche kann widersprechen.",
                ),
                core=(
                    "new subprocessor", "object", "objection", "objections", "prior notice", "advance notice",
                    "in advance", "bezwaar", "widerspr*", "widerspruch", "einspruch", "hinzuziehung", "ersetzung",
                ),
                context=(
                    "notice", "notify", "inform", "days", "weeks", "business days", "engage", "engagement",
                    "engaging", "replace", "replacement", "addition", "changes", "inschakelen", "ingeschakeld",
                    "vervangen", "informeert", "dagen", "weken", "wochen", "tage", "informiert", "genehmig*",
                ),
            ),
        ),
    ),
    "security": FieldLexicon(
        group="security",
        facets=(
            Facet(
                name="transfers",
                queries=(
                    "Transfers of personal data outside the EEA are made under the standard contractual clauses, "
                    "the EU-U.S. Data Privacy Framework, the UK addendum, binding corporate rules or an adequacy "
                    "decision.",
                    "Voor doorgifte buiten de EER zijn standaardcontractbepalingen overeengekomen.",
                    "Für Übermittlungen in Drittländer gelten die Standardvertragsklauseln der EU-Kommission.",
                ),
                core=(
                    "standard contractual clauses", "scc", "sccs", "eea sccs", "data privacy framework", "dpf",
                    "privacy shield", "uk addendum", "international data transfer addendum", "idta",
                    "binding corporate rules", "bcr", "bcrs", "adequacy", "adequacy decision", "transfer mechanism",
                    "standaardcontractbepalingen", "modelcontract*", "standaardcontract*", "adequaatheid*",
                    "doorgifte", "standardvertragsklauseln", "standarddatenschutzklauseln", "angemessenheit*",
                    "drittland", "drittlander",
                ),
                context=(
                    "transfer", "transfers", "third country", "third countries", "module", "annex", "signed",
                    "outside", "buiten", "ubermittlung", "schutzniveau",
                ),
            ),
            Facet(
                name="encryption",
                queries=(
                    "All customer data is encrypted at rest with AES-256 and the encryption keys are managed by "
                    "the customer in its own hardware security module or a key management service.",
                    "Persoonsgegevens worden in rust versleuteld; de encryptiesleutels worden beheerd door verwerker.",
                    "Daten werden im Ruhezustand verschlüsselt; die Schlüssel werden im HSM verwaltet.",
                ),
                core=(
                    "encrypt*", "at rest", "aes", "aes-256", "key management", "kms", "hsm", "hsms",
                    "hardware security module*", "byok", "hyok", "bring your own key", "customer managed keys",
                    "customer-managed keys", "key vault", "encryption keys", "kek", "keks", "versleutel*",
                    "encryptie*", "*sleutel*", "in rust", "verschlussel*", "*schlussel*", "ruhezustand",
                    "*sicherheitsmodul*",
                ),
                context=("keys", "key", "in transit", "tls", "managed", "controlled", "generated", "beheerd",
                         "verwaltet"),
            ),
            Facet(
                name="breach",
                queries=(
                    "The provider shall notify the customer of a personal data breach without undue delay and in "
                    "any event within 48 hours after becoming aware of it.",
                    "Verwerker meldt een datalek zonder onredelijke vertraging en binnen 24 uur na ontdekking.",
                    "Verletzungen des Schutzes personenbezogener Daten werden innerhalb von 48 Stunden gemeldet.",
                ),
                core=(
                    "breach", "breaches", "security incident", "personal data breach", "incident response",
                    "hours", "without undue delay", "datalek*", "inbreuk", "*incident*", "verletzung*",
                    "datenpanne*", "stunden", "uur", "sicherheitsvorfall*",
                ),
                context=(
                    "notify", "notification", "becoming aware", "aware", "incident", "melding", "meldt",
                    "onverwijld", "ontdekking", "meldung", "melden", "meldet", "unverzuglich", "bekanntwerden",
                ),
            ),
        ),
    ),
    "exit": FieldLexicon(
        group="exit",
        context=_TERMINATION,
        facets=(
            Facet(
                name="return",
                queries=(
                    "Upon termination the provider shall return all customer data or make it available for export "
                    "in a machine-readable format such as CSV or JSON.",
                    "Bij beëindiging stelt verwerker alle persoonsgegevens ter beschikking in een gangbaar formaat.",
                    "Nach Beendigung gibt der Auftragsverarbeiter die Daten in einem maschinenlesbaren Format zurück.",
                ),
                core=(
                    "return", "export", "retrieve", "retrieval", "machine-readable", "csv", "json", "portability",
                    "data export", "teruggave", "retourneren", "ter beschikking", "exporteren", "formaat",
                    "ruckgabe", "zuruckzugeben", "zuruckgeben", "herausgabe", "maschinenlesbar*",
                ),
                context=("format", "copy", "download", "api", "available", "dump", "files", "gangbaar", "gangig*"),
            ),
            Facet(
                name="deletion",
                queries=(
                    "The provider shall delete all personal data, including backups, within thirty days after "
                    "termination.",
                    "Uiterlijk zestig dagen na beëindiging vernietigt verwerker alle persoonsgegevens.",
                    "Die Löschung erfolgt spätestens dreißig Tage nach Vertragsende.",
                ),
                core=(
                    "delete", "deletion", "deleted", "destroy", "destruction", "erase", "erasure", "deidentify",
                    "purge", "verwijder*", "vernietig*", "wissen", "loschung", "loschen", "losch*", "vernicht*",
                ),
                context=("days", "within", "after termination", "retention", "copies", "backups", "dagen",
                         "bewaartermijn", "tage", "spatestens", "aufbewahrung*"),
            ),
            Facet(
                name="assistance",
                queries=(
                    "The provider shall provide reasonable exit and termination assistance for the migration to "
                    "another provider.",
                    "Verwerker verleent exit-ondersteuning bij de migratie naar een andere leverancier.",
                    "Der Auftragsverarbeiter unterstützt die Migration zu einem anderen Anbieter.",
                ),
                core=(
                    "termination assistance", "exit assistance", "exit", "transition", "transition assistance",
                    "migration", "migrate", "exit-ondersteuning", "migratie", "exitplan", "exit plan",
                    "exitregeling", "ubergang",
                ),
                context=("assistance", "reasonable", "ondersteuning", "medewerking", "unterstutz*", "anbieter"),
            ),
        ),
    ),
}
# fmt: on
