"""Search (inbox.workspace.search) on PostgreSQL and SQLite: stemming per
language, exact identifiers first, hostile queries, escaped snippets, merged
threads hidden, pagination; and the PostgreSQL index it relies on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from claims.models import Customer
from inbox import ingest
from inbox.models import Message, Thread
from inbox.models.text_search import SEARCH_CONFIGS
from inbox.workspace.search import SearchError, search
from inbox.workspace.search_text import highlight
from tests import factories
from tests.conftest import NOW

pytestmark = pytest.mark.integration


def postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def thread_with(session: Session, text: str, *, language: str | None = "en",
                subject: str = "", owner: Customer | None = None, claim_id: int | None = None,
                policy_id: int | None = None, at: datetime = NOW) -> Thread:
    """A thread of ``owner`` (a new customer if None) with one message."""
    owner = owner or factories.customer(session, name="Search Person", language=language)
    thread = Thread(customer_id=owner.id, subject=subject, subject_key=subject.lower(),
                    language=language, claim_id=claim_id, policy_id=policy_id,
                    last_message_at=at)
    session.add(thread)
    session.flush()
    add_message(session, thread, text, language=language, subject=subject, at=at)
    return thread


def add_message(session: Session, thread: Thread, text: str, *, language: str | None,
                subject: str = "", at: datetime = NOW) -> Message:
    message = Message(thread_id=thread.id, customer_id=thread.customer_id, channel="email",
                      external_id=f"search-{thread.id}-{at.timestamp()}-{len(text)}@test",
                      subject=subject, text=text, language=language, received_at=at)
    session.add(message)
    session.flush()
    return message


def found_threads(session: Session, query: str, **kw: object) -> list[int]:
    return [hit.thread_id for hit in search(session, query, kinds=["threads"], **kw).threads]


# -- languages ------------------------------------------------------------

# (language, message text, a query in another form of its words)
STEMMING = [
    ("de", "Anbei die Rechnung für das Dach nach dem Sturm.", "Rechnungen"),
    ("el", "Η ΑΣΦΆΛΕΙΑ του αυτοκινήτου μου έληξε.", "ασφαλειες"),
    ("sv", "Jag skickar fakturorna för taket i morgon.", "faktura"),
    ("id", "Saya sudah mengirimkan tagihan perbaikan atap rumah.", "tagihannya perbaikannya"),
    ("en", "The pipes burst in the kitchen last night.", "pipe bursting"),
]


@pytest.mark.parametrize(("language", "text", "query"), STEMMING,
                         ids=[s[0] for s in STEMMING])
def test_inflected_words_are_found_in_their_language(
        session: Session, language: str, text: str, query: str) -> None:
    target = thread_with(session, text, language=language)
    other = thread_with(session, "Nothing to see here at all.", language=language)
    found = found_threads(session, query)
    if postgres(session):
        assert found == [target.id]
    else:
        # SQLite has no stemmer: only words occurring as typed (case and
        # accents aside) are found.
        assert other.id not in found
        exact_word = text.split()[2].strip(".,")
        assert found_threads(session, exact_word.upper()) == [target.id]


def test_greek_accents_and_case_do_not_matter(session: Session) -> None:
    target = thread_with(session, "Η ΑΣΦΆΛΕΙΑ του αυτοκινήτου μου έληξε.", language="el")
    for query in ("ασφάλεια", "ΑΣΦΑΛΕΙΑ", "Ασφάλεια"):
        assert found_threads(session, query) == [target.id], query


def test_a_query_of_unknown_language_finds_exact_words(session: Session) -> None:
    german = thread_with(session, "Die Versicherungsnummer steht auf der Karte.",
                         language="de")
    unknown = thread_with(session, "Rohrbruch gemeldet", language=None)
    czech = thread_with(session, "Posílám fakturu za opravu střechy.", language="cs")
    assert found_threads(session, "Versicherungsnummer") == [german.id]
    assert found_threads(session, "rohrbruch") == [unknown.id]
    assert found_threads(session, "fakturu") == [czech.id]
    if postgres(session):
        # Czech is indexed with `simple` (PostgreSQL 15 has no Czech stemmer):
        # another form of the word is not found.
        assert found_threads(session, "faktura") == []


def test_each_language_maps_to_its_configuration(session: Session) -> None:
    if not postgres(session):
        pytest.skip("text search configurations are PostgreSQL's")
    names = set(session.scalars(sa.text("SELECT cfgname FROM pg_ts_config")))
    assert "czech" not in names  # hence `simple` for cs
    for code in ("en", "de", "el", "sv", "id", "cs", "xx", None):
        got = session.scalar(sa.select(sa.func.inbox_search_config(code).cast(sa.Text)))
        assert got == SEARCH_CONFIGS.get(code or "", "simple"), code
        assert got in names


def test_the_query_uses_the_gin_index(session: Session) -> None:
    if not postgres(session):
        pytest.skip("SQLite scans")
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.scalars(sa.text(
        "EXPLAIN SELECT id FROM messages WHERE inbox_search_vector(language, subject, text) "
        "@@ websearch_to_tsquery('german', 'Rechnungen')")))
    assert "ix_messages_search" in plan


def test_ingested_mail_is_searchable(session: Session, now: datetime) -> None:
    factories.customer(session, email="gisela@example.de", language="de")
    filed = ingest(session, factories.email(
        sender="gisela@example.de", subject="Frage zu meiner Hausratversicherung",
        text="Guten Tag, ich habe die Rechnungen für den Fernseher beigefügt. "
             "Mit freundlichen Grüßen", received_at=now), now)
    assert filed.message is not None
    query = "Rechnung Fernseher" if postgres(session) else "rechnungen fernseher"
    assert found_threads(session, query) == [filed.thread_id]


# -- exact identifiers ------------------------------------------------------

def test_identifiers_match_exactly_and_rank_first(session: Session) -> None:
    owner = factories.customer(session, name="Olga Identi", email="Olga.Identi@Example.com",
                               phone="+44 7700 900123")
    pol = factories.policy(session, owner, number="POL-7777-0001")
    claim = factories.claim(session, pol, number="CLM-2026-424242")
    linked = thread_with(session, "Roof photos attached.", owner=owner, claim_id=claim.id,
                         at=NOW - timedelta(days=30))
    # Another customer mentions the number in a message: found, but after.
    mention = thread_with(session, "Is CLM-2026-424242 my neighbour's claim?",
                          at=NOW + timedelta(days=1))

    results = search(session, "clm-2026-424242")
    assert [c.number for c in results.claims] == ["CLM-2026-424242"]
    assert results.claims[0].status == "received"
    assert results.claims[0].thread_id == linked.id
    ids = [t.thread_id for t in results.threads]
    assert ids[0] == linked.id
    assert results.threads[0].exact
    assert ids == [linked.id, mention.id]
    assert not results.threads[1].exact

    by_policy = search(session, "POL-7777-0001")
    assert [p.number for p in by_policy.policies] == ["POL-7777-0001"]
    assert by_policy.threads[0].thread_id == linked.id

    for query, kind, value in (("olga.identi@example.COM", "email", "olga.identi@example.com"),
                               ("07700 900123", "phone", "+447700900123"),
                               ("+44 (0)7700-900123", "phone", "+447700900123")):
        hits = search(session, query, kinds=["customers", "threads"])
        assert [c.id for c in hits.customers] == [owner.id], query
        assert hits.customers[0].exact
        assert (kind, value) in [(m.kind, m.value) for m in hits.customers[0].matched]
        assert [t.id for t in hits.customers[0].threads] == [linked.id]
        assert hits.threads[0].thread_id == linked.id


def test_customers_by_name_and_ref(session: Session) -> None:
    anna = factories.customer(session, name="Anna Šťastná", ref="REF-55501")
    factories.customer(session, name="Bob Other")
    assert [c.id for c in search(session, "šťastná ANNA").customers] == [anna.id]
    hit = search(session, "REF-55501").customers[0]
    assert (hit.id, hit.exact, hit.matched[0].kind) == (anna.id, True, "customer_ref")
    merged = factories.customer(session, name="Anna Šťastná")
    merged.merged_into_id = anna.id
    session.flush()
    assert [c.id for c in search(session, "Šťastná").customers] == [anna.id]


# -- hostile input and snippets -------------------------------------------

HOSTILE = ["'", "&", ":*", "<script>", "' OR 1=1 --", 'foo & | !bar:* "open', "\\",
           "(((", "a <-> b", "%_%", "-", '"', "\x00x", "🙂", "x" * 5000]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_plain_text(session: Session, query: str) -> None:
    thread_with(session, "A perfectly normal message about a roof.")
    results = search(session, query)
    assert results.query == " ".join(query.replace("\x00", " ").split())[:200]
    assert all(hit.thread_id for hit in results.threads)


def test_snippets_are_escaped_and_highlighted(session: Session) -> None:
    evil = ('<script>alert(1)</script> <img src=x onerror=alert(2)> The flood damage '
            'report: 1 < 2 is here \ue000not a match\ue001 & more "quotes"')
    target = thread_with(session, evil, subject="Flood <b>urgent</b>")
    hit = search(session, "flood damage").threads[0]
    assert hit.thread_id == target.id
    assert isinstance(hit.snippet, Markup)
    html = str(hit.snippet)
    assert "<mark>" in html
    assert html.count("<mark>") == html.count("</mark>")
    for markup in ("<script", "<img", "<b>", "\ue000", "\ue001"):
        assert markup not in html
    assert "1 &lt; 2" in html  # escaped (PostgreSQL's headline drops some tags itself)
    assert "<mark>not a match</mark>" not in html
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped
    # What the tags enclose is text to find, never markup.
    assert search(session, "alert").threads[0].thread_id == target.id


def test_highlight_maps_folded_matches_back_to_the_text() -> None:
    snippet = highlight("Straße & ΑΣΦΆΛΕΙΑ <x>", ["strasse", "ασφαλεια"])
    assert str(snippet) == "<mark>Straße</mark> &amp; <mark>ΑΣΦΆΛΕΙΑ</mark> &lt;x&gt;"


# -- threads ----------------------------------------------------------------

def test_merged_threads_are_not_separate_results(session: Session) -> None:
    owner = factories.customer(session, name="Merge Person")
    kept = thread_with(session, "Quokka sighting near the garage.", owner=owner)
    gone = thread_with(session, "Another quokka in the garden.", owner=owner,
                       at=NOW + timedelta(hours=1))
    gone.merged_into_id = kept.id  # a straggler message stayed behind
    session.flush()
    assert found_threads(session, "quokka") == [kept.id]
    hits = search(session, "Merge Person").customers
    assert [t.id for t in hits[0].threads] == [kept.id]


def test_one_result_per_thread_and_pagination(session: Session) -> None:
    ids = []
    for n in range(3):
        thread = thread_with(session, f"Wombat report {n}", at=NOW + timedelta(hours=n))
        add_message(session, thread, f"Second wombat note {n}", language="en",
                    at=NOW + timedelta(hours=n, minutes=5))
        ids.append(thread.id)
    first = search(session, "wombat", kinds=["threads"], limit=2)
    assert len(first.threads) == 2
    assert first.has_more == {"threads": True}
    rest = search(session, "wombat", kinds=["threads"], limit=2, offset=2)
    assert rest.has_more == {"threads": False}
    assert sorted(t.thread_id for t in [*first.threads, *rest.threads]) == sorted(ids)
    if not postgres(session):  # newest first without ranking
        assert [t.thread_id for t in first.threads] == [ids[2], ids[1]]


def test_kinds_limits_and_blank_queries(session: Session) -> None:
    thread_with(session, "Platypus")
    assert search(session, "   ").empty
    assert search(session, "").has_more == dict.fromkeys(
        ("customers", "threads", "claims", "policies"), False)
    only = search(session, "platypus", kinds="threads", limit=10_000)
    assert only.kinds == ("threads",)
    assert only.limit == 100
    assert len(only.threads) == 1
    with pytest.raises(SearchError, match="unknown kind 'messages'"):
        search(session, "platypus", kinds=["messages"])
