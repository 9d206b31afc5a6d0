"""The `blind` quirk: the feed loses the first riders before the line, for good."""

from __future__ import annotations

from feeds.quirks import Blind
from tests.support.quirk_stage import fix_of, frames, run, synthetic


def test_blind_loses_the_first_riders_from_its_mark_to_the_end() -> None:
    events = synthetic()
    out, stream = run(events, Blind(at_km_to_finish=20.0, riders=3))
    facts = stream.facts[0]
    assert len(facts.bibs) == 3
    pairs = list(zip(frames(events), frames(out), strict=True))
    struck = next(i for i, (_, new) in enumerate(pairs) if new.t in facts.removed)
    old, _ = pairs[struck]
    # The first three riders on the road in the frame where the head reached the mark.
    head = min(f.km_to_finish for f in old.riders if f.km_to_finish is not None)
    assert head <= 20.0
    first = sorted(old.riders, key=lambda f: (f.km_to_finish, f.bib))[:3]
    assert sorted(f.bib for f in first) == facts.bibs
    for old, new in pairs[struck:]:
        assert all(fix_of(new, bib) is None for bib in facts.bibs)
        assert [f for f in old.riders if f.bib not in facts.bibs] == list(new.riders)
    for old, new in pairs[:struck]:
        assert old == new
