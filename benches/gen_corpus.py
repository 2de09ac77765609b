#!/usr/bin/env python3
"""Generate the benchmark corpus: synthetic news sites, deterministic from a seed.

Every page is a site's chrome (navigation, share buttons, a newsletter widget,
related-story teasers, a cookie notice, a footer) around an article whose
paragraphs come from a seeded word model. The chrome recurs within a site,
as it does in a real crawl; the paragraphs are new on every page. All text
here was written for this generator.

Writes, under OUT (default target/bench-corpus):

    tree/SITE/NNNNNN.txt   one page a file, one folder a site
    corpus.jsonl           the same pages, one JSON object a line
                           (id, url, domain, text), in tree order
    corpus.jsonl.gz        the same file, gzip level 6
    manifest.json          the counts the benchmark checks its output against

The site folder and the JSONL `domain` are the same string, so boilerstrip
sees the same sites in the tree and in the JSONL and must drop the same lines.

Checkable by construction: every article paragraph has at least
PARAGRAPH_MIN_WORDS words and no chrome line has that many, so "no paragraph
was dropped" is "the output has as many lines of that many words as the
input" (see `check` below, used by benches/run.sh).

Standard-library Python only, so the corpus needs no build and the package
installs no extra binary. `random.Random(seed).random()` is the same sequence
on every Python 3 (Mersenne Twister), and only it (through `choices`, whose
algorithm has not changed since 3.6) draws the text; gzip's header carries
no time stamp; so equal seeds give equal bytes.

Usage:
    benches/gen_corpus.py [OUT] [--small] [--docs N] [--seed S]
    benches/gen_corpus.py --check INPUT.jsonl OUTPUT.jsonl
"""

import argparse
import gzip
import json
import os
import random
import sys

# Article paragraphs have at least this many words; chrome lines have fewer
# (the longest chrome line below has 21). The margin keeps the check exact.
PARAGRAPH_MIN_WORDS = 30

# Full corpus: 22,000 pages of about 9.2 kB, about 200 MB (the size).
# The small one is a tenth, for quick runs.
FULL_DOCS = 22_000
SMALL_DOCS = 2_200

SITES = [
    # (domain, display name, section names)
    ("harbourgazette.example", "The Harbour Gazette", ["News", "Sport", "Business", "Weather", "Letters"]),
    ("valleyrecorder.example", "Valley Recorder", ["Local", "Farming", "Schools", "Courts", "Obituaries"]),
    ("metrodaily.example", "Metro Daily", ["City", "Politics", "Transport", "Culture", "Opinion"]),
    ("northerntimes.example", "Northern Times", ["Home", "World", "Science", "Health", "Travel"]),
    ("techbrief.example", "TechBrief", ["Gadgets", "Software", "Security", "Startups", "Reviews"]),
    ("gardenweekly.example", "Garden Weekly", ["Planting", "Pests", "Tools", "Recipes", "Ask us"]),
    ("coastradio.example", "Coast Radio News", ["Latest", "Traffic", "Events", "Podcasts", "Contact"]),
    ("uplandherald.example", "Upland Herald", ["Region", "Sport", "Arts", "Property", "Jobs"]),
]

# Chrome templates: each site picks its own variants (seeded), so the lines
# recur inside a site and differ between sites, as real chrome does.
SHARE_VARIANTS = [
    ["Share this article", "Facebook", "Twitter", "Email", "Copy link"],
    ["Share", "WhatsApp", "Messenger", "LinkedIn", "Print"],
    ["Share this story", "Post", "Email this page", "Copy the link"],
]
NEWSLETTER_VARIANTS = [
    ["Get the morning briefing", "The day's top stories in your inbox before breakfast.", "Enter your email address", "Sign up"],
    ["Sign up to our newsletter", "Five stories we think you will like, every Friday.", "Your email", "Subscribe"],
    ["Never miss a story", "Join thousands of readers who get our weekly digest.", "Email address", "Join now", "You can unsubscribe at any time."],
]
COOKIE_VARIANTS = [
    ["We use cookies to improve your experience and to show you relevant advertising.", "Accept all", "Manage preferences"],
    ["This site uses cookies. By continuing to browse you agree to our use of cookies.", "OK", "Find out more"],
    ["Your privacy matters to us. We and our partners store data on your device.", "I agree", "Reject", "Settings"],
]
FOOTER_VARIANTS = [
    ["About us", "Contact", "Advertise with us", "Privacy policy", "Terms of use"],
    ["Help", "Careers", "Accessibility", "Cookie settings", "Sitemap"],
    ["Corrections", "Complaints", "Subscriptions", "Archive", "RSS feeds"],
]
RELATED_HEADERS = ["Related stories", "More from this section", "You may also like", "Most read"]
AD_LINES = ["Advertisement", "Sponsored content", "Story continues below"]

