"""Classifying a message as an account issue with rules in six languages.

Text is folded before matching (NFKD, accents removed, case-folded), so one
pattern covers "Änderung"/"anderung" or "ανανέωση"/"ανανεωση". Rules are
checked in order of precedence: a complaint about a late payment is a
complaint (it carries a regulatory deadline), then payment delays, account
changes and renewals.
"""

from __future__ import annotations

import re
import unicodedata

_RULES: dict[str, dict[str, list[str]]] = {
    "complaint": {
        "en": [r"\bcomplain(t|ts|ing|ed)?\b", r"\bdissatisfied\b", r"\bunacceptable\b",
               r"\bombudsman\b", r"\bappalled\b", r"\bdisgrace"],
        "de": [r"\bbeschwer(de|den|en|e)\b", r"\bunzufrieden", r"\binakzeptabel",
               r"\bunverschamt", r"\breklamation\b"],
        "el": [r"\bπαραπον", r"\bκαταγγελ", r"\bδυσαρεστ", r"\bαπαραδεκτ"],
        "cs": [r"\bstiznost", r"\bstezuj", r"\bstezov", r"\bnespokojen",
               r"\bneprijateln"],
        "sv": [r"\bklagomal", r"\bklaga\b", r"\bklagar\b", r"\bmissnojd", r"\boacceptabel"],
        "id": [r"\bkeluhan\b", r"\bkomplain", r"\bmengeluh", r"\bkecewa\b", r"\bpengaduan\b"],
    },
    "payment_delay": {
        "en": [r"\bpayment\b.{0,40}\b(delay|delayed|late|overdue|not (yet )?(been )?(received|arrived|made))",
               r"\b(late|delayed|overdue|missing|outstanding) (payment|payout|reimbursement)",
               r"\b(not|never) (yet )?(been )?(paid out|received (the |my |any )?(payment|money|payout|reimbursement))",
               r"\b(have|has) not (yet )?been paid\b",
               r"\bwhere is my (payment|money|payout|reimbursement)",
               r"\bstill waiting for (the |my )?(payment|money|payout|reimbursement)"],
        "de": [r"\bzahlungsverzug", r"\bzahlung\b.{0,40}(verspatet|ausstehend|nicht eingegangen|fehlt)",
               r"\bnoch (keine|kein) (zahlung|geld|erstattung|auszahlung|uberweisung) (erhalten|bekommen|eingegangen|angekommen)",
               r"\bnoch nicht (bezahlt|uberwiesen|erstattet|ausgezahlt|ausbezahlt)",
               r"\bwo bleibt (meine|die|mein) (zahlung|geld|erstattung|auszahlung)",
               r"\b(verspatete|ausstehende) (zahlung|auszahlung|erstattung)"],
        "el": [r"\bκαθυστερηση (της )?(πληρωμ|αποζημιωσ|καταβολ)",
               r"\bδεν (εχω )?(λαβει|παραλαβει|πληρωθει|εισπραξει).{0,40}(πληρωμ|αποζημιωσ|χρημα|ποσο)",
               r"\bπου ειναι (η|τα) (πληρωμ|αποζημιωσ|χρημα)"],
        "cs": [r"\bzpozdeni (platby|vyplaty|plneni|uhrady)", r"\bplatba.{0,20}(nedorazila|neprisla|chybi)",
               r"\bnebyl[oa]? (mi )?(vyplacen|uhrazen|zaplacen)",
               r"\b(neobdrzel|nedostal).{0,40}(platb|penize|vyplat|plneni|uhrad)"],
        "sv": [r"\bforsenad (betalning|utbetalning|ersattning)",
               r"\b(betalningen|utbetalningen|ersattningen).{0,30}inte (kommit|inkommit|betalats)",
               r"\binte (fatt|erhallit).{0,30}(betalning|ersattning|utbetalning|pengar)",
               r"\bvantar (fortfarande )?pa (min |mina )?(betalning|ersattning|utbetalning|pengar)"],
        "id": [r"\bketerlambatan (pembayaran|pencairan)", r"\bpembayaran.{0,20}(belum|terlambat|tertunda)",
               r"\bbelum (menerima|terima) (pembayaran|dana|uang|transfer|ganti rugi|penggantian)",
               r"\bbelum (dibayar|dibayarkan|cair|ditransfer)",
               r"\bdana.{0,20}belum (cair|masuk|diterima)"],
    },
    "account_change": {
        "en": [r"\b(change|update)(d|s)? (of |to )?(my |our |the )?(postal |home |email |e-mail )?(address|bank (details|account)|account details|contact details|email|e-mail|phone number|iban|payment details)",
               r"\b(change|update|correct)(d|s)? (of |to )?(my|our) (name|surname)",
               r"\bnew (postal |home )?(address|bank account|iban|phone number|email address)",
               r"\b(i|we) (have )?moved (house|home|to a new address|to \d)",
               r"\bmy (new )?(address|bank details|iban) (has|have) changed"],
        "de": [r"\badressanderung", r"\banderung (meiner |der |meines |des )?(adresse|anschrift|bankverbindung|kontodaten|iban|namens|telefonnummer)",
               r"\bneue[nr]? (adresse|anschrift|bankverbindung|iban|telefonnummer|e-mail)",
               r"\b(adresse|anschrift|bankverbindung|iban) (hat sich )?(geandert|andern)",
               r"\bumgezogen\b"],
        "el": [r"\bαλλαγη (της )?(διευθυνσ|στοιχει|τραπεζικ|λογαριασμ|τηλεφων|ονοματ|iban)",
               r"\bνεα (μου )?(διευθυνσ|τηλεφων)", r"\bαλλαγη (του )?iban", r"\bνεος (τραπεζικος )?λογαριασμ", r"\bμετακομισ"],
        "cs": [r"\bzmen[ayue] (moji |me |meho )?(adresy|adresa|udaju|bankovniho|uctu|cisla uctu|jmena|telefon|e-mail)",
               r"\bnov[aeé]m? (adres[ae]|cislo uctu|bankovni ucet|telefonni cislo)", r"\bprestehoval"],
        "sv": [r"\badressandring", r"\bandra(d|de|t)? (min |mitt |mina )?(adress|kontonummer|bankuppgifter|uppgifter|namn|telefonnummer|e-post)",
               r"\bny (adress|e-postadress)", r"\bnya? (kontonummer|telefonnummer|bankkonto)",
               r"\bnytt (kontonummer|telefonnummer|bankkonto)",
               r"\b(jag|vi) har flyttat\b"],
        "id": [r"\b(perubahan|ganti|ubah|mengubah|mengganti) (data |nomor )?(alamat|rekening|data|nama|nomor telepon|email|no\.? hp)",
               r"\b(alamat|rekening|nomor telepon) baru\b", r"\bpindah (rumah|alamat)"],
    },
    "renewal": {
        "en": [r"\brenew(al|ed|ing|s)? (of )?(my |the |our |this )?(policy|insurance|cover|contract|premium)",
               r"\brenewal (notice|quote|date|premium|offer|invitation)",
               r"\b(the|my|our|your) renewal\b", r"\brenew (it|this)\b",
               r"\b(insurance|policy|cover|contract) (will )?(auto-?)?renews?\b", r"\brenews? automatically\b",
               r"\bpolicy( [a-z]+-[\d-]+)? (expires|expiry|expiring|is expiring|ends)",
               r"\b(extend|extension of) (my |the )?(policy|cover|contract)"],
        "de": [r"\bverlanger(n|ung|t)", r"\berneuer(n|ung|t)", r"\b(vertrag|police|versicherung).{0,30}lauft.{0,10}ab",
               r"\bablauf (meiner|der|des) (police|versicherung|vertrag)",
               r"\b(police|versicherung|vertrag) endet\b"],
        "el": [r"\bανανεω", r"\bληξη (του |της )?(συμβολαι|ασφαλιστηρι|ασφαλισ)"],
        "cs": [r"\bobnov(a|y|eni|enim|it|u|ou)\b", r"\bprodlouzeni (smlouvy|pojisteni|pojistky)",
               r"\b(konec|vyprseni) (platnosti )?(smlouvy|pojisteni|pojistky)"],
        "sv": [r"\bfornya", r"\bfornyelse", r"\bforlang(a|ning) (min |mitt |den |det )?(forsakring|avtal)?",
               r"\b(forsakringen|avtalet) (gar ut|loper ut)"],
        "id": [r"perpanjang", r"\bpembaruan (polis|asuransi)", r"\bpolis.{0,20}(habis|berakhir|jatuh tempo)"],
    },
}

