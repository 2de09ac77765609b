"""The Python API against the command line: same bytes out, same model
files, models that merge like the command line's."""

import pickle
import random
import threading
import time

import pytest

import boilerstrip
from boilerstrip import Model

from conftest import SAMPLE, assert_explain_matches, run_cli, sample_corpus, tree


def test_clean_batch_gives_the_cli_output_for_a_corpus(cli, tmp_path):
    run_cli(cli, "clean", SAMPLE, "-o", tmp_path / "out", "--quiet")
    expected = tree(tmp_path / "out")
    corpus = sample_corpus()
    as_bytes = boilerstrip.clean_batch([b for _, _, b in corpus], sites=[s for _, s, _ in corpus])
    as_str = boilerstrip.clean_batch([b.decode() for _, _, b in corpus], sites=[s for _, s, _ in corpus])
    got = {rel: out for (rel, _, _), out in zip(corpus, as_bytes)}
    assert got == expected
    assert [s.encode() for s in as_str] == as_bytes
    # Something was dropped, or the comparison proves little.
    assert sum(map(len, as_bytes)) < sum(len(b) for _, _, b in corpus) * 0.9


def test_clean_one_text_is_the_cli_on_one_file(cli):
    for rel, site, data in sample_corpus()[:6]:
        expected = run_cli(cli, "clean", SAMPLE / rel, "--quiet")
        assert boilerstrip.clean(data, site=site) == expected, rel
        assert boilerstrip.clean(data.decode(), site=site) == expected.decode(), rel


def test_a_model_from_python_is_a_model_for_the_cli_and_back(cli, tmp_path):
    corpus = sample_corpus()
    model = boilerstrip.learn([b for _, _, b in corpus], [s for _, s, _ in corpus])
    assert model.documents == len(corpus)
    assert model.sites == len({s for _, s, _ in corpus})
    run_cli(cli, "learn", SAMPLE, "-o", tmp_path / "cli.model", "--quiet")
    assert model.to_bytes() == (tmp_path / "cli.model").read_bytes()
    assert Model.load(tmp_path / "cli.model") == model
    model.save(tmp_path / "py.model")
    assert (tmp_path / "py.model").read_bytes() == model.to_bytes()
    # A model learned on part of the corpus, used by the CLI on one file.
    part = boilerstrip.learn([b for _, _, b in corpus[:9]], [s for _, s, _ in corpus[:9]])
    part.save(tmp_path / "part.model")
    rel, site, data = corpus[-1]
    expected = run_cli(cli, "clean", "--model", tmp_path / "part.model", SAMPLE / rel, "--quiet")
    assert boilerstrip.clean(data, model=part, site=site) == expected
    assert boilerstrip.clean_batch([data], [site], model=part) == [expected]


def test_models_merge_in_any_order_and_grouping():
    corpus = sample_corpus()
    texts = [b for _, _, b in corpus]
    sites = [s for _, s, _ in corpus]
    whole = boilerstrip.learn(texts, sites)
    shards = [boilerstrip.learn(texts[i::4], sites[i::4]) for i in range(4)]
    a, b, c, d = shards
    assert (a + b) + (c + d) == whole
    assert a + (b + (c + d)) == whole
    assert d.merge(c).merge(b).merge(a) == whole
    assert boilerstrip.merge(random.Random(7).sample(shards, 4)) == whole
    assert sum(shards) == whole
    assert boilerstrip.merge([]) == Model()
    assert a + Model() == a
    assert (b + a).to_bytes() == (a + b).to_bytes()
    # Not every shard alone is the whole.
    assert a != whole and a.documents < whole.documents


def test_models_travel_as_bytes_and_pickles():
    m = boilerstrip.learn(["Menu\nHello there, a line of prose.\n"], ["a.org"])
    assert Model.from_bytes(m.to_bytes()) == m
    assert pickle.loads(pickle.dumps(m)) == m
    assert "documents=1" in repr(m)
    with pytest.raises(ValueError):
        Model.from_bytes(b"not a model file")
    broken = bytearray(m.to_bytes())
    broken[-1] ^= 0xFF
    with pytest.raises(ValueError):
        Model.from_bytes(bytes(broken))
    with pytest.raises(OSError):
        Model.load("/nonexistent/boilerstrip.model")


