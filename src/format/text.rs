//! Plain text: the whole file is one document, written back as its kept lines.
//! The site is the name of the file's folder (given by the caller; stdin has
//! none), so that a dump laid out as `site/page.txt` gets per-site statistics.

use std::borrow::Cow;

use super::{Doc, Item, Splice};

/// The one item of a text input; see [`super::records`].
pub struct TextRecords<'a> {
    doc: Option<Doc<'a>>,
}

impl<'a> TextRecords<'a> {
    pub(super) fn new(buf: &'a [u8], site: Option<&'a str>) -> TextRecords<'a> {
        TextRecords {
            doc: Some(Doc {
                text: Cow::Borrowed(buf),
                site: site.map(Cow::Borrowed),
                label: None,
                number: 1,
                raw: buf,
                splice: Splice::Whole,
            }),
        }
    }
}

impl<'a> Iterator for TextRecords<'a> {
    type Item = Item<'a>;
    fn next(&mut self) -> Option<Item<'a>> {
        self.doc.take().map(Item::Doc)
    }
}
