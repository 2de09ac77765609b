"""``boilerstrip.Cleaner``: the classifier options of ``boilerstrip clean``
against the command line with the same flags, byte for byte, and the same
refusals."""

import inspect
import pickle
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

import boilerstrip
from boilerstrip import Cleaner

from conftest import REPO, SAMPLE, assert_explain_matches, run_cli, sample_corpus, tree

SEAWALL = SAMPLE / "harbourgazette" / "seawall-funding.txt"
BYLINE = "By Owen Castell"
BYLINE_RULES = "# Bylines of the Gazette.\n@category bylines\n^ by owen castell\n"


def write_rules(tmp_path, text=BYLINE_RULES, name="bylines.rules"):
    path = tmp_path / name
    path.write_text(text)
    return path


def clean_corpus(**kw):
    """The sample corpus cleaned as one corpus, by relative path."""
    corpus = sample_corpus()
    out = boilerstrip.clean_batch(
        [b for _, _, b in corpus], sites=[s for _, s, _ in corpus], **kw
    )
    return {rel: o for (rel, _, _), o in zip(corpus, out)}


def cli_corpus(cli, out, *flags):
    run_cli(cli, "clean", SAMPLE, "-o", out, "--quiet", *flags)
    return tree(out)


def cli_error(cli, *args):
    """The message of a command line that fails with exit status 2."""
    p = subprocess.run([str(cli), *map(str, args)], capture_output=True)
    assert p.returncode == 2, (p.returncode, p.stderr)
    prefix = b"boilerstrip: error: "
    assert p.stderr.startswith(prefix), p.stderr
    return p.stderr[len(prefix):].decode().rstrip("\n")


def test_a_rule_file_drops_a_line_the_default_keeps_and_explain_names_it(cli, tmp_path):
    rules = write_rules(tmp_path)
    text = SEAWALL.read_text()
    site = SEAWALL.parent.name
    assert BYLINE + "\n" in boilerstrip.clean(text, site=site)
    cleaner = Cleaner(rules=[rules])
    got = boilerstrip.clean(text, site=site, cleaner=cleaner)
    assert BYLINE not in got
    assert got.encode() == run_cli(cli, "clean", SEAWALL, "--quiet", "--rules", rules)
    rows = [r for r in boilerstrip.explain(text, site=site, cleaner=cleaner) if r[3] == BYLINE]
    assert [(keep, cause) for keep, _, cause, _ in rows] == [
        (False, 'lexicon:bylines "by owen castell"')
    ]
    # And as --explain words it.
    shown = run_cli(cli, "clean", "--explain", SEAWALL, "--quiet", "--rules", rules).decode()
    row = next(r for r in shown.splitlines() if r.endswith("| " + BYLINE))
    assert row.startswith("DROP") and 'lexicon:bylines "by owen castell"' in row


def test_threshold_moves_what_is_kept_as_documented():
    # --help: lower keeps more text, higher drops more, up to about 0.9.
    def kept_lines(threshold):
        out = clean_corpus(cleaner=Cleaner(threshold=threshold))
        return sum(o.count(b"\n") for o in out.values())

    low, default, high = kept_lines(0.1), kept_lines(None), kept_lines(0.8)
    assert low > default > high, (low, default, high)
    assert Cleaner().effective_threshold == 0.5
    assert Cleaner(threshold=0.8).effective_threshold == pytest.approx(0.8)
    # The model's own threshold given explicitly is the default.
    assert kept_lines(0.5) == default


def line_model(tmp_path):
    """The built-in line model with another threshold and bias: a model as
    `boilerstrip train` writes one, which decides differently."""
    text = (REPO / "src" / "model" / "line-model.txt").read_text()
    assert "threshold 0.5\n" in text and "stage1 bias " in text
    text = text.replace("threshold 0.5\n", "threshold 0.6\n")
    text = re.sub(r"^stage1 bias .*$", "stage1 bias 0.4", text, count=1, flags=re.M)
    path = tmp_path / "other.model.txt"
    path.write_text(text)
    return path


OPTIONS = [
    ("rules", lambda p: {"rules": [write_rules(p)]}, lambda p: ["--rules", p / "bylines.rules"]),
    (
        "two rule files",
        lambda p: {"rules": [write_rules(p), write_rules(p, "= email\n! copy link\n", "b.rules")]},
        lambda p: ["--rules", p / "bylines.rules", "--rules", p / "b.rules"],
    ),
    ("line_model", lambda p: {"line_model": line_model(p)}, lambda p: ["--line-model", p / "other.model.txt"]),
    ("threshold", lambda p: {"threshold": 0.3}, lambda p: ["--threshold", "0.3"]),
    ("sandwich_words", lambda p: {"sandwich_words": 0}, lambda p: ["--sandwich-words", "0"]),
    ("template_docs", lambda p: {"template_docs": 0}, lambda p: ["--template-docs", "0"]),
    ("soft_lexicon", lambda p: {"soft_lexicon": True}, lambda p: ["--soft-lexicon"]),
    ("settle", lambda p: {"settle": True}, lambda p: ["--settle"]),
    ("headline", lambda p: {"headline": False}, lambda p: ["--no-headline"]),
]


