"""`sqlforge schema` (placeholder: being implemented)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    subparsers.add_parser("schema", parents=[common], help="(not implemented yet)")
