"""Tests of benches/peers.py's own parts (standard library only: the peers
themselves are not needed)."""

import unittest

import peers


class CcnetStyleTest(unittest.TestCase):
    def test_normalisation_folds_case_accents_digits_and_punctuation(self):
        self.assertEqual(peers.ccnet_normalise("  Café 2024: Open!  "), "cafe 0000 open")

    def test_a_line_in_two_pages_goes_and_a_line_in_one_stays(self):
        pages = ["Share this\nFirst story.", "share THIS!\nSecond story."]
        self.assertEqual(peers.clean_ccnet(pages), ["First story.", "Second story."])


class CheckTest(unittest.TestCase):
    paragraph = " ".join(["word"] * peers.PARAGRAPH_WORDS)

    def test_shares_of_paragraphs_kept_and_lines_dropped(self):
        pages = [self.paragraph + "\nShare this\nMenu"]
        kept, dropped = peers.check("t", pages, [self.paragraph], True)
        self.assertEqual(kept, 1.0)
        self.assertAlmostEqual(dropped, 2 / 3)

    def test_a_line_cleaner_that_drops_nothing_fails(self):
        pages = [self.paragraph + "\nMenu"]
        with self.assertRaises(SystemExit):
            peers.check("t", pages, pages, True)
        self.assertEqual(peers.check("t", pages, pages, False), (1.0, 0.0))

    def test_a_missing_page_fails(self):
        with self.assertRaises(SystemExit):
            peers.check("t", ["a", "b"], ["a"], True)


if __name__ == "__main__":
    unittest.main()