# Pages of a site whose titles come first and whose lines recur: the
# headline and site-template rules have something to do here, which they do
# not in the sample corpus.
PORTSIDE_TITLES = [
    "Ferry crews vote on new rota",
    "Harbour wall repairs begin early",
    "Oyster beds reopen after storm",
]
PORTSIDE_PAGE = (
    "{t} | Portside Weekly\nHome\nNews\nSport\n{t}\nBy Mara Quill\n"
    "The crews of Port Ellery voted on Thursday to accept the new plan after "
    "three weeks of talks with the operator about {t}.\n"
    "Officials said the agreement keeps two teams on the late shift and adds a "
    "relief skipper for stormy weekends, which members had asked for since spring.\n"
    "Portside Weekly is an independent paper written and printed on the harbour "
    "front since the year 1921.\nShare this article\n"
)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    """The sample corpus and the Portside pages."""
    root = tmp_path_factory.mktemp("corpus") / "in"
    shutil.copytree(SAMPLE, root)
    (root / "portside").mkdir()
    for i, t in enumerate(PORTSIDE_TITLES):
        (root / "portside" / f"page-{i}.txt").write_text(PORTSIDE_PAGE.format(t=t))
    return root


def read_corpus(root):
    """(relative path, site, bytes) of each file, in the command line's order."""
    files = sorted(root.rglob("*.txt"))
    return [(str(f.relative_to(root)), f.parent.name, f.read_bytes()) for f in files]


