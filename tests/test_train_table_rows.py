"""Which recorded steps the train table shows: at most 10, evenly spaced, always the first and the last (docs/training.md)."""

import pytest

from compare.training.command import TABLE_ROWS, _table_rows


@pytest.mark.parametrize("recorded", [1, 2, 9, 10, 11, 12, 100, 101, 251, 1001, 100_001])
def test_at_most_ten_rows_with_the_first_and_the_last_evenly_spaced(recorded):
    rows = _table_rows(recorded)
    assert TABLE_ROWS == 10 and len(rows) <= 10 and len(set(rows)) == len(rows)
    assert rows[0] == 0 and rows[-1] == recorded - 1 and rows == sorted(rows)
    gaps = {b - a for a, b in zip(rows[:-2], rows[1:-1], strict=True)}
    assert len(gaps) <= 1  # one stride between all but the last row


def test_a_run_of_251_recorded_steps_shows_ten_not_eleven():
    """train --steps 500 --every 2 records 251 steps; the table showed 11 of them."""
    assert _table_rows(251) == [0, 28, 56, 84, 112, 140, 168, 196, 224, 250]
    assert _table_rows(11) == [0, 2, 4, 6, 8, 10]  # docs/training.md's --steps 10000 --every 1000: 1, 2000, ..., 10000
