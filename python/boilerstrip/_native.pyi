"""Type stubs of the native part of boilerstrip (Rust, through pyo3)."""

from os import PathLike
from typing import Iterable, List, Optional, Tuple, TypeVar, Union, overload

Text = TypeVar("Text", str, bytes)
StrPath = Union[str, PathLike[str]]

MAX_LINE: int
"""Lines longer than this many bytes are passed through unclassified."""

class Model:
    """Corpus statistics learned from documents (pass 1).

    ``a + b`` (or ``a.merge(b)``) adds two models, with the same result in
    any order and grouping; ``Model()`` is the empty model and ``sum(models)``
    works. Its bytes are the model file of ``boilerstrip learn -o``.
    Models pickle (through those bytes)."""

    def __init__(self) -> None: ...
    @property
    def documents(self) -> int:
        """Number of documents counted."""
    @property
    def sites(self) -> int:
        """Number of distinct sites counted."""
    @property
    def distinct_lines(self) -> int:
        """Number of distinct normalised lines counted."""
    def merge(self, other: Model) -> Model:
        """The sum of this model and ``other`` (neither is changed)."""
    def __add__(self, other: Model) -> Model: ...
    def __radd__(self, other: Union[Model, int]) -> Model: ...
    def __eq__(self, other: object) -> bool: ...
    def to_bytes(self) -> bytes:
        """The model file's bytes (versioned and checksummed)."""
    @staticmethod
    def from_bytes(data: bytes) -> Model:
        """Reads a model from a model file's bytes; ``ValueError`` if they
        are not one."""
    def save(self, path: StrPath) -> None:
        """Writes the model file (through a temporary file)."""
    @staticmethod
    def load(path: StrPath) -> Model:
        """Reads a model file, such as ``boilerstrip learn -o`` writes."""

def learn(texts: Iterable[Union[str, bytes]], sites: Optional[Iterable[Optional[str]]] = None) -> Model:
    """Learns a model from ``texts`` (each one document), ``sites`` giving
    each text's site (or ``None``)."""

@overload
def clean(text: str, model: Optional[Model] = None, site: Optional[str] = None) -> str:
    """The kept lines of ``text``, byte for byte. Without a model, the
    statistics of this text alone (as ``boilerstrip clean`` on one file)."""
@overload
def clean(text: bytes, model: Optional[Model] = None, site: Optional[str] = None) -> bytes: ...

def clean_batch(
    texts: Iterable[Text],
    sites: Optional[Iterable[Optional[str]]] = None,
    model: Optional[Model] = None,
) -> List[Text]:
    """Cleans many texts in parallel. Without a model, one is learned over
    ``texts`` first (as ``boilerstrip clean`` over a corpus)."""

def explain(
    text: Text, model: Optional[Model] = None, site: Optional[str] = None
) -> List[Tuple[bool, float, str, Text]]:
    """Every line with its verdict: ``(keep, score, cause, line)``, the cause
    worded as ``--explain`` words it, the line without its line end."""

def merge(models: Iterable[Model]) -> Model:
    """The sum of ``models`` (the empty model if there are none)."""

def discover(
    paths: List[str], format: Optional[str] = None
) -> Tuple[List[Tuple[str, str, Optional[str], str]], List[str]]: ...
def learn_files(
    files: Iterable[Tuple[str, str, Optional[str], str]],
    *,
    text_field: str = "text",
    group_field: Optional[str] = None,
    threads: int = 1,
) -> Tuple[Model, List[str]]: ...
def clean_files(
    files: Iterable[Tuple[str, str, Optional[str], str]],
    out_dir: str,
    model: Model,
    *,
    text_field: str = "text",
    group_field: Optional[str] = None,
    threads: int = 1,
    drop_empty: bool = False,
) -> Tuple[str, List[str]]: ...
def check_output_dir(out_dir: str, inputs: List[str]) -> None:
    """``ValueError`` if ``out_dir`` is, or is inside, an input directory,
    or would overwrite an input."""
