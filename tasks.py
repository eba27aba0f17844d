"""Project tasks: `invoke --list`. The `db` collection comes from sqlforge itself."""

from __future__ import annotations

from invoke.collection import Collection

from sqlforge.tasks import db

namespace = Collection(db)
