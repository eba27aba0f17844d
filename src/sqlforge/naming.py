"""Python names made from SQL names: model classes, fields, functions, and the safety rules.

Names from SQL can hold anything a quoted identifier can (spaces, quotes, `;`, non-ASCII
letters). Every name sqlforge writes into generated code goes through `python_identifier`,
which keeps ASCII letters, digits and underscores only, so no SQL name can inject code.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Collection, Iterable

_WORD_BREAKS = (
    re.compile(r"([A-Z]+)([A-Z][a-z])"),  # HTTPServer -> HTTP_Server
    re.compile(r"([a-z0-9])([A-Z])"),  # jobId -> job_Id
)
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_UNCOUNTABLE = frozenset(
    {
        "data",
        "metadata",
        "information",
        "equipment",
        "news",
        "series",
        "species",
        "sheep",
        "fish",
        "deer",
        "software",
        "hardware",
        "feedback",
        "media",
        "analytics",
    }
)
_IRREGULAR = {
    "people": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "mice": "mouse",
    "geese": "goose",
    "feet": "foot",
    "teeth": "tooth",
    "oxen": "ox",
    "indices": "index",
    "vertices": "vertex",
    "matrices": "matrix",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "leaves": "leaf",
    "lives": "life",
    "knives": "knife",
    "wives": "wife",
    "wolves": "wolf",
    "halves": "half",
    "shelves": "shelf",
    "selves": "self",
    "quizzes": "quiz",
    "aliases": "alias",
    "movies": "movie",
    "cookies": "cookie",
    "ties": "tie",
    "pies": "pie",
    "lies": "lie",
    "shoes": "shoe",
    "canoes": "canoe",
    "heroes": "hero",
    "potatoes": "potato",
    "tomatoes": "tomato",
    "echoes": "echo",
    "caches": "cache",
    "niches": "niche",
    "uses": "use",
    "abuses": "abuse",
    "excuses": "excuse",
    "fuses": "fuse",
    "refuses": "refuse",
}
_SINGULAR_ENDINGS = ("ss", "us", "is")
_ES_PLURALS = ("sses", "shes", "ches", "xes", "zzes")
_US_PLURAL = re.compile(r"[^aeiou]uses$")


def python_identifier(name: str, *, fallback: str) -> str:
    """An ASCII Python identifier made from `name`; `fallback` when nothing usable is left.

    Accents are dropped (`é` -> `e`), every other non-ASCII or punctuation character becomes
    `_` (`größe` -> `gro_e`), runs of `_` collapse, leading and trailing `_` go, a leading
    digit gets the fallback as a prefix, and a keyword gets a trailing `_` (PEP 8).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_IDENTIFIER.sub("_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    if not text:
        return fallback
    if text[0].isdigit():
        text = f"{fallback}_{text}"
    return f"{text}_" if keyword.iskeyword(text) else text


def is_safe_identifier(name: str) -> bool:
    """True for an ASCII identifier that is no keyword and no dunder name."""
    return (
        _IDENTIFIER.fullmatch(name) is not None
        and not keyword.iskeyword(name)
        and not (name.startswith("__") and name.endswith("__"))
    )


def snake_case(name: str, *, fallback: str = "name") -> str:
    """`TaskDependencies`, `taskDependencies`, `task-dependencies` -> `task_dependencies`."""
    return "_".join(words(name)) or fallback


def words(name: str) -> list[str]:
    """The lower-case words of a name, split at `_`, punctuation and case changes."""
    text = python_identifier(name, fallback="")
    for pattern in _WORD_BREAKS:
        text = pattern.sub(r"\1_\2", text)
    return [word.lower() for word in text.split("_") if word]


def cap_words(name: str) -> str:
    """`task_dependency` -> `TaskDependency`."""
    return "".join(word[:1].upper() + word[1:] for word in words(name))


def singular(word: str) -> str:
    """The singular of an English plural noun (a lower-case word), by common rules."""
    if word in _UNCOUNTABLE or len(word) <= 2:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_PLURALS) or _US_PLURAL.search(word):
        return word[:-2]
    if word.endswith(_SINGULAR_ENDINGS) or not word.endswith("s"):
        return word
    return word[:-1]


def model_name(table: str) -> str:
    """The model class of a table or view: singular CapWords (`task_dependencies` ->
    `TaskDependency`). Only the last word is made singular."""
    parts = words(table)
    if not parts:
        return "Model"
    parts[-1] = singular(parts[-1])
    name = "".join(part[:1].upper() + part[1:] for part in parts)
    if name[0].isdigit():
        return f"Table{name}"
    return f"{name}_" if keyword.iskeyword(name) else name  # `true` -> `True_`


def field_name(column: str, *, position: int, reserved: Collection[str] = ()) -> str:
    """The field of a column: snake_case, `column_<position>` (1-based) when nothing usable
    is left, with a trailing `_` for keywords and for `reserved` names."""
    name = snake_case(column, fallback=f"column_{position}")
    if name[0].isdigit():
        name = f"column_{name}"
    return f"{name}_" if name in reserved or keyword.iskeyword(name) else name


def function_name(name: str, *, fallback: str) -> str:
    """A snake_case function or argument name (`GetJobByID` -> `get_job_by_id`)."""
    result = snake_case(name, fallback=fallback)
    if result[0].isdigit():
        result = f"{fallback}_{result}"
    return f"{result}_" if keyword.iskeyword(result) else result


def unique_names(names: Iterable[str], *, separator: str = "_") -> list[str]:
    """Repeats get `_2`, `_3`, ... (sqlc's rule), skipping suffixes already taken."""
    wanted = list(names)
    taken = set(wanted)
    seen: set[str] = set()
    result: list[str] = []
    for name in wanted:
        candidate, number = name, 2
        while candidate in seen or (candidate != name and candidate in taken):
            candidate = f"{name}{separator}{number}"
            number += 1
        seen.add(candidate)
        result.append(candidate)
    return result