@pytest.mark.parametrize("name,kwargs,flags", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_each_option_gives_the_cli_output_with_its_flag(
    cli, tmp_path, corpus_dir, name, kwargs, flags
):
    cleaner = Cleaner(**kwargs(tmp_path))
    flags = flags(tmp_path)
    corpus = read_corpus(corpus_dir)
    texts, sites = [b for _, _, b in corpus], [s for _, s, _ in corpus]
    # The corpus as one run.
    run_cli(cli, "clean", corpus_dir, "-o", tmp_path / "out", "--quiet", *flags)
    expected = tree(tmp_path / "out")
    got = boilerstrip.clean_batch(texts, sites, cleaner=cleaner)
    assert {rel: o for (rel, _, _), o in zip(corpus, got)} == expected
    # Each file alone.
    alone = [boilerstrip.clean(b, site=s, cleaner=cleaner) for _, s, b in corpus]
    default = [boilerstrip.clean(b, site=s) for _, s, b in corpus]
    changed = [i for i in range(len(corpus)) if alone[i] != default[i]]
    # The option changed something, or the comparison proves little.
    assert changed or got != boilerstrip.clean_batch(texts, sites), name
    for i in changed[:3] or [0]:
        rel, site, data = corpus[i]
        one = run_cli(cli, "clean", corpus_dir / rel, "--quiet", *flags)
        assert alone[i] == one, rel
        shown = run_cli(cli, "clean", "--explain", corpus_dir / rel, "--quiet", *flags)
        lines = boilerstrip.explain(data.decode(), site=site, cleaner=cleaner)
        assert_explain_matches(shown, lines)


def test_clean_files_with_a_cleaner_is_the_cli_with_its_flags(cli, tmp_path):
    rules = write_rules(tmp_path)
    files, _ = boilerstrip.discover(SAMPLE)
    model, _ = boilerstrip.learn_files(files)
    model.save(tmp_path / "m.model")
    flags = ["--rules", rules, "--threshold", "0.6", "--no-headline"]
    expected = cli_corpus(cli, tmp_path / "cli", "--model", tmp_path / "m.model", *flags)
    cleaner = Cleaner(rules=[rules], threshold=0.6, headline=False)
    stats, problems = boilerstrip.clean_files(files, tmp_path / "py", model, cleaner=cleaner)
    assert not problems
    assert tree(tmp_path / "py") == expected
    boilerstrip.clean_files(files, tmp_path / "default", model)
    assert tree(tmp_path / "default") != expected


def test_bad_options_raise_the_cli_message(cli, tmp_path):
    page = SEAWALL

    def same_error(exc, kwargs, *flags):
        with pytest.raises(exc) as e:
            Cleaner(**kwargs)
        assert str(e.value) == cli_error(cli, "clean", page, "--quiet", *flags)
        return str(e.value)

    bad = write_rules(tmp_path, "share this\n\n@categroy ads\n", "bad.rules")
    msg = same_error(ValueError, {"rules": [bad]}, "--rules", bad)
    assert msg.startswith(f"{bad}:3: unknown directive @categroy")
    # The first bad file of several, as the command line names it.
    good = write_rules(tmp_path)
    same_error(ValueError, {"rules": [good, bad]}, "--rules", good, "--rules", bad)
    missing = tmp_path / "missing.rules"
    msg = same_error(OSError, {"rules": [missing]}, "--rules", missing)
    assert msg.startswith(f"cannot read the rule file {missing}: ")
    latin1 = tmp_path / "latin1.rules"
    latin1.write_bytes(b"# ok\nabonnez-vous\nr\xe9serv\xe9\n")
    msg = same_error(ValueError, {"rules": [latin1]}, "--rules", latin1)
    assert msg == f"{latin1}:3: the rule file is not UTF-8 (byte 2 of the line)"
    twice = tmp_path / "twice.model.txt"
    twice.write_text("threshold 0.5\nthreshold 0.6\n")
    msg = same_error(ValueError, {"line_model": twice}, "--line-model", twice)
    assert msg.startswith(f"{twice}:2: ")
    for t in ("1.5", "-0.1", "nan"):
        msg = same_error(ValueError, {"threshold": float(t)}, f"--threshold={t}")
        assert "threshold" in msg and "not between 0 and 1" in msg
    # Python's own checks of what the command line's parser refuses.
    for name in ("sandwich_words", "template_docs"):
        for n in (-1, 2**32):
            with pytest.raises(ValueError, match=name):
                Cleaner(**{name: n})
        with pytest.raises(TypeError, match=name):
            Cleaner(**{name: 1.5})
    with pytest.raises(TypeError, match="list of paths"):
        Cleaner(rules=str(good))
    with pytest.raises(TypeError):
        Cleaner(str(good))
    with pytest.raises(TypeError):
        boilerstrip.clean("text", cleaner="not a cleaner")


def test_a_cleaner_pickles_with_its_files_and_shows_its_settings(tmp_path):
    rules = write_rules(tmp_path)
    c = Cleaner(rules=[rules], threshold=0.3, settle=True, headline=False)
    assert repr(c) == f"Cleaner(rules=[{str(rules)!r}], threshold=0.3, settle=True, headline=False)"
    assert repr(Cleaner()) == "Cleaner()"
    assert c.rules == [str(rules)] and c.threshold == 0.3 and c.line_model is None
    text = SEAWALL.read_bytes()
    before = boilerstrip.clean(text, site="harbourgazette", cleaner=c)
    data = pickle.dumps(c)
    rules.unlink()
    back = pickle.loads(data)
    assert back == c and back != Cleaner()
    assert hash(back) == hash(c) and hash(Cleaner(threshold=-0.0)) == hash(Cleaner(threshold=0.0))
    assert boilerstrip.clean(text, site="harbourgazette", cleaner=back) == before
    assert BYLINE.encode() not in before
    # Paths as bytes and as Path name the same file.
    rules = write_rules(tmp_path)
    assert Cleaner(rules=[bytes(rules)]) == Cleaner(rules=[str(rules)]) == Cleaner(rules=(rules,))
    with pytest.raises(AttributeError):
        c.threshold = 0.9


def test_the_default_cleaner_is_the_default_and_the_signature_says_it():
    assert Cleaner() == Cleaner(threshold=None, sandwich_words=3, template_docs=3)
    sig = inspect.signature(Cleaner)
    d = Cleaner()
    for name, p in sig.parameters.items():
        assert p.kind is inspect.Parameter.KEYWORD_ONLY
        shown = p.default if name != "rules" else list(p.default)
        assert shown == getattr(d, name), name
    text = SEAWALL.read_text()
    assert boilerstrip.clean(text, cleaner=d) == boilerstrip.clean(text)
    assert boilerstrip.clean(text, cleaner=None) == boilerstrip.clean(text)


def test_one_cleaner_serves_many_threads(tmp_path):
    c = Cleaner(rules=[write_rules(tmp_path)], threshold=0.4)
    corpus = sample_corpus()
    alone = [boilerstrip.clean(b, site=s, cleaner=c) for _, s, b in corpus]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda t: boilerstrip.clean(t[2], site=t[1], cleaner=c), corpus * 3))
    assert together == alone * 3
