"""Output paths (--output, --plot, --save-weights): one line naming the option and what is in the way, before or after the run."""

from pathlib import Path

import pytest

from core.errors import InputError


def test_a_file_where_a_folder_belongs_is_named_as_such(tmp_path):
    from compare.data.files import writable_file

    blocker = tmp_path / "data.npz"
    blocker.write_bytes(b"")
    for path, message in [
        (blocker / "x.txt", f"--output {str(blocker)!r} is a file, not a folder"),
        (blocker / "deeper" / "x.txt", f"--output {str(blocker / 'deeper')!r}: {str(blocker)!r} is a file, not a folder"),
    ]:
        with pytest.raises(InputError) as caught:
            writable_file(path, "--output")
        assert str(caught.value) == message
    with pytest.raises(InputError, match="^--output: expected a file path, got an empty one$"):
        writable_file("", "--output")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full (a device that is always full) here")
def test_a_report_that_cannot_be_written_at_the_end_is_one_line_naming_the_option():
    from compare.output import report_to

    with pytest.raises(InputError) as caught, report_to("/dev/full"):
        print("the report")
    assert str(caught.value) == "--output '/dev/full': cannot write the file (No space left on device)"
