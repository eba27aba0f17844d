"""`python -m sqlforge` is the `sqlforge` command."""

from __future__ import annotations

import sys

from sqlforge.main import main

sys.exit(main())