def test_explain_agrees_with_clean_and_the_cli(cli):
    rel, site, data = sample_corpus()[0]
    lines = boilerstrip.explain(data.decode(), site=site)
    assert len(lines) == data.count(b"\n") + (not data.endswith(b"\n"))
    kept = "".join(l + "\n" for keep, _, _, l in lines if keep)
    assert kept == boilerstrip.clean(data.decode(), site=site)
    shown = run_cli(cli, "clean", "--explain", SAMPLE / rel, "--quiet")
    assert_explain_matches(shown, lines)
    assert any(not keep for keep, *_ in lines)


def test_long_lines_and_invalid_utf8_go_as_on_the_cli(cli, tmp_path):
    site = tmp_path / "example.org"
    site.mkdir()
    long_line = b"word " * (boilerstrip.MAX_LINE // 5 + 10)
    docs = [
        b"Share this post\n" + long_line + b"\nA real sentence about the harbour and the storm.\n",
        b"Share this post\r\nBad \xff\xfe bytes in a line of prose about the quay.\r\nLast line",
        b"",
        b"\n\n\n",
    ]
    for i, d in enumerate(docs):
        (site / f"{i}.txt").write_bytes(d)
    run_cli(cli, "clean", site, "-o", tmp_path / "out", "--quiet")
    expected = tree(tmp_path / "out")
    got = boilerstrip.clean_batch(docs, ["example.org"] * len(docs))
    assert {f"{i}.txt": g for i, g in enumerate(got)} == expected
    assert long_line in got[0]
    verdicts = boilerstrip.explain(docs[0], site="example.org")
    assert verdicts[1][0] and verdicts[1][2] == "too-long"


def test_wrong_arguments_are_refused():
    with pytest.raises(TypeError):
        boilerstrip.clean(3)
    with pytest.raises(TypeError):
        boilerstrip.learn("one text, not a list")
    with pytest.raises(ValueError):
        boilerstrip.clean_batch(["a", "b"], sites=["x"])
    with pytest.raises(TypeError):
        boilerstrip.merge([Model(), "not a model"])
    with pytest.raises(TypeError):
        Model() + 1


def test_file_runs_refuse_what_the_cli_refuses(tmp_path):
    import shutil

    corpus = tmp_path / "in"
    shutil.copytree(SAMPLE, corpus)
    before = tree(corpus)
    files, problems = boilerstrip.discover(corpus)
    assert files and not problems
    # Paths as bytes name the same files.
    assert boilerstrip.discover(str(corpus).encode())[0] == files
    model, _ = boilerstrip.learn_files(files)
    # Outputs onto their own inputs: refused, and nothing is written.
    with pytest.raises(ValueError, match="overwrite|input"):
        boilerstrip.clean_files(files, corpus, model)
    assert tree(corpus) == before
    for threads in (0, -1, 10**9):
        with pytest.raises(ValueError, match="threads"):
            boilerstrip.learn_files(files[:2], threads=threads)
        with pytest.raises(ValueError, match="threads"):
            boilerstrip.clean_files(files[:2], tmp_path / "out", model, threads=threads)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="unknown format"):
        boilerstrip.learn_files([files[0]._replace(format="xml")])


def test_cleaning_releases_the_gil():
    # A text large enough that cleaning it takes a while.
    para = "The harbour master said the wall would hold through winter storms {}.\n"
    text = "Share this post\n" + "".join(para.format(i) for i in range(150_000))
    ticks = 0
    stop = threading.Event()

    def tick():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=tick)
    t.start()
    try:
        time.sleep(0.05)
        before = ticks
        started = time.perf_counter()
        boilerstrip.clean(text)
        took = time.perf_counter() - started
        during = ticks - before
    finally:
        stop.set()
        t.join()
    # With the GIL held the other thread could not count at all while the
    # call ran (one switch interval, 5 ms, at most); released, it counts
    # millions of times a second.
    assert took > 0.05, "the text is large enough to measure"
    assert during > 10_000, (during, took)


def test_the_package_docstring_example_runs():
    import doctest

    r = doctest.testmod(boilerstrip)
    assert r.attempted > 0 and r.failed == 0