STOPWORDS = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but from or "
    "have an they which one you were her all she there would their we him been has when who will more "
    "no if out so said what up its about into than them can only other new some could time these two may "
    "then do first any my now such like our over man me even most made after also did many before must "
    "through back years where much your way well down should because each just those people how too "
    "little state good very make world still own see men work long get here between both life being under"
).split()

# Syllables for the word model's vocabulary: pronounceable, not English, so
# no generated paragraph can match a lexicon phrase by accident.
ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pl", "r", "s", "st", "t", "tr", "v", "w", "z"]
NUCLEI = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"]
CODAS = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck"]


def vocabulary(rng, size):
    """`size` distinct pseudo-words with Zipf weights (rank r: 1/r)."""
    words, seen = [], set()
    while len(words) < size:
        n = 1 + int(rng.random() * 3)
        w = "".join(
            ONSETS[int(rng.random() * len(ONSETS))]
            + NUCLEI[int(rng.random() * len(NUCLEI))]
            + CODAS[int(rng.random() * len(CODAS))]
            for _ in range(n)
        )
        if w not in seen:
            seen.add(w)
            words.append(w)
    cum, total = [], 0.0
    for r in range(1, size + 1):
        total += 1.0 / r
        cum.append(total)
    return words, cum


class WordModel:
    """Sentences: about two content words to one stopword, capitalised, with
    a comma now and then and a full stop."""

    def __init__(self, rng, vocab_size=30_000):
        self.rng = rng
        self.words, self.cum = vocabulary(rng, vocab_size)

    def sentence(self, lo, hi):
        rng = self.rng
        n = lo + int(rng.random() * (hi - lo + 1))
        content = rng.choices(self.words, cum_weights=self.cum, k=n)
        out = []
        for i, w in enumerate(content):
            r = rng.random()
            if r < 0.35:
                out.append(STOPWORDS[int(rng.random() * len(STOPWORDS))])
            elif r < 0.40 and i + 1 < n:
                w += ","
            out.append(w)
        out = out[:n]
        out[0] = out[0].capitalize()
        return " ".join(out).rstrip(",") + "."

    def paragraph(self):
        # 3 to 7 sentences of 10 to 24 words: at least 30 words.
        k = 3 + int(self.rng.random() * 5)
        return " ".join(self.sentence(10, 24) for _ in range(k))

    def title(self):
        s = self.sentence(5, 10).rstrip(".")
        return " ".join(w.capitalize() if len(w) > 3 else w for w in s.split())


def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


class Site:
    def __init__(self, rng, model, domain, name, sections):
        self.domain, self.name = domain, name
        self.nav = ["Skip to content", name, "Menu", "Search"] + sections + ["Subscribe", "Log in"]
        self.share = pick(rng, SHARE_VARIANTS)
        self.newsletter = pick(rng, NEWSLETTER_VARIANTS)
        self.cookie = pick(rng, COOKIE_VARIANTS)
        self.footer = pick(rng, FOOTER_VARIANTS) + [f"\u00a9 2026 {name}. All rights reserved."]
        self.related_header = pick(rng, RELATED_HEADERS)
        # A pool of teaser headlines: each page shows four, so every teaser
        # recurs on a few dozen pages of its site.
        self.teasers = [model.title() for _ in range(120)]
        self.authors = [f"By {model.title().split()[0]} {model.title().split()[-1]}" for _ in range(25)]


