"""Type stubs of the native part of boilerstrip (Rust, through pyo3)."""

from os import PathLike
from typing import Iterable, List, Optional, Tuple, TypeVar, Union, overload

Text = TypeVar("Text", str, bytes)
StrPath = Union[str, PathLike[str]]
AnyPath = Union[str, bytes, PathLike[str], PathLike[bytes]]

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

class Cleaner:
    """The classifier options of ``boilerstrip clean``, with the same names,
    defaults, meaning and errors: ``rules`` (``--rules``, files read and
    compiled now), ``line_model`` (``--line-model``), ``threshold``
    (``--threshold``, 0 to 1, lower keeps more; ``None`` the model's own),
    ``sandwich_words``, ``template_docs`` (0 turns the rule off),
    ``soft_lexicon``, ``settle``, and ``headline`` (``False`` is
    ``--no-headline``). ``clean``, ``clean_batch``, ``explain`` and
    ``clean_files`` take one as ``cleaner=``; pass 1 (``learn``) depends on
    none of them.

    A file that cannot be read raises ``OSError``; a rule file or line model
    that does not parse, or a value out of range, ``ValueError`` naming the
    file and line as the command line does. Immutable, shared freely by
    threads; pickles with its files' texts."""

    def __init__(
        self,
        *,
        rules: Iterable[AnyPath] = (),
        line_model: Optional[AnyPath] = None,
        threshold: Optional[float] = None,
        sandwich_words: int = 3,
        template_docs: int = 3,
        soft_lexicon: bool = False,
        settle: bool = False,
        headline: bool = True,
    ) -> None: ...
    @property
    def rules(self) -> List[str]:
        """The rule files' paths, as given."""
    @property
    def line_model(self) -> Optional[str]:
        """The line model's path, or ``None`` for the built-in model."""
    @property
    def threshold(self) -> Optional[float]:
        """The threshold as given, or ``None`` for the model's own."""
    @property
    def effective_threshold(self) -> float:
        """The threshold lines are kept at: the one given, or the model's."""
    @property
    def sandwich_words(self) -> int: ...
    @property
    def template_docs(self) -> int: ...
    @property
    def soft_lexicon(self) -> bool: ...
    @property
    def settle(self) -> bool: ...
    @property
    def headline(self) -> bool: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def learn(texts: Iterable[Union[str, bytes]], sites: Optional[Iterable[Optional[str]]] = None) -> Model:
    """Learns a model from ``texts`` (each one document), ``sites`` giving
    each text's site (or ``None``)."""

@overload
def clean(
    text: str,
    model: Optional[Model] = None,
    site: Optional[str] = None,
    *,
    cleaner: Optional[Cleaner] = None,
) -> str:
    """The kept lines of ``text``, byte for byte. Without a model, the
    statistics of this text alone (as ``boilerstrip clean`` on one file).
    ``cleaner`` sets the classifier options (default ``Cleaner()``)."""
@overload
def clean(
    text: bytes,
    model: Optional[Model] = None,
    site: Optional[str] = None,
    *,
    cleaner: Optional[Cleaner] = None,
) -> bytes: ...

def clean_batch(
    texts: Iterable[Text],
    sites: Optional[Iterable[Optional[str]]] = None,
    model: Optional[Model] = None,
    *,
    cleaner: Optional[Cleaner] = None,
) -> List[Text]:
    """Cleans many texts in parallel. Without a model, one is learned over
    ``texts`` first (as ``boilerstrip clean`` over a corpus). ``cleaner`` as
    for ``clean``."""

def explain(
    text: Text,
    model: Optional[Model] = None,
    site: Optional[str] = None,
    *,
    cleaner: Optional[Cleaner] = None,
) -> List[Tuple[bool, float, str, Text]]:
    """Every line with its verdict: ``(keep, score, cause, line)``, the cause
    worded as ``--explain`` words it, the line without its line end.
    ``cleaner`` as for ``clean``."""

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
    cleaner: Optional[Cleaner] = None,
) -> Tuple[str, List[str]]: ...
def check_output_dir(out_dir: str, inputs: List[str]) -> None:
    """``ValueError`` if ``out_dir`` is, or is inside, an input directory,
    or would overwrite an input."""
