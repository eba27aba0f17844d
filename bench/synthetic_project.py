"""A synthetic sqlforge project of the size issue 5 names: 10 migrations, 100 queries in 4 files.

Valid for sqlforge and for sqlc alike (plain SELECT/INSERT/UPDATE/DELETE with `?` parameters),
so `sqlc diff` can run on the same inputs. `write_project(root)` lays it out under `root`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIGRATIONS = (
    (
        "create_users",
        "CREATE TABLE users (\n    id INTEGER PRIMARY KEY,\n    email TEXT NOT NULL UNIQUE,\n"
        "    name TEXT NOT NULL,\n    active BOOLEAN NOT NULL DEFAULT 1,\n"
        "    created_at DATETIME NOT NULL DEFAULT (datetime('now'))\n);",
        "DROP TABLE users;",
    ),
    (
        "create_projects",
        "CREATE TABLE projects (\n    id INTEGER PRIMARY KEY,\n"
        "    owner_id INTEGER NOT NULL REFERENCES users (id),\n    name TEXT NOT NULL,\n"
        "    created_at DATETIME NOT NULL DEFAULT (datetime('now'))\n);",
        "DROP TABLE projects;",
    ),
    (
        "create_tasks",
        "CREATE TABLE tasks (\n    id INTEGER PRIMARY KEY,\n"
        "    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n"
        "    title TEXT NOT NULL,\n    status TEXT NOT NULL DEFAULT 'open',\n"
        "    priority INTEGER NOT NULL DEFAULT 0,\n    due DATE\n);",
        "DROP TABLE tasks;",
    ),
    (
        "create_comments",
        "CREATE TABLE comments (\n    id INTEGER PRIMARY KEY,\n"
        "    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,\n"
        "    author_id INTEGER NOT NULL REFERENCES users (id),\n    body TEXT NOT NULL,\n"
        "    created_at DATETIME NOT NULL DEFAULT (datetime('now'))\n);",
        "DROP TABLE comments;",
    ),
    (
        "create_tags",
        "CREATE TABLE tags (\n    id INTEGER PRIMARY KEY,\n    label TEXT NOT NULL UNIQUE\n);",
        "DROP TABLE tags;",
    ),
    ("add_task_estimate", "ALTER TABLE tasks ADD COLUMN estimate REAL;", ""),
    ("index_tasks", "CREATE INDEX tasks_by_status ON tasks (status, priority);", ""),
    ("add_user_bio", "ALTER TABLE users ADD COLUMN bio TEXT;", ""),
    (
        "create_audit_log",
        "CREATE TABLE audit_log (\n    id INTEGER PRIMARY KEY,\n    entity TEXT NOT NULL,\n"
        "    entity_id INTEGER NOT NULL,\n    action TEXT NOT NULL,\n"
        "    at DATETIME NOT NULL DEFAULT (datetime('now'))\n);",
        "DROP TABLE audit_log;",
    ),
    ("index_comments", "CREATE INDEX comments_by_task ON comments (task_id);", ""),
)
DOWN_OF_INDEX = {
    "index_tasks": "DROP INDEX tasks_by_status;",
    "index_comments": "DROP INDEX comments_by_task;",
}


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    columns: tuple[str, ...]
    """Settable columns (not `id`, not defaulted timestamps)."""


TABLES = (
    Table("users", "User", ("email", "name", "active", "bio")),
    Table("projects", "Project", ("owner_id", "name")),
    Table("tasks", "Task", ("project_id", "title", "status", "priority", "due", "estimate")),
    Table("comments", "Comment", ("task_id", "author_id", "body")),
    Table("tags", "Tag", ("label",)),
    Table("audit_log", "AuditEntry", ("entity", "entity_id", "action")),
)
QUERY_FILES = 4
QUERY_COUNT = 100


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def table_queries(table: Table) -> list[str]:
    """Every query pattern for one table, sqlc-annotated."""
    name, one = table.name, table.singular
    placeholders = ", ".join("?" for _ in table.columns)
    queries = [
        f"-- name: Get{one} :one\nSELECT * FROM {name} WHERE id = ?;",
        f"-- name: List{one}Page :many\nSELECT * FROM {name} ORDER BY id LIMIT ? OFFSET ?;",
        f"-- name: Count{one}Rows :one\nSELECT count(*) FROM {name};",
        f"-- name: Delete{one} :exec\nDELETE FROM {name} WHERE id = ?;",
        f"-- name: Recent{one}Rows :many\nSELECT * FROM {name} ORDER BY id DESC LIMIT ?;",
        f"-- name: {one}Ids :many\nSELECT id FROM {name} ORDER BY id;",
        f"-- name: Insert{one} :execlastid\n"
        f"INSERT INTO {name} ({', '.join(table.columns)}) VALUES ({placeholders});",
    ]
    for column in table.columns:
        by = camel(column)
        queries += [
            f"-- name: {one}By{by} :many\nSELECT * FROM {name} WHERE {column} = ? ORDER BY id;",
            f"-- name: Set{one}{by} :execrows\nUPDATE {name} SET {column} = ? WHERE id = ?;",
            f"-- name: Count{one}By{by} :one\nSELECT count(*) FROM {name} WHERE {column} = ?;",
        ]
    return queries


JOIN_QUERIES = (
    "-- name: TasksWithProject :many\nSELECT tasks.id, tasks.title, projects.name AS project_name\n"
    "FROM tasks JOIN projects ON projects.id = tasks.project_id\nWHERE projects.owner_id = ?;",
    "-- name: CommentsWithAuthor :many\nSELECT comments.id, comments.body, users.name AS author\n"
    "FROM comments JOIN users ON users.id = comments.author_id\nWHERE comments.task_id = ?;",
    "-- name: OpenTaskCounts :many\nSELECT project_id, count(*) AS open_tasks FROM tasks\n"
    "WHERE status = 'open' GROUP BY project_id;",
)


def all_queries() -> list[str]:
    queries = [query for table in TABLES for query in table_queries(table)]
    queries += JOIN_QUERIES
    if len(queries) < QUERY_COUNT:
        raise AssertionError(f"only {len(queries)} query patterns")
    return queries[:QUERY_COUNT]


def migration_text(up: str, down: str) -> str:
    return f"-- +goose Up\n{up}\n\n-- +goose Down\n{down}\n"


PYPROJECT = """\
[project]
name = "synthetic"
version = "0"