def page(rng, model, site, n):
    """One page: (text, chrome line count, article line count)."""
    chrome, article = [], []
    lines = []

    def c(line):
        lines.append(line)
        chrome.append(line)

    def a(line):
        lines.append(line)
        article.append(line)

    for line in site.nav:
        c(line)
    a(model.title())
    a(pick(rng, site.authors))
    a(f"{1 + int(rng.random() * 28)} {pick(rng, ['March', 'April', 'May', 'June'])} 2026")
    for line in site.share:
        c(line)
    # 8 to 16 paragraphs (about 9.2 kB a page on average), with an
    # advertisement slot and the newsletter widget in the middle.
    paragraphs = 8 + int(rng.random() * 9)
    for i in range(paragraphs):
        a(model.paragraph())
        if i == 2:
            c(pick(rng, AD_LINES))
        if i == paragraphs // 2:
            for line in site.newsletter:
                c(line)
    c(site.related_header)
    for _ in range(4):
        c(pick(rng, site.teasers))
    for line in site.cookie:
        c(line)
    for line in site.footer:
        c(line)
    return "\n".join(lines) + "\n", len(chrome), len(article), paragraphs


def generate(out, docs, seed):
    rng = random.Random(seed)
    model = WordModel(rng)
    sites = [Site(rng, model, d, name, sec) for d, name, sec in SITES]
    tree = os.path.join(out, "tree")
    os.makedirs(tree, exist_ok=True)
    for s in sites:
        os.makedirs(os.path.join(tree, s.domain), exist_ok=True)
    totals = {"documents": docs, "chrome_lines": 0, "article_lines": 0, "paragraph_lines": 0, "text_bytes": 0}
    jsonl_path = os.path.join(out, "corpus.jsonl")
    with open(jsonl_path, "w", encoding="utf-8", newline="\n") as jl:
        for n in range(docs):
            # Pages of a site are spread through the corpus, as in a crawl.
            site = sites[int(rng.random() * len(sites))]
            text, nc, na, np_ = page(rng, model, site, n)
            name = f"{n:06d}.txt"
            with open(os.path.join(tree, site.domain, name), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            rec = {"id": f"bench-{n:06d}", "url": f"https://{site.domain}/story/{n:06d}", "domain": site.domain, "text": text}
            jl.write(json.dumps(rec, ensure_ascii=False) + "\n")
            totals["chrome_lines"] += nc
            totals["article_lines"] += na
            totals["paragraph_lines"] += np_
            totals["text_bytes"] += len(text.encode("utf-8"))
    with open(jsonl_path, "rb") as src, open(jsonl_path + ".gz", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0) as gz:
            while True:
                chunk = src.read(1 << 20)
                if not chunk:
                    break
                gz.write(chunk)
    manifest = dict(totals)
    manifest.update({
        "seed": seed,
        "sites": len(sites),
        "paragraph_min_words": PARAGRAPH_MIN_WORDS,
        "lead_lines_per_document": 3,
        "jsonl_bytes": os.path.getsize(jsonl_path),
        "jsonl_gz_bytes": os.path.getsize(jsonl_path + ".gz"),
    })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    return manifest


def long_lines(path):
    """Lines of the `text` fields of a JSONL file with at least
    PARAGRAPH_MIN_WORDS words."""
    n = 0
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for rec in f:
            if rec.strip():
                for line in json.loads(rec)["text"].split("\n"):
                    if len(line.split()) >= PARAGRAPH_MIN_WORDS:
                        n += 1
    return n


def check(inp, outp):
    """Exit 1 unless OUTPUT keeps every paragraph-length line of INPUT."""
    a, b = long_lines(inp), long_lines(outp)
    print(f"paragraph lines: input {a}, output {b}")
    return 0 if a == b else 1


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", nargs="?", default="target/bench-corpus")
    p.add_argument("--small", action="store_true", help=f"{SMALL_DOCS} pages instead of {FULL_DOCS}")
    p.add_argument("--docs", type=int, help="number of pages (overrides --small)")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument("--check", nargs=2, metavar=("INPUT", "OUTPUT"), help="check that OUTPUT kept every paragraph of INPUT")
    a = p.parse_args(argv)
    if a.check:
        return check(*a.check)
    docs = a.docs or (SMALL_DOCS if a.small else FULL_DOCS)
    m = generate(a.out, docs, a.seed)
    print(json.dumps(m, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
