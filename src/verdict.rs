//! What the classifier says of one line: keep or drop, how sure, and why.

/// The evidence that decided a line's fate, as `--explain` prints it and the
/// run statistics count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Cause {
    /// A blank or whitespace-only line: kept inside kept text, dropped elsewhere.
    Blank,
    /// A phrase of the lexicon matched. `category` and `phrase` index the
    /// rule set of the cleaner that gave the verdict (see
    /// [`Cleaner::category_name`](crate::Cleaner::category_name) and
    /// [`Cleaner::phrase`](crate::Cleaner::phrase)).
    Lexicon {
        /// Index of the rule category.
        category: u16,
        /// Index of the phrase.
        phrase: u32,
    },
    /// A user rule protected the line.
    Protected {
        /// Index of the protecting phrase (see
        /// [`Cleaner::phrase`](crate::Cleaner::phrase)).
        phrase: u32,
    },
    /// The line recurs in `df` of the `docs` documents of its site.
    SiteRepeat {
        /// Documents of the site with this line.
        df: u32,
        /// Documents of the site.
        docs: u32,
    },
    /// The line recurs in `df` documents of the corpus.
    CorpusRepeat {
        /// Documents of the corpus with this line.
        df: u32,
    },
    /// The line occurs `count` times in its own document.
    PageRepeat {
        /// Occurrences in the document.
        count: u32,
    },
    /// The line's shape: few words, no sentence punctuation, symbols.
    Shape,
    /// The verdict of the neighbouring lines.
    Context,
    /// The line's place in the page: before the article starts or after it ends.
    Position,
    /// The page's first line, its title, whose headline is kept further down:
    /// the same words again, with the site's name.
    Title,
    /// The line reads as article text.
    Content,
    /// The line is too long to be judged (see [`crate::cleaner::MAX_LINE`]): kept as
    /// it is, unclassified.
    TooLong,
}

/// The classifier's decision on one line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Whether the line is written out.
    pub keep: bool,
    /// The classifier's probability that the line is content, in `0..=1`.
    pub score: f32,
    /// The evidence that weighed most in the direction of the decision.
    pub cause: Cause,
}

impl Cause {
    /// A short stable name of the cause's kind, as used in run statistics
    /// (`lexicon` causes are named by their category instead, see
    /// [`Cleaner::cause_name`](crate::Cleaner::cause_name)).
    pub fn kind(&self) -> &'static str {
        match self {
            Cause::Blank => "blank",
            Cause::Lexicon { .. } => "lexicon",
            Cause::Protected { .. } => "protected",
            Cause::SiteRepeat { .. } => "site-repeat",
            Cause::CorpusRepeat { .. } => "corpus-repeat",
            Cause::PageRepeat { .. } => "page-repeat",
            Cause::Shape => "shape",
            Cause::Context => "context",
            Cause::Position => "position",
            Cause::Title => "title",
            Cause::Content => "content",
            Cause::TooLong => "too-long",
        }
    }
}
