"""Converting pydantic validation errors of a params file to one-line messages.

Private helpers of :mod:`evalkit.inputs.params` (split out because ``params.py`` passed the
~600-line module size of the style guide): each pydantic error becomes the dotted key,
a message a non-programmer can act on (unknown keys list the keys allowed there) and the
offending value; :mod:`evalkit.inputs.params` wraps them into ``ParamsProblem`` objects.
"""
from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from evalkit.inputs._param_values import _not_finite, _show


def _loc_text(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-")))


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated/Optional to reach a model class or dict/tuple type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin is not None and origin not in (dict, tuple, list) and len(args) == 1:
            annotation = args[0]  # Optional[X]
            continue
        return annotation


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the key at ``loc`` (to list the keys allowed there)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _error_message(error: dict, model: type[BaseModel]) -> tuple[str | None, str, object]:
    """One pydantic error as (dotted key or None, one-line message, offending value)."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    key = _loc_text(loc) or None
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = f"; allowed here: {', '.join(parent.model_fields)}" if parent is not None else ""
        message = f"unknown key{allowed}; check the spelling or remove it"
    elif kind == "missing":
        message = "required key is missing; add it (see the comments in params/collaborative.yaml)"
    elif kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        message = f"{_show(value)} is not one of {expected}; fix the value"
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        message = f"{_show(value)} is not a whole number; fix the value"
    elif kind == "finite_number":
        message = _not_finite(value)
    elif kind in ("float_type", "float_parsing"):
        message = f"{_show(value)} is not a number; fix the value"
    elif kind in ("bool_type", "bool_parsing"):
        message = f"{_show(value)} is not true or false; fix the value"
    elif kind in ("string_type",):
        message = f"{_show(value)} is not text; put it in quotes"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = f"{_show(value)} should be a group of keys (key: value lines, indented below it)"
    elif kind in ("tuple_type", "list_type"):
        message = f"{_show(value)} should be a list, e.g. [a, b]"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
                 "less_than_equal": "at most"}[kind]
        limit = next(iter(ctx.values()), "")
        message = f"{_show(value)} is too {'small' if kind.startswith('greater') else 'large'}; it must be {bound} {limit}"
    elif kind in ("too_short",):
        message = "is empty; list at least one entry"
    else:
        message = " ".join(str(error["msg"]).split()) + "; fix the value"
    return key, message, value