[tool.sqlforge]
migrations = "db/migrations"
schema = "db/schema.sql"
queries = ["db/queries/*.sql"]
out = "src/synthetic/db"
"""
SQLC_YAML = """\
version: "2"
sql:
  - engine: "sqlite"
    schema: "db/schema.sql"
    queries: "db/queries"
    gen:
      go:
        package: "db"
        out: "gen/db"
"""


def write_project(root: Path) -> None:
    """The project's sources (nothing generated yet)."""
    (root / "db" / "migrations").mkdir(parents=True)
    (root / "db" / "queries").mkdir()
    (root / "src" / "synthetic").mkdir(parents=True)
    (root / "src" / "synthetic" / "__init__.py").write_text("", "utf-8")
    (root / "pyproject.toml").write_text(PYPROJECT, "utf-8")
    (root / "sqlc.yaml").write_text(SQLC_YAML, "utf-8")
    for number, (name, up, down) in enumerate(MIGRATIONS, start=1):
        text = migration_text(up, down or DOWN_OF_INDEX.get(name, ""))
        (root / "db" / "migrations" / f"{number:05d}_{name}.sql").write_text(text, "utf-8")
    queries = all_queries()
    size = len(queries) // QUERY_FILES
    for index in range(QUERY_FILES):
        chunk = queries[index * size : (index + 1) * size]
        path = root / "db" / "queries" / f"part_{index + 1}.sql"
        path.write_text("\n\n".join(chunk) + "\n", "utf-8")
