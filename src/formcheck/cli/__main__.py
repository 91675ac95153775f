"""``python -m formcheck.cli``: the same as the ``formcheck`` command."""

import sys

from formcheck.cli.main import main

sys.exit(main())
