from __future__ import annotations

import pytest

from inbox.intake.subjects import strip_prefixes, subject_key


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Water damage", "water damage"),
        ("RE: RE: Re: Water damage", "water damage"),
        ("Fwd: Water damage", "water damage"),
        ("FW: Water damage", "water damage"),
        ("AW: WG: Wasserschaden", "wasserschaden"),
        ("Antw: Wasserschaden", "wasserschaden"),
        ("SV: VB: Vattenskada", "vattenskada"),
        ("Sv: Vs: Vattenskada", "vattenskada"),
        ("Odp: PŘ: Škoda na vozidle", "škoda na vozidle"),
        ("ΑΠ: ΣΧΕΤ: Ζημιά από νερό", "ζημιά από νερό"),
        ("Απ: Ζημιά από νερό", "ζημιά από νερό"),
        ("Balas: Klaim kerusakan", "klaim kerusakan"),
        ("Re[2]: Claim", "claim"),
        ("Re (3): Claim", "claim"),
        ("[EXT] Re: Claim", "claim"),
        ("Re:Re:   Many    spaces  ", "many spaces"),
        ("RE：全角", "全角"),
    ],
)
def test_prefixes_are_stripped_in_many_languages(subject: str, expected: str) -> None:
    assert subject_key(subject) == expected


@pytest.mark.parametrize(
    "subject",
    ["Reply needed", "Return of goods", "Fwd notice about renewal", "Aw shucks", "Svar på frågan"],
)
def test_words_that_only_start_like_a_prefix_are_kept(subject: str) -> None:
    assert subject_key(subject) == subject.casefold()


def test_strip_keeps_original_case() -> None:
    assert strip_prefixes("AW: Mein Schaden CLM-2024-000001") == "Mein Schaden CLM-2024-000001"


def test_empty_and_prefix_only_subjects() -> None:
    assert subject_key("") == ""
    assert subject_key("Re:") == ""
