from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqlforge.naming import (
    cap_words,
    field_name,
    function_name,
    is_safe_identifier,
    model_name,
    python_identifier,
    singular,
    snake_case,
    unique_names,
)


@pytest.mark.parametrize(
    ("table", "model"),
    [
        ("jobs", "Job"),
        ("task_dependencies", "TaskDependency"),
        ("last_rendereds", "LastRendered"),
        ("statuses", "Status"),
        ("categories", "Category"),
        ("workers", "Worker"),
        ("worker_tag_memberships", "WorkerTagMembership"),
        ("active_jobs", "ActiveJob"),
        ("TaskDependencies", "TaskDependency"),
        ("addresses", "Address"),
        ("boxes", "Box"),
        ("batches", "Batch"),
        ("people", "Person"),
        ("status", "Status"),
        ("analysis", "Analysis"),
        ("houses", "House"),
        ("bonuses", "Bonus"),
        ("data", "Data"),
        ("series", "Series"),
        ("job", "Job"),
        ("2fa_codes", "Table2faCode"),
        ("TRUE", "True_"),
        ("nones", "None_"),
        ("", "Model"),
    ],
)
def test_model_names_are_singular_capwords(table: str, model: str) -> None:
    assert model_name(table) == model


@pytest.mark.parametrize(
    ("plural", "one"),
    [("dependencies", "dependency"), ("classes", "class"), ("uses", "use"), ("is", "is")],
)
def test_singular(plural: str, one: str) -> None:
    assert singular(plural) == one


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("TaskDependencies", "task_dependencies"),
        ("jobID", "job_id"),
        ("HTTPServer", "http_server"),
        ("task-dependencies", "task_dependencies"),
        ("created at", "created_at"),
        ("already_snake", "already_snake"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert snake_case(name) == snake


def test_cap_words() -> None:
    assert cap_words("task_dependency") == "TaskDependency"


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("created_at", "created_at"),
        ("class", "class_"),
        ("", "column_4"),
        ("1st", "column_1st"),
        ("jobID", "job_id"),
        ("x; import os", "x_import_os"),
        ("größe", "gro_e"),
        ("café", "cafe"),
    ],
)
def test_field_names(column: str, field: str) -> None:
    assert field_name(column, position=4) == field


def test_reserved_field_names_get_a_trailing_underscore() -> None:
    assert field_name("int", position=1, reserved={"int"}) == "int_"


def test_function_names() -> None:
    assert function_name("GetJobByID", fallback="query") == "get_job_by_id"
    assert function_name("Import", fallback="query") == "import_"
    assert function_name("", fallback="query") == "query"


def test_unique_names_follow_sqlc() -> None:
    assert unique_names(["id", "name", "id", "id"]) == ["id", "name", "id_2", "id_3"]
    assert unique_names(["id", "id", "id_2"]) == ["id", "id_3", "id_2"]
    assert unique_names(["Job", "Job"], separator="") == ["Job", "Job2"]


@pytest.mark.parametrize(
    ("name", "safe"),
    [("job", True), ("_x", True), ("class", False), ("__init__", False), ("a-b", False)],
)
def test_is_safe_identifier(name: str, safe: bool) -> None:
    assert is_safe_identifier(name) is safe


@given(st.text())
def test_every_sql_name_becomes_a_safe_identifier(name: str) -> None:
    for result in (
        python_identifier(name, fallback="x"),
        model_name(name),
        field_name(name, position=1),
        function_name(name, fallback="q"),
    ):
        assert is_safe_identifier(result), result
        assert result.isascii()
        assert not keyword.iskeyword(result)
