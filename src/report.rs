//! Run statistics: the last stage. What a run read, kept and dropped, and why,
//! as a value ([`RunStats`]) that adds up: the statistics of each unit of
//! work (a batch of a big input, or a group of small whole ones) are made on
//! their own, and the run's total is their sum in input order. Rendered as
//! text (`--stats`) and as JSON (`--stats-json`).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Add, AddAssign};
use std::time::Duration;

use serde::Serialize;

use crate::stats::FpMap;

/// Lines and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Lines.
    pub lines: u64,
    /// Bytes, line ends included.
    pub bytes: u64,
}

impl AddAssign for Count {
    fn add_assign(&mut self, o: Count) {
        self.lines += o.lines;
        self.bytes += o.bytes;
    }
}

/// The reason under which the lines of a document dropped by `--drop-empty`
/// (whitespace left after cleaning) are counted.
pub const EMPTY_DOCUMENT: &str = "empty-document";

/// What a run did. `Default` is the identity of `+`; adding is associative,
/// and exact except for [`RunStats::top_dropped`] (see [`TopLines`]), which is
/// still deterministic for a fixed order of additions.
///
/// Counts of lines and bytes are of document text: `lines_in` =
/// `lines_out` + the sum of [`RunStats::dropped`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunStats {
    /// Inputs attempted.
    pub inputs: u64,
    /// Inputs that could not be read or written (reported).
    pub bad_inputs: u64,
    /// Records that could not be parsed and were passed through (reported).
    pub bad_records: u64,
    /// JSONL records without a string text field, passed through.
    pub records_without_text: u64,
    /// Documents read.
    pub documents_in: u64,
    /// Documents written (all but those dropped by `--drop-empty`).
    pub documents_out: u64,
    /// Lines and bytes of document text read.
    pub text_in: Count,
    /// Lines and bytes of document text written.
    pub text_out: Count,
    /// Lines and bytes dropped, by reason (a cause kind, a lexicon category,
    /// or [`EMPTY_DOCUMENT`]).
    pub dropped: BTreeMap<String, Count>,
    /// The most frequent dropped lines.
    pub top: TopLines,
    /// Bytes read (decompressed) in pass 1 and pass 2.
    pub bytes_read: [u64; 2],
    /// Wall time of pass 1 and pass 2. Summed by `+`: a run sets them once.
    pub time: [Duration; 2],
}

impl RunStats {
    /// Counts one dropped line: its reason, its content (for the most
    /// frequent lines, under its normalised fingerprint `fp`) and its whole
    /// length with the line end.
    pub fn drop_line(&mut self, reason: &str, fp: u64, content: &[u8], whole: usize) {
        let c = match self.dropped.get_mut(reason) {
            Some(c) => c,
            None => self.dropped.entry(reason.to_string()).or_default(),
        };
        *c += Count {
            lines: 1,
            bytes: whole as u64,
        };
        if fp != 0 {
            self.top.add(fp, 1, content);
        }
    }

    /// All dropped lines and bytes.
    pub fn dropped_total(&self) -> Count {
        let mut t = Count::default();
        for c in self.dropped.values() {
            t += *c;
        }
        t
    }

    /// The `n` most frequent dropped lines: (count, first line seen), most
    /// frequent first.
    pub fn top_dropped(&self, n: usize) -> Vec<(u64, String)> {
        self.top.top(n)
    }

    /// Megabytes (10^6 bytes) per second of pass `pass` (0 or 1), if it ran.
    pub fn mb_per_second(&self, pass: usize) -> Option<f64> {
        let t = self.time[pass].as_secs_f64();
        (t > 0.0).then(|| self.bytes_read[pass] as f64 / 1e6 / t)
    }

