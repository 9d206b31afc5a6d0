"""The cleaner of feed text: no control character, escape sequence or bidi override survives."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.text import PLACEHOLDER, clean_event, clean_model, clean_text
from race.models import Climb, FeedStatus, RaceNews, Rider, Stage, StartList, Team
from tests.support.frames import frame

P = PLACEHOLDER

ESC_SEQUENCES = [
    "\x1b]0;pwned\x07",  # OSC: set the window title, ended by BEL.
    "\x1b]2;pwned\x1b\\",  # OSC ended by ST.
    "\x1b[?1049l",  # CSI: leave the alternate screen.
    "\x1b[2J",  # CSI: clear the screen.
    "\x1b[31;1m",  # CSI: colours.
    "\x1bP+q544e\x1b\\",  # DCS.
    "\x1b_payload\x07",  # APC.
    "\x1bc",  # RIS: reset the terminal.
    "\x1b(0",  # Designate a character set (an intermediate, then a final).
]


def is_safe(text: str) -> bool:
    """No control (Cc), no surrogate (Cs), no bidi embedding, override or isolate."""
    return not any(
        unicodedata.category(c) in ("Cc", "Cs")
        or "\u202a" <= c <= "\u202e"
        or "\u2066" <= c <= "\u2069"
        for c in text
    )


@pytest.mark.parametrize("sequence", ESC_SEQUENCES)
def test_an_escape_sequence_becomes_one_placeholder(sequence: str) -> None:
    assert clean_text(f"POGA{sequence}ČAR") == f"POGA{P}ČAR"


def test_the_issues_names() -> None:
    assert clean_text("\x1b]0;pwned\x07title") == f"{P}title"  # The payload goes with it.
    assert clean_text("\x1b[?1049lVINGEGAARD") == f"{P}VINGEGAARD"
    assert clean_text("\x1b[2J\x1b[H") == P + P


def test_an_unterminated_string_sequence_runs_to_the_end_as_in_a_terminal() -> None:
    assert clean_text("Pau\x1b]0;title without end") == f"Pau{P}"


def test_an_incomplete_or_lone_escape() -> None:
    assert clean_text("Pau\x1b") == f"Pau{P}"
    assert clean_text("\x1b\x1b[2JPau") == f"{P}{P}Pau"
    assert clean_text("\x1b[12") == f"{P}12"  # No final byte: only the introducer was a control.


def test_whitespace_controls_become_spaces() -> None:
    assert clean_text("Jean\tPierre\nDupont\r\x0b\x0c") == "Jean Pierre Dupont   "
    assert clean_text("line\u2028paragraph\u2029end") == "line paragraph end"


@pytest.mark.parametrize(
    "control", ["\x00", "\x07", "\x08", "\x1f", "\x7f", "\x85", "\x9b", "\x9d", "\x9f"]
)
def test_other_c0_c1_and_del_become_placeholders(control: str) -> None:
    assert clean_text(f"a{control}b") == f"a{P}b"


@pytest.mark.parametrize(
    "bidi", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_bidi_overrides_and_isolates_become_placeholders(bidi: str) -> None:
    assert clean_text(f"VAN{bidi}AERT") == f"VAN{P}AERT"


def test_a_lone_surrogate_cannot_reach_the_terminal() -> None:
    assert clean_text("a\ud800b") == f"a{P}b"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tadej POGAČAR",
        "Lannemezan › Pau",
        "Côte de l'Hôpital",
        "Ẩn Đức",
        "km 12\u00a0: chute",
        "🚴‍♂️",
    ],
)
def test_plain_text_is_untouched(text: str) -> None:
    assert clean_text(text) == text


def test_clean_text_returns_the_same_object_when_clean() -> None:
    name = "Jonas VINGEGAARD"
    assert clean_text(name) is name


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(),  # Anything printable or not, but no surrogates:
            st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"]),  # the risky ones, more often.
            st.sampled_from("\x1b[]P_^X\\;?0123456789JHml"),  # Pieces of sequences.
        ),
        max_size=60,
    )
)
def test_any_text_comes_out_safe_and_cleaning_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert is_safe(cleaned)
    assert clean_text(cleaned) == cleaned
    assert "\x1b" not in cleaned


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(ESC_SEQUENCES), st.text(max_size=8)), max_size=8).map(
        "".join
    )
)
def test_texts_mixing_sequences_come_out_safe(text: str) -> None:
    cleaned = clean_text(text)
    assert is_safe(cleaned)
    assert clean_text(cleaned) == cleaned
    assert "\x1b" not in cleaned


def test_clean_event_cleans_every_string_of_a_start_list() -> None:
    dirty = StartList(
        stage=Stage(
            race="Tour\x1b[2J",
            year=2026,
            number=5,
            start="Lanne\x1b]0;x\x07mezan",
            finish="Pau\u202e",
            distance_km=158.2,
            climbs=(Climb(name="Côte\x07", summit_km=50.0, category="4\x1b[0m"),),
        ),
        teams=(Team(code="UAD\x1b[?1049l", name="UAE\tTeam"),),
        riders=(
            Rider(
                bib=1,
                first_name="Tadej\x00",
                last_name="POGAČAR\n",
                team="UAD",
                nationality="SLO\x9b",
            ),
        ),
    )
    clean = clean_event(dirty)
    assert isinstance(clean, StartList)
    assert (clean.stage.race, clean.stage.start, clean.stage.finish) == (
        f"Tour{P}",
        f"Lanne{P}mezan",
        f"Pau{P}",
    )
    assert (clean.stage.climbs[0].name, clean.stage.climbs[0].category) == (f"Côte{P}", f"4{P}")
    assert (clean.teams[0].code, clean.teams[0].name) == (f"UAD{P}", "UAE Team")
    rider = clean.riders[0]
    assert (rider.first_name, rider.last_name, rider.nationality) == (
        f"Tadej{P}",
        "Pogačar ",  # Proper case where the `Rider` is made.
        f"SLO{P}",
    )
    assert (rider.bib, clean.stage.distance_km, clean.stage.number) == (1, 158.2, 5)


def test_clean_event_cleans_news_and_statuses() -> None:
    news = clean_event(RaceNews(t=1.0, text="Crash!\x1b[2J", riders=(3,)))
    assert isinstance(news, RaceNews)
    assert (news.text, news.riders) == (f"Crash!{P}", (3,))
    status = clean_event(FeedStatus(state="live", at=1.0, detail="bad\x1b]0;t\x07", rejected=2))
    assert isinstance(status, FeedStatus)
    assert (status.detail, status.rejected) == (f"bad{P}", 2)


def test_clean_events_are_the_same_objects() -> None:
    start = StartList(
        stage=Stage(race="Tour de France", year=2026, distance_km=150.0),
        riders=(Rider(bib=1, first_name="Tadej", last_name="POGAČAR", team="UAD"),),
    )
    assert clean_event(start) is start
    assert clean_model(start.stage) is start.stage
    telemetry = frame(1000.0, {1: 50.0})
    assert clean_event(telemetry) is telemetry
