"""``--plot PATH``, the same in every subcommand that draws (``train``, ``explain``, ``bench``).

PATH is a folder or a ``.png`` file name:

- a folder (one that exists, or a name without a suffix: ``out``, ``out/``): each figure goes
  there under the command's own name for it (``out/worked-2-2-2-network.png``,
  ``out/spiral-2-4-3-sgd-float64-loss.png``, ``out/time-vs-width.png``);
- ``NAME.png``: a command that draws one figure writes that file; one that draws several
  (``train``: loss, divergence, decision regions, per run) writes ``NAME-<its name>.png`` beside it.

The folder is created and checked writable before any work (compare.data.files.writable_dir);
every file written is announced on stderr by the command that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError

METAVAR = "DIR|FILE.png"


@dataclass(frozen=True)
class PlotTarget:
    """Where ``--plot`` puts figures: ``folder``, and ``given`` when a ``.png`` file name was given (``net.png``)."""

    folder: Path
    given: str | None = None

    def file(self, name: str) -> Path:
        """The path of a command's only figure, which it calls ``name`` (``worked-2-2-2-network``, ``time-vs-width``).

        The file given, if one was; else ``folder/name.png``.
        """
        return self.folder / (self.given if self.given is not None else f"{name}.png")

    def prefix(self, name: str) -> str:
        """The file-name prefix of one of several figures: ``name``, or ``STEM-name`` beside a given ``STEM.png``.

        The command adds the figure's own kind and ``.png`` (compare.training.plots.write_plots).
        """
        return name if self.given is None else f"{Path(self.given).stem}-{name}"


def file_name(text: str) -> str:
    """``text`` (a case name, a SPEC such as ``2-4-3:relu,softmax:cce``) as a file name: ``2-4-3_relu_softmax_cce``."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in text)


def plot_target(value: str, flag: str = "--plot") -> PlotTarget:
    """Read ``--plot PATH`` and check its folder can take files (created if missing), before any work.

    Raises:
        InputError: an empty path, a name with another suffix than ``.png`` (``out.svg``), or a
            folder that cannot be created or written.
    """
    from compare.data.files import writable_dir, writable_file

    if not value.strip():
        raise InputError(f"{flag} {value!r}: expected a folder or a .png file name, got an empty path")
    path = Path(value)
    if path.is_dir() or not path.suffix:
        return PlotTarget(writable_dir(path, flag))
    if path.suffix.lower() != ".png":
        raise InputError(f"{flag} {value!r}: expected a folder or a .png file name, got a {path.suffix!r} name")
    writable_file(path, flag)
    return PlotTarget(path.parent, path.name)
