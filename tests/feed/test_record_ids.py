"""LoadSummary.touched_record_ids is a bitmap (feed/loader.py RecordIds): it must behave as the
set of ids it replaced for every reader (set(), len, in, iteration, equality)."""

from __future__ import annotations

from safeguard.feed.loader import RecordIds


def test_record_ids_behave_as_a_set():
    ids = RecordIds([5, 1, 5, 800, 9])
    assert list(ids) == [1, 5, 9, 800]
    assert len(ids) == 4 and set(ids) == {1, 5, 9, 800}
    assert ids == {1, 5, 9, 800} and ids != {1, 5, 9} and ids != {1, 5, 9, 801}
    assert 5 in ids and 6 not in ids and 10**9 not in ids and -1 not in ids and "5" not in ids
    ids.update([800, 10_000, 3])
    ids.add(4)
    assert len(ids) == 7 and list(ids) == [1, 3, 4, 5, 9, 800, 10_000]
    assert RecordIds(range(100_000)) == set(range(100_000))
    assert RecordIds([2, 3]) == RecordIds([3, 2]) and not RecordIds()
