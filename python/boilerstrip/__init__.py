"""boilerstrip strips web boilerplate from scraped text and keeps the article.

Python bindings of the Rust library, with the command line's results byte for
byte. Two passes, as on the command line:

1. ``learn`` counts in how many documents (and documents of the same site)
   each line occurs: a ``Model``. Models learned on shards add up
   (``a + b``, ``merge``) to the model of the whole corpus, in any order.
2. ``clean`` and ``clean_batch`` keep the article's lines of each text.
   A ``Cleaner`` given as ``cleaner=`` sets the classifier options of
   ``boilerstrip clean`` (rule files, threshold...); pass 1 needs none.

>>> import boilerstrip
>>> pages = ["Share this post\\nThe council met on Monday about the harbour wall, which storms damaged last winter.\\n",
...          "Share this post\\nFishing boats returned early on Tuesday as the forecast turned and the slipway closed.\\n"]
>>> boilerstrip.clean_batch(pages, sites=["example.org"] * 2)[0]
'The council met on Monday about the harbour wall, which storms damaged last winter.\\n'

``boilerstrip.spark`` runs both passes over a corpus of files on Apache Spark.
"""

import os
from typing import NamedTuple, Optional

from ._native import (
    MAX_LINE,
    Cleaner,
    Model,
    clean,
    clean_batch,
    explain,
    learn,
    merge,
)
from . import _native

__all__ = [
    "MAX_LINE",
    "Cleaner",
    "InputFile",
    "Model",
    "clean",
    "clean_batch",
    "discover",
    "explain",
    "learn",
    "learn_files",
    "clean_files",
    "merge",
]


class InputFile(NamedTuple):
    """One input file, as ``boilerstrip clean`` finds it under a directory."""

    path: str
    """Where to read it."""
    relative: str
    """Its output path under an output directory."""
    site: Optional[str]
    """The name of its folder (for a text file, the site of its document)."""
    format: str
    """``text``, ``jsonl`` or ``wet``."""


def discover(paths, format=None):
    """The input files under ``paths`` (files or directories), in the command
    line's order, with its output paths and sites. Returns ``(files,
    problems)``: a list of ``InputFile`` and the messages about entries that
    were skipped. A path that does not exist raises ``OSError``."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    files, problems = _native.discover([os.fsdecode(p) for p in paths], format)
    return [InputFile(str(p), str(r), s, f) for p, r, s, f in files], problems


def learn_files(files, *, text_field="text", group_field=None, threads=1):
    """Pass 1 of ``boilerstrip learn`` over ``files`` (``InputFile``\\ s from
    ``discover``, any subset). Returns ``(model, problems)``."""
    return _native.learn_files(
        [_as_tuple(f) for f in files],
        text_field=text_field,
        group_field=group_field,
        threads=threads,
    )


def clean_files(
    files,
    out_dir,
    model,
    *,
    text_field="text",
    group_field=None,
    threads=1,
    drop_empty=False,
    cleaner=None,
):
    """Pass 2 of ``boilerstrip clean --model M -o OUT_DIR`` over ``files``
    (``InputFile``\\ s from ``discover``): every output at its relative path
    under ``out_dir``, compressed as its input, written through a temporary
    name, with the classifier options of ``cleaner`` (a ``Cleaner``; by
    default ``Cleaner()``). Returns ``(stats, problems)``, ``stats`` the
    dictionary that ``--stats-json`` writes."""
    import json

    stats, problems = _native.clean_files(
        [_as_tuple(f) for f in files],
        os.fsdecode(out_dir),
        model,
        text_field=text_field,
        group_field=group_field,
        threads=threads,
        drop_empty=drop_empty,
        cleaner=cleaner,
    )
    return json.loads(stats), problems


def _as_tuple(f):
    path, relative, site, fmt = f
    return (os.fsdecode(path), os.fsdecode(relative), site, fmt)
