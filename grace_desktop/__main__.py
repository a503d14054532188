"""``python -m grace_desktop``: the same as the ``grace`` command."""

import sys

from .cli import main

sys.exit(main())
