"""What the core reads out of a message's text, as one pure function.

Language, the subject's threading key, the policy and claim numbers named and
the account-issue class depend on nothing but the text and the settings, so a
channel that files in bulk computes them in its worker processes (see
``inbox.mail.parsing.parse_batch``) and hands them in with the message
(``Inbound.extras["analysis"]``); everyone else lets the core compute them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from channels.base import Inbound
from claims.identifiers import find_identifiers
from inbox.intake.classify import classify_account_issue
from inbox.intake.language import detect_language
from inbox.intake.subjects import strip_prefixes, subject_key

KEY = "analysis"
MAX_SCAN_CHARS = 20_000


class TextSettings(Protocol):
    """What the analysis reads of the settings: IngestConfig, or in a parse
    worker the part of it that travels there (inbox.mail.parsing)."""

    @property
    def languages(self) -> tuple[str, ...]: ...
    @property
    def claim_re(self) -> re.Pattern[str]: ...
    @property
    def policy_re(self) -> re.Pattern[str]: ...


@dataclass(frozen=True)
class Analysis:
    language: str | None
    subject_key: str
    claim_numbers: tuple[str, ...]
    policy_numbers: tuple[str, ...]
    # (kind, language of the rule) or None
    account_issue: tuple[str, str] | None

    def to_json(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies field by field (7 µs a
        # message, in the parse workers' share of an IMAP sync).
        return {"language": self.language, "subject_key": self.subject_key,
                "claim_numbers": self.claim_numbers, "policy_numbers": self.policy_numbers,
                "account_issue": self.account_issue}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analysis:
        issue = data.get("account_issue")
        return cls(
            language=data.get("language"),
            subject_key=data.get("subject_key", ""),
            claim_numbers=tuple(data.get("claim_numbers", ())),
            policy_numbers=tuple(data.get("policy_numbers", ())),
            account_issue=(issue[0], issue[1]) if issue else None,
        )


def new_text(inbound: Inbound) -> str:
    """The customer's new words: an adapter that separates them (quoted email
    history, a call's summary line) says so in ``extras["body_parts"]["new"]``,
    which may be empty (a call without a transcript)."""
    parts = inbound.extras.get("body_parts") or {}
    return str(parts["new"]) if "new" in parts else inbound.text


def analyze(inbound: Inbound, cfg: TextSettings) -> Analysis:
    text = new_text(inbound)
    scan = (inbound.subject, inbound.text[:MAX_SCAN_CHARS])
    return Analysis(
        language=inbound.language
        or detect_language(f"{strip_prefixes(inbound.subject)}\n{text}", cfg.languages),
        subject_key=subject_key(inbound.subject)[:500],
        claim_numbers=tuple(find_identifiers(cfg.claim_re, scan)),
        policy_numbers=tuple(find_identifiers(cfg.policy_re, scan)),
        account_issue=classify_account_issue(inbound.subject, text),
    )


def analysis_of(inbound: Inbound, cfg: TextSettings) -> Analysis:
    """The analysis handed in with the message, else computed now."""
    given = inbound.extras.pop(KEY, None)
    return Analysis.from_json(given) if given else analyze(inbound, cfg)
