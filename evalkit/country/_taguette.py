"""Taguette highlights import for :mod:`evalkit.country.qual` (private; use ``evalkit.country.qual.read_taguette_highlights``)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import DataError

TAGUETTE_COLUMNS = ("id", "document", "tag", "content")


def _slug(name: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.strip())
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug or "document"


def read_taguette_highlights(
    path: str | Path,
    *,
    study: str,
    tag_separator: str | None = None,
    documents: Mapping[str, str] | None = None,
    keep_untagged: bool = False,
    encoding: str = "utf-8-sig",
) -> pd.DataFrame:
    """Read Taguette's highlights CSV export as an ``excerpts`` table.

    Parameters
    ----------
    path : str or Path
        The CSV from Taguette's "Export all highlights" (columns ``id,
        document, tag, content``; one row per highlight × tag). Extra columns
        written by some versions (e.g. tag_parent, tag_description) are ignored.
    study : str
        Study id to put in every row.
    tag_separator : str, optional
        If the project encodes hierarchy in tag names (e.g. ``"Pay.Wages"`` with
        ``"."``), split on it and join levels with " > ". ``None`` keeps tags as
        they are (a tag already written ``Theme > Topic`` works unchanged).
    documents : mapping, optional
        Document name → session_id. Without it, the session id is the document
        name as a slug without its file extension ("Group 3.docx" → "group-3").
    keep_untagged : bool, default False
        Keep highlights with no tag (code_path blank).
    encoding : str, default "utf-8-sig"

    Returns
    -------
    DataFrame
        ``study, excerpt_id, session_id, code_path, text`` (excerpt_id is
        Taguette's highlight id, so a highlight with two tags gives two rows
        with the same excerpt_id). Text is not escaped.

    Raises
    ------
    DataError
        File missing or unreadable, or columns missing; a document absent from
        ``documents``.

    Notes
    -----
    Column names from Taguette's ``taguette/export.py`` (``highlights_csv``:
    header ``id, document, tag, content``; content converted from HTML to
    plain text).
    """
    p = Path(path)
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False, encoding=encoding)
    except FileNotFoundError:
        raise DataError(f"{p}: file not found; export highlights from Taguette as CSV") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{p}: not a readable CSV file ({exc.__class__.__name__}); export it again as CSV") from None
    missing = [c for c in TAGUETTE_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{p}: missing column(s) {', '.join(missing)}; expected Taguette's highlights export "
                        f"with columns id, document, tag, content")
    df = raw[list(TAGUETTE_COLUMNS)].copy()
    df["tag"] = df["tag"].str.strip()
    if not keep_untagged:
        df = df.loc[df["tag"] != ""]
    if tag_separator:
        df["tag"] = df["tag"].map(lambda t: " > ".join(x.strip() for x in t.split(tag_separator)) if t else t)
    if documents is not None:
        unknown = sorted(set(df["document"]) - set(documents))
        if unknown:
            raise DataError(f"{p}: document {unknown[0]!r} is not in the documents mapping; add it")
        session = df["document"].map(documents)
    else:
        session = df["document"].map(_slug)
    out = pd.DataFrame({
        "study": study,
        "excerpt_id": df["id"].str.strip(),
        "session_id": session,
        "code_path": df["tag"].where(df["tag"] != "", np.nan),
        "text": df["content"],
    }).reset_index(drop=True)
    return out.astype({"study": "object", "excerpt_id": "object", "session_id": "object", "text": "object"})