_GROUP_RE = re.compile(r"^\((?:\?:)?([^()\[\]{}.*+?\\^$]+)\)")


def _leading_literals(pattern: str) -> tuple[str, ...]:
    """Plain texts one of which a match must start with (after ``\\b``):
    ``("beschwer",)`` for ``\\bbeschwer(de|en)``, the alternatives of a
    leading ``(late|delayed)`` group; empty when nothing plain leads."""
    body = pattern.removeprefix(r"\b")
    group = _GROUP_RE.match(body)
    if group:
        following = body[group.end():group.end() + 1]
        if following not in {"?", "*", "{"}:
            return tuple(alt for alt in group.group(1).split("|") if alt)
        return ()
    literal = []
    for ch in body:
        if ch in ".^$*+?{}[]()|\\":
            break
        literal.append(ch)
    # A quantifier after the last letter makes that letter optional.
    if literal and body[len(literal):len(literal) + 1] in {"?", "*", "{"}:
        literal.pop()
    return ("".join(literal),) if literal else ()


# Each rule with the literals its matches start with: where they occur is
# where the regular expression needs to run, and nowhere else. (A pattern
# leading with optional words is written without them: whether a text
# matches does not change.) Patterns are written naturally; casefold turns a
# final sigma into σ, so the patterns get the same treatment as the text.
_WORD = re.compile(r"\w+")


