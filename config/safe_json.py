"""JSON that is safe to keep: parsed without overflowing the stack, no
deeper than MAX_JSON_DEPTH, and with no string PostgreSQL refuses to store.
Pure Python, for the API's parser and the importers alike."""

import json
import math
from typing import Any

MAX_JSON_DEPTH = 32


def text_problem(text: str) -> str | None:
    """Why `text` can't be stored (PostgreSQL refuses NUL and lone surrogates
    in any text or JSON), or None."""
    if "\x00" in text:
        return "must not contain NUL (\\0) characters."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain lone surrogates (unpaired \\ud800-\\udfff escapes)."
    return None


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def json_problem(data: Any) -> tuple[str, str] | None:
    """The first place in parsed JSON that is nested too deeply or holds a
    string that can't be stored, as (field path, message); walked without
    recursion, so no depth can overflow the stack here."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return path or "body", f"is nested more than {MAX_JSON_DEPTH} levels deep."
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return path or "body", problem
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = text_problem(key)
                if key_problem:
                    return path or "body", f"a key {key_problem}"
                pending.append((item, join(path, key), depth + 1))
        elif isinstance(value, list):
            pending.extend((item, join(path, index), depth + 1) for index, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            return path or "body", "must be a finite number."
    return None


def checked_json(text: str | bytes) -> Any:
    """Parse JSON and check it as above. Raises ValueError for malformed
    JSON (with json's own message) and `Refused` for the rest."""
    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise Refused("body", f"is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    problem = json_problem(data)
    if problem:
        raise Refused(*problem)
    return data


def refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class Refused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
