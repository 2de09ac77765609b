"""Tests of the benchmark corpus generator (python3 -m unittest discover -s benches)."""

import hashlib
import json
import os
import tempfile
import unittest

import gen_corpus


def digest(root):
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode())
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


class GenCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.a = os.path.join(cls.tmp.name, "a")
        cls.manifest = gen_corpus.generate(cls.a, 60, seed=7)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def records(self):
        with open(os.path.join(self.a, "corpus.jsonl"), encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def test_same_seed_same_bytes_other_seed_other_bytes(self):
        b = os.path.join(self.tmp.name, "b")
        c = os.path.join(self.tmp.name, "c")
        gen_corpus.generate(b, 60, seed=7)
        gen_corpus.generate(c, 60, seed=8)
        self.assertEqual(digest(self.a), digest(b))
        self.assertNotEqual(digest(self.a), digest(c))

    def test_tree_jsonl_and_gzip_hold_the_same_pages(self):
        recs = self.records()
        self.assertEqual(len(recs), 60)
        for r in recs:
            n = r["id"].split("-")[1]
            with open(os.path.join(self.a, "tree", r["domain"], n + ".txt"), encoding="utf-8") as f:
                self.assertEqual(f.read(), r["text"])
        import gzip
        with gzip.open(os.path.join(self.a, "corpus.jsonl.gz"), "rb") as g, \
                open(os.path.join(self.a, "corpus.jsonl"), "rb") as p:
            self.assertEqual(g.read(), p.read())

    def test_manifest_counts_the_lines(self):
        lines = sum(r["text"].count("\n") for r in self.records())
        m = self.manifest
        self.assertEqual(m["chrome_lines"] + m["article_lines"], lines)
        self.assertEqual(m["documents"], 60)
        self.assertEqual(m["text_bytes"], sum(len(r["text"].encode()) for r in self.records()))

    def test_only_paragraphs_reach_the_paragraph_length(self):
        # The output check of benches/run.sh relies on this.
        long_lines = sum(
            1 for r in self.records() for line in r["text"].split("\n")
            if len(line.split()) >= gen_corpus.PARAGRAPH_MIN_WORDS)
        self.assertEqual(long_lines, self.manifest["paragraph_lines"])

    def test_check_counts_dropped_paragraphs(self):
        recs = self.records()
        out = os.path.join(self.tmp.name, "out.jsonl")
        with open(out, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
        src = os.path.join(self.a, "corpus.jsonl")
        self.assertEqual(gen_corpus.check(src, out), 0)
        # Drop the longest line of one page: the check must fail.
        text = recs[0]["text"].split("\n")
        text.remove(max(text, key=lambda line: len(line.split())))
        recs[0]["text"] = "\n".join(text)
        with open(out, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
        self.assertEqual(gen_corpus.check(src, out), 1)


if __name__ == "__main__":
    unittest.main()
