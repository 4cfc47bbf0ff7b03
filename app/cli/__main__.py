"""`python -m kempelen.cli`: the same as the `kempelen` command."""

import sys

from kempelen.cli import main

sys.exit(main())
