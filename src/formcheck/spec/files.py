"""Reading the physiotherapists' files strictly: TOML in, one line per problem out (the file, the
key, what is wrong and what is allowed), and the bilingual text type they share."""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from formcheck.core.lang import in_lang

VIEWS = ("side", "front", "oblique")


class SpecError(Exception):
    """An exercise, program or profile file that is not valid; one line per problem."""


class UnknownName(SpecError):
    """A name given on the command line (an exercise, a program, a session of it) that names
    nothing: a mistake on the command line, so the exit is 2 as for argparse's own errors."""

    usage_mistake = True


class StrictModel(BaseModel):
    """Strict: "10" is no number and 1 is no true. TOML arrays arrive as lists; the specs are
    frozen, so they become tuples first (their items are still checked strictly)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _arrays_as_tuples(cls, data: Any) -> Any:
        return _as_tuples(data) if isinstance(data, dict) else data


def _as_tuples(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _as_tuples(x) for k, x in v.items()}
    if isinstance(v, list):
        return tuple(_as_tuples(x) for x in v)
    return v


class Text(StrictModel):
    """A text in both languages: a name, a cue, a title."""

    da: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @field_validator("da", "en")
    @classmethod
    def _one_printable_line(cls, v: str) -> str:
        # shown on the screen and printed on the terminal: an escape sequence would recolour or
        # move the terminal's text (and a control character is a box on the screen)
        if any(unicodedata.category(c) == "Cc" for c in v):
            raise ValueError("must be one line of text, without control characters or escape sequences")
        return v

    def get(self, lang: str) -> str:
        return in_lang(lang, self.da, self.en)


def rule_key(index: int, rule_id: object) -> str:
    """How an error names a rule: by its id and its place in the file (rules.5 is the 6th)."""
    rid = f" {rule_id!r}" if isinstance(rule_id, str) else ""
    return f"[[rules]]{rid} (number {index + 1})"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type (X, X | None, tuple[X, ...], dict[str, X])."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for a in getattr(annotation, "__args__", ()):
        inner = _nested_model(a)
        if inner is not None:
            return inner
    return None


def allowed_keys(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table holding ``loc[-1]`` (for 'unknown key' messages).

    Walks the models along ``loc``; list indices and dict keys (exercise ids, rule ids, views)
    keep the container's value model.
    """
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None:
            return []
        field = model.model_fields.get(str(part)) if not isinstance(part, int) else None
        if field is not None:
            model = _nested_model(field.annotation)
    return [k for k in model.model_fields if k != "path"] if model else []


DICT_KEYS = {"instructions": ("language", "da, en"), "count_views": ("view", ", ".join(VIEWS))}  # what a table's own keys are


def _key(loc: tuple[Any, ...], data: Any) -> str:
    """The dotted key of an error, with a rule named by its id: ``[[rules]] 'head_down' (number 6).limit``."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
        head = rule_key(loc[1], rule.get("id") if isinstance(rule, dict) else None)
        return ".".join((head, *(str(p) for p in loc[2:])))
    return ".".join(str(p) for p in loc)


def format_validation_error(path: Path, err: ValidationError, root: type[BaseModel], data: Any = None) -> str:
    """One line per problem: the file, the key, what is wrong and what is allowed. ``data``: the
    file's contents, to name rules by their id."""
    lines = []
    errors = err.errors()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "too_short" and any(tuple(o["loc"])[:len(loc)] == loc and len(o["loc"]) > len(loc)
                                            for o in errors):
            continue  # a list left "too short" only because one of its items was refused: said already
        key = _key(loc, data)
        got = e.get("input")
        if e["type"] == "extra_forbidden":
            allowed = allowed_keys(root, loc)
            lines.append(f"{path}: {key}: unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else ""))
            continue
        if loc and loc[-1] == "[key]":  # a table's own key (a camera view, a language) that is not allowed
            key = ".".join(str(p) for p in loc[:-2] + (got,))
            what, allowed = DICT_KEYS.get(str(loc[-3]) if len(loc) >= 3 else "", ("key", ""))
            msg = f"unknown {what}; allowed: {allowed}" if allowed else e["msg"]
            lines.append(f"{path}: {key}: {msg}")
            continue
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "tuple_type":  # TOML arrays are read into tuples: say it in the file's words
            msg = "should be a list in [ ], e.g. [\"a\", \"b\"]"
        elif e["type"] == "too_short" and isinstance(got, tuple):
            msg = msg.replace("Tuple", "List")
        extra = "" if e["type"] == "missing" or isinstance(got, (dict, list, tuple)) else f" (got {got!r})"
        if not loc:  # a check across keys: its message names them
            lines.append(f"{path}: {msg}")
            continue
        lines.append(f"{path}: {key}: {msg}{extra}")
    return "\n".join(lines)


MAX_FILE_BYTES = 1_000_000  # the largest exercise file is ~6 KB; past this it is no settings file
MAX_DEPTH = 16  # tables and lists within each other: the files use 4 at most


def read_toml(path: Path) -> dict:
    """The TOML file's contents, or a one-line SpecError. Read up to MAX_FILE_BYTES (a device such
    as /dev/zero, or a huge file given by mistake, is refused at once, not read into memory) and
    nested at most MAX_DEPTH deep (deeper, the checks ran out of recursion: "internal error")."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise SpecError(f"{path}: too large for a settings file (more than {MAX_FILE_BYTES // 1_000_000} MB)")
        # utf-8-sig: a byte-order mark, as some Windows editors write, is not an error
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except RecursionError:  # (the reader is recursive)
        raise SpecError(f"{path}: tables or lists nested too deeply (at most {MAX_DEPTH})") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror}") from None
    if _depth(data) > MAX_DEPTH:
        raise SpecError(f"{path}: tables or lists nested too deeply (at most {MAX_DEPTH})")
    return data


def _depth(data: Any) -> int:
    """How deep tables and lists are nested in ``data`` (a loop: no recursion to run out of)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            todo.extend((v, depth + 1) for v in value)
    return deepest