def _head(literal: str, at_word: bool) -> str:
    """The word characters a literal after "\\b" starts with ("not" of
    "not (yet )"); "" when it may start inside a word."""
    found = _WORD.match(literal) if at_word else None
    return found.group(0) if found else ""


# (kind, language, ((leading literal, its head), ...), pattern)
_COMPILED: list[tuple[str, str, tuple[tuple[str, str], ...], re.Pattern[str]]] = [
    (kind, lang,
     tuple((lit, _head(lit, p.startswith(r"\b"))) for lit in _leading_literals(p.replace("ς", "σ"))),
     re.compile(p.replace("ς", "σ")))
    for kind, by_lang in _RULES.items()
    for lang, patterns in by_lang.items()
    for p in patterns
]
# A literal after "\b" starts a word of the text; so the text's words,
# looked up by their first two letters, tell which heads occur at all (one
# pass over the words instead of a search per literal).
_HEADS: dict[str, set[str]] = {}
for _rule in _COMPILED:
    for _literal, _head_of in _rule[2]:
        if _head_of:
            _HEADS.setdefault(_head_of[:2], set()).add(_head_of)
ACCOUNT_ISSUE_PRECEDENCE = tuple(_RULES)
MAX_CHARS = 1500
_COMBINING = re.compile(r"[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Accents removed, case folded and every run of white space one space:
    'Änderung' → 'anderung', 'Ανανέωση' → 'ανανεωση'."""
    stripped = text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _one_space(stripped.casefold())


def _one_space(text: str) -> str:
    r"""``re.sub(r"\s+", " ", text)``, by str.split (the same white space, a
    quarter of the cost: 15 µs for a mail)."""
    collapsed = " ".join(text.split())
    if not collapsed:
        return " " if text else ""
    if text[0].isspace():
        collapsed = " " + collapsed
    if text[-1].isspace():
        collapsed += " "
    return collapsed


def classify_account_issue(subject: str, text: str) -> tuple[str, str] | None:
    """``(kind, language of the rule that fired)`` or None.

    All six languages' rules are tried whatever language was detected: mail
    often mixes a German subject with an English body, and a misdetected short
    SMS must still be classified. Only the start of a long text is read: what
    a message is about is said early.
    """
    folded = fold(f"{subject}\n{text[:MAX_CHARS]}")
    heads = {head for word in set(_WORD.findall(folded))
             for head in _HEADS.get(word[:2], ()) if word.startswith(head)}
    for kind, lang, literals, pattern in _COMPILED:
        if not literals:
            if pattern.search(folded):
                return kind, lang
            continue
        # A match starts where one of its leading literals does: try the
        # pattern there only. A search would try every position, as "\b" at
        # its start hides the literal from the engine's own prefix scan.
        for literal, head in literals:
            if head and head not in heads:
                continue
            at = folded.find(literal)
            while at >= 0:
                if pattern.match(folded, at):
                    return kind, lang
                at = folded.find(literal, at + 1)
    return None