    /// The statistics as a JSON value (the `--stats-json` format).
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Top {
            count: u64,
            line: String,
        }
        #[derive(Serialize)]
        struct Pass {
            seconds: f64,
            bytes_read: u64,
            mb_per_second: Option<f64>,
        }
        let pass = |i: usize| Pass {
            seconds: self.time[i].as_secs_f64(),
            bytes_read: self.bytes_read[i],
            mb_per_second: self.mb_per_second(i),
        };
        serde_json::json!({
            "inputs": self.inputs,
            "bad_inputs": self.bad_inputs,
            "bad_records": self.bad_records,
            "records_without_text": self.records_without_text,
            "documents": { "in": self.documents_in, "out": self.documents_out },
            "lines": {
                "in": self.text_in.lines,
                "out": self.text_out.lines,
                "dropped": self.dropped_total().lines,
            },
            "bytes": {
                "in": self.text_in.bytes,
                "out": self.text_out.bytes,
                "dropped": self.dropped_total().bytes,
            },
            "dropped_by_reason": self.dropped,
            "top_dropped": self.top_dropped(10).into_iter()
                .map(|(count, line)| Top { count, line }).collect::<Vec<_>>(),
            "pass1": pass(0),
            "pass2": pass(1),
        })
    }
}

impl AddAssign for RunStats {
    fn add_assign(&mut self, o: RunStats) {
        self.inputs += o.inputs;
        self.bad_inputs += o.bad_inputs;
        self.bad_records += o.bad_records;
        self.records_without_text += o.records_without_text;
        self.documents_in += o.documents_in;
        self.documents_out += o.documents_out;
        self.text_in += o.text_in;
        self.text_out += o.text_out;
        for (k, v) in o.dropped {
            *self.dropped.entry(k).or_default() += v;
        }
        self.top += o.top;
        for i in 0..2 {
            self.bytes_read[i] += o.bytes_read[i];
            self.time[i] += o.time[i];
        }
    }
}

impl Add for RunStats {
    type Output = RunStats;
    fn add(mut self, o: RunStats) -> RunStats {
        self += o;
        self
    }
}

/// The `--stats` text.
impl fmt::Display for RunStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "inputs      {} ({} bad), bad records {}, records without text {}",
            thousands(self.inputs),
            thousands(self.bad_inputs),
            thousands(self.bad_records),
            thousands(self.records_without_text)
        )?;
        if self.bytes_read[1] == 0 && self.documents_out == 0 {
            // Pass 1 only (`learn`): nothing was kept or dropped.
            writeln!(
                f,
                "documents   {} in\nlines       {} in\nbytes       {} in",
                thousands(self.documents_in),
                thousands(self.text_in.lines),
                thousands(self.text_in.bytes)
            )?;
        } else {
            self.fmt_kept(f)?;
        }
        for (i, name) in ["pass 1", "pass 2"].iter().enumerate() {
            if let Some(mbs) = self.mb_per_second(i) {
                writeln!(
                    f,
                    "{name}      {:.2} s, {:.1} MB/s",
                    self.time[i].as_secs_f64(),
                    mbs
                )?;
            }
        }
        Ok(())
    }
}

