"""`sqlforge migrate` (placeholder: being implemented)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    subparsers.add_parser("migrate", parents=[common], help="(not implemented yet)")
