"""``python -m evalkit`` is the same as the ``evalkit`` console script."""
import sys

from evalkit.cli import main

sys.exit(main())
