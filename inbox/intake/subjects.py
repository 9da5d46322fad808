"""Subject normalisation for threading: strip reply/forward prefixes in the
languages our customers' mail clients use, repeated and in any order."""

from __future__ import annotations

import re
import unicodedata

# Reply and forward prefixes written by mail clients, case-folded:
#   en re fw fwd · de aw antw wg wtr · sv sv svar vb vs · cs odp př pr fw
#   el απ σχετ πρθ · id balas bls teruskan trs · nl antw doorst · fr tr réf
#   es rv res enc · fi vl vs · da/no sv vs vd · pl odp pd
_PREFIXES = (
    "re", "fw", "fwd", "aw", "antw", "wg", "wtr", "sv", "svar", "vb", "vs", "vd", "vl",
    "odp", "př", "pr", "pd", "απ", "σχετ", "πρθ", "balas", "bls", "teruskan", "trs",
    "doorst", "tr", "réf", "ref", "rv", "res", "enc",
)
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:" + "|".join(sorted(map(re.escape, _PREFIXES), key=len, reverse=True)) + r")"
    r"(?:\s*[\[(]\d+[\])])?\s*[:：]\s*|\[(?:ext|external|extern)\]\s*)+",
    re.IGNORECASE,
)
_SPACE_RE = re.compile(r"\s+")


def strip_prefixes(subject: str) -> str:
    """``"AW: Re: Fwd: Schaden"`` → ``"Schaden"``, original case kept."""
    text = unicodedata.normalize("NFKC", subject or "")
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX_RE.sub("", text, count=1)
    return _SPACE_RE.sub(" ", text).strip()


def subject_key(subject: str) -> str:
    """The threading key: prefixes stripped, case-folded, spaces collapsed."""
    return strip_prefixes(subject).casefold()
