"""``python -m compare``: see compare.cli; the process ends without the interpreter's finalization (compare.process)."""

from compare.cli import main
from compare.process import finish

finish(main())