impl RunStats {
    fn fmt_kept(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dropped = self.dropped_total();
        writeln!(
            f,
            "documents   {} in, {} out",
            thousands(self.documents_in),
            thousands(self.documents_out)
        )?;
        writeln!(
            f,
            "lines       {} in, {} kept, {} dropped ({})",
            thousands(self.text_in.lines),
            thousands(self.text_out.lines),
            thousands(dropped.lines),
            percent(dropped.lines, self.text_in.lines)
        )?;
        writeln!(
            f,
            "bytes       {} in, {} kept, {} dropped ({})",
            thousands(self.text_in.bytes),
            thousands(self.text_out.bytes),
            thousands(dropped.bytes),
            percent(dropped.bytes, self.text_in.bytes)
        )?;
        if !self.dropped.is_empty() {
            writeln!(f, "dropped by reason:")?;
            let mut reasons: Vec<_> = self.dropped.iter().collect();
            reasons.sort_by(|a, b| b.1.lines.cmp(&a.1.lines).then(a.0.cmp(b.0)));
            let width = reasons.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
            for (reason, c) in reasons {
                // The unit in the singular for one; "line " padded so
                // that the bytes column stays aligned.
                let (lines, bytes) = (c.lines == 1, c.bytes == 1);
                writeln!(
                    f,
                    "  {reason:<width$} {:>12} {} {:>14} {}",
                    thousands(c.lines),
                    if lines { "line " } else { "lines" },
                    thousands(c.bytes),
                    if bytes { "byte" } else { "bytes" }
                )?;
            }
        }
        let top = self.top_dropped(10);
        if !top.is_empty() {
            writeln!(f, "most frequent dropped lines:")?;
            for (count, line) in top {
                writeln!(f, "  {:>10}  {line}", thousands(count))?;
            }
        }
        Ok(())
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` and a noun, in the plural unless `n` is one: `1 line`, `1,234 lines`.
///
/// ```
/// use boilerstrip::report::plural;
/// assert_eq!(plural(1, "bad input"), "1 bad input");
/// assert_eq!(plural(1234, "line"), "1,234 lines");
/// assert_eq!(plural(0, "record"), "0 records");
/// ```
pub fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{} {what}s", thousands(n))
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The most frequent dropped lines, in bounded memory: normalised-line
/// fingerprint -> (count, first sample).
///
/// When the table grows past [`TopLines::CAPACITY`] entries it keeps the
/// `CAPACITY / 2` most frequent (ties to the smaller fingerprint), so memory
/// stays bounded and the outcome depends only on the order of additions,
/// never on timing. A line evicted and seen again starts counting anew, so
/// counts are lower bounds; lines frequent enough for a top-10 list are not
/// evicted in practice, since eviction removes only the less frequent half.
///
/// Every dropped line passes through [`TopLines::add`], so adding is kept
/// cheap: a sample is stored as its raw bytes, cut to a length that cannot
/// change its first [`TopLines::SAMPLE_CHARS`] characters, in one buffer
/// shared by all entries, and turned into text only by [`TopLines::top`].
/// (Building a `String` per new line and sorting the table at each prune
/// were 6 % of a run's instructions on the evaluation pages.)
#[derive(Clone, Debug, Default)]
pub struct TopLines {
    /// Fingerprint -> (count, the sample's range in `samples`).
    map: FpMap<(u64, u32, u32)>,
    /// The samples' bytes, end to end; rebuilt by `prune`.
    samples: Vec<u8>,
}

impl TopLines {
    /// The table's bound. A memory bound, not a measured value: 4096 entries
    /// of a fingerprint, a count and a sample of at most
    /// [`TopLines::SAMPLE_BYTES`] bytes stay under about 3 MB per table (much
    /// less for lines of ordinary length), and a run holds one table per
    /// input in flight.
    pub const CAPACITY: usize = 4096;
    /// Samples are cut to this many characters: enough to recognise a line.
    pub const SAMPLE_CHARS: usize = 160;
    /// The bytes of a sample that are kept. Each character of the lossy
    /// UTF-8 decoding starts within four bytes of the previous one and is
    /// decided by at most four bytes, so the first `SAMPLE_CHARS + 1`
    /// characters (the last only to know whether to write `…`) are decoded
    /// the same from this prefix as from the whole line.
    pub const SAMPLE_BYTES: usize = 4 * (Self::SAMPLE_CHARS + 1);

    /// Counts `n` more occurrences of the line `fp`, whose text is `sample`
    /// (kept only if the line is new).
    pub fn add(&mut self, fp: u64, n: u64, sample: &[u8]) {
        match self.map.get_mut(&fp) {
            Some(e) => e.0 += n,
            None => {
                let sample = &sample[..sample.len().min(Self::SAMPLE_BYTES)];
                let at = self.samples.len() as u32;
                self.samples.extend_from_slice(sample);
                self.map.insert(fp, (n, at, sample.len() as u32));
                self.prune();
            }
        }
    }

    fn sample(&self, at: u32, len: u32) -> &[u8] {
        &self.samples[at as usize..(at + len) as usize]
    }

    fn prune(&mut self) {
        if self.map.len() <= Self::CAPACITY {
            return;
        }
        // Which entries go depends only on the order (count descending, then
        // fingerprint), a total order: selecting the kept half gives the
        // same set as sorting all of them, in linear time.
        let mut entries: Vec<(u64, u64)> = self.map.iter().map(|(&fp, e)| (e.0, fp)).collect();
        entries
            .select_nth_unstable_by(Self::CAPACITY / 2, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, fp) in &entries[Self::CAPACITY / 2..] {
            self.map.remove(&fp);
        }
        let mut samples = Vec::with_capacity(self.samples.len() / 2);
        for e in self.map.values_mut() {
            let at = samples.len() as u32;
            samples.extend_from_slice(&self.samples[e.1 as usize..(e.1 + e.2) as usize]);
            e.1 = at;
        }
        self.samples = samples;
    }

    /// The `n` most frequent lines, most frequent first (ties by sample
    /// text, then fingerprint). A sample is the line as first seen, cut
    /// after [`TopLines::SAMPLE_CHARS`] characters (with `…`).
    pub fn top(&self, n: usize) -> Vec<(u64, String)> {
        let mut v: Vec<(u64, String, u64)> = self
            .map
            .iter()
            .map(|(&fp, &(c, at, len))| (c, sample_text(self.sample(at, len)), fp))
            .collect();
        v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        v.into_iter().take(n).map(|(c, s, _)| (c, s)).collect()
    }

    /// Number of distinct lines held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no line is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A sample's text: lossy UTF-8, cut after [`TopLines::SAMPLE_CHARS`]
/// characters.
fn sample_text(sample: &[u8]) -> String {
    let s = String::from_utf8_lossy(sample);
    match s.char_indices().nth(TopLines::SAMPLE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.into_owned(),
    }
}

/// Equal as tables: the same lines with the same counts and samples,
/// wherever the samples lie in the buffer.
impl PartialEq for TopLines {
    fn eq(&self, o: &TopLines) -> bool {
        self.map.len() == o.map.len()
            && self.map.iter().all(|(fp, &(c, at, len))| {
                o.map.get(fp).is_some_and(|&(oc, oat, olen)| {
                    c == oc && self.sample(at, len) == o.sample(oat, olen)
                })
            })
    }
}

impl AddAssign for TopLines {
    fn add_assign(&mut self, o: TopLines) {
        // Entries of `o` are sorted first so that pruning during the merge
        // does not depend on the hash map's iteration order.
        let mut entries: Vec<(u64, (u64, u32, u32))> =
            o.map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable_by_key(|e| e.0);
        for (fp, (n, at, len)) in entries {
            match self.map.get_mut(&fp) {
                Some(e) => e.0 += n,
                None => {
                    let mine = self.samples.len() as u32;
                    self.samples.extend_from_slice(o.sample(at, len));
                    self.map.insert(fp, (n, mine, len));
                }
            }
        }
        self.prune();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_and_have_an_identity() {
        let mut a = RunStats {
            inputs: 1,
            documents_in: 2,
            ..RunStats::default()
        };
        a.drop_line("shape", 7, b"Share", 6);
        a.drop_line("shape", 7, b"share", 6);
        let mut b = RunStats {
            inputs: 1,
            ..RunStats::default()
        };
        b.drop_line("lexicon", 7, b"SHARE", 6);
        b.drop_line("lexicon", 9, b"Menu", 5);
        let sum = a.clone() + b.clone();
        assert_eq!(sum.inputs, 2);
        assert_eq!(
            sum.dropped["shape"],
            Count {
                lines: 2,
                bytes: 12
            }
        );
        assert_eq!(
            sum.dropped_total(),
            Count {
                lines: 4,
                bytes: 23
            }
        );
        assert_eq!(
            sum.top_dropped(10),
            vec![(3, "Share".to_string()), (1, "Menu".to_string())]
        );
        assert_eq!(a.clone() + RunStats::default(), a);
        assert_eq!(RunStats::default() + b.clone(), b);
    }

    #[test]
    fn top_lines_stay_bounded_and_keep_the_frequent() {
        let mut t = TopLines::default();
        for round in 0..3u64 {
            for fp in 1..=(TopLines::CAPACITY as u64 * 3) {
                // Line 5 is frequent; the rest are seen once a round.
                t.add(10 + fp + round * 1_000_000, 1, b"x");
                t.add(5, 1, b"frequent");
                assert!(t.len() <= TopLines::CAPACITY);
            }
        }
        assert_eq!(
            t.top(1),
            vec![(TopLines::CAPACITY as u64 * 9, "frequent".to_string())]
        );
    }

    /// The table as first written, a `String` sample per line and a full
    /// sort at each prune: the oracle of the compact one.
    #[derive(Default)]
    struct NaiveTop {
        map: std::collections::HashMap<u64, (u64, String)>,
    }

    impl NaiveTop {
        fn add(&mut self, fp: u64, n: u64, sample: &[u8]) {
            match self.map.get_mut(&fp) {
                Some(e) => e.0 += n,
                None => {
                    let s = String::from_utf8_lossy(sample);
                    let s = match s.char_indices().nth(TopLines::SAMPLE_CHARS) {
                        Some((i, _)) => format!("{}…", &s[..i]),
                        None => s.into_owned(),
                    };
                    self.map.insert(fp, (n, s));
                    self.prune();
                }
            }
        }

        fn prune(&mut self) {
            if self.map.len() <= TopLines::CAPACITY {
                return;
            }
            let mut e: Vec<(u64, u64)> = self.map.iter().map(|(&fp, e)| (e.0, fp)).collect();
            e.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, fp) in &e[TopLines::CAPACITY / 2..] {
                self.map.remove(&fp);
            }
        }

        fn top(&self, n: usize) -> Vec<(u64, String)> {
            let mut v: Vec<_> = self
                .map
                .iter()
                .map(|(&fp, (c, s))| (*c, s.clone(), fp))
                .collect();
            v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            v.into_iter().take(n).map(|(c, s, _)| (c, s)).collect()
        }
    }

    proptest::proptest! {
        // Each case adds some 10,000 lines to three tables: a few cases do.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn compact_top_lines_equal_the_naive_table(
            lines in proptest::collection::vec(
                (0u64..6000, proptest::collection::vec(
                    proptest::sample::select(vec![b'a', b' ', 0xC3, 0xA9, 0xE2, 0x80, 0xA6, 0xF0, 0x9F, 0x98, 0x80, 0xFF]),
                    0..700,
                )),
                1..40,
            ),
            repeats in 150usize..300,
        ) {
            let mut fast = TopLines::default();
            let mut naive = NaiveTop::default();
            let mut halves = (TopLines::default(), TopLines::default());
            for r in 0..repeats {
                for (k, (fp, sample)) in lines.iter().enumerate() {
                    // Many distinct lines, so that the tables prune; the
                    // listed ones recur and stay.
                    let fp = if k % 3 == 0 { fp + 10_000 * r as u64 } else { *fp };
                    fast.add(fp, 1, sample);
                    naive.add(fp, 1, sample);
                    let half = if r % 2 == 0 { &mut halves.0 } else { &mut halves.1 };
                    half.add(fp, 1, sample);
                }
                // 30 lines seen once, so that the tables prune (4,500
                // distinct lines at least).
                for j in 0..30 {
                    let fp = (1 << 40) + 100 * r as u64 + j;
                    let sample = &lines[j as usize % lines.len()].1;
                    fast.add(fp, 1, sample);
                    naive.add(fp, 1, sample);
                    halves.0.add(fp, 1, sample);
                }
            }
            proptest::prop_assert_eq!(fast.top(20), naive.top(20));
            let mut sum = halves.0;
            sum += halves.1;
            proptest::prop_assert!(sum.len() <= TopLines::CAPACITY);
            let mut from_empty = TopLines::default();
            from_empty += sum.clone();
            proptest::prop_assert_eq!(from_empty, sum);
        }
    }

    #[test]
    fn renders_text_and_json() {
        let mut s = RunStats {
            inputs: 3,
            bad_inputs: 1,
            text_in: Count {
                lines: 1_234_567,
                bytes: 10,
            },
            bytes_read: [0, 10],
            ..RunStats::default()
        };
        s.drop_line("site-repeat", 1, b"Share this post", 16);
        let mut one = s.clone();
        one.drop_line("shape", 2, b"x", 1);
        let text = one.to_string();
        assert!(
            text.contains("  shape                  1 line               1 byte\n"),
            "{text}"
        );
        assert!(
            text.contains("  site-repeat            1 line              16 bytes\n"),
            "{text}"
        );
        let learn_only = RunStats {
            bytes_read: [10, 0],
            ..s.clone()
        };
        assert!(!learn_only.to_string().contains("kept"));
        let text = s.to_string();
        assert!(text.contains("1,234,567 in"), "{text}");
        assert!(text.contains("site-repeat"), "{text}");
        assert!(text.contains("Share this post"), "{text}");
        let j = s.to_json();
        assert_eq!(j["dropped_by_reason"]["site-repeat"]["lines"], 1);
        assert_eq!(j["top_dropped"][0]["line"], "Share this post");
        assert_eq!(j["lines"]["in"], 1_234_567);
        assert_eq!(j["pass1"]["mb_per_second"], serde_json::Value::Null);
    }
}
