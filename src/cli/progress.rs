//! Progress and messages on stderr: the command line's [`Events`].
//!
//! The bar is drawn only when stderr is a terminal, `--quiet` is not
//! given and the cleaned text does not go to a terminal too (see
//! [`draws_bar`]), and only once a run has taken [`SHOW_AFTER`]: a run
//! that ends before has nothing to wait for, and its bar would only flash.
//! Then at most 5 times a second (often enough to look alive, rarely
//! enough to cost nothing), on a tick of its own too, so that it moves
//! while standard input is read in or one big piece is worked on. Messages
//! are printed around the bar so that it never garbles them, and Ctrl-C or
//! SIGTERM removes it before ending the process ([`clear_on_signals`]).

use std::cell::{Cell, RefCell};
use std::io::IsTerminal;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use boilerstrip::input::Input;
use boilerstrip::pipeline::Events;
use boilerstrip::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its bar is shown. Half a second is about
/// where waiting starts to be felt; the generated benchmark tree of 2,200
/// files is cleaned in 0.25 s, and shows none.
pub const SHOW_AFTER: Duration = Duration::from_millis(500);

/// How often the bar is redrawn: 5 times a second (qsv's rate).
const TICK: Duration = Duration::from_millis(200);

/// Reports a run on stderr.
pub struct Reporter {
    bar: Option<ProgressBar>,
    /// The thread that shows the bar after [`SHOW_AFTER`], and the sender
    /// that, dropped, tells it that the run is over.
    shower: RefCell<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
    quiet: bool,
    /// Whether this pass's bar has a total: the inputs' sizes on disk
    /// (false: only streams, standard input or a named pipe, whose bytes
    /// are counted as they are read).
    sized: Cell<bool>,
    /// The bytes of the input in progress that the bar has counted.
    counted: Cell<u64>,
    /// What the bar calls pass 1 and pass 2 ([`Reporter::passes`]).
    names: [&'static str; 2],
}

impl Reporter {
    /// A reporter; with a bar if [`draws_bar`] says so. `text_to_stdout`:
    /// whether the run writes the cleaned text (or `--explain`) to standard
    /// output.
    pub fn new(quiet: bool, text_to_stdout: bool) -> Reporter {
        let shown = draws_bar(
            quiet,
            std::io::stderr().is_terminal(),
            std::env::var_os("TERM").as_deref(),
            text_to_stdout && std::io::stdout().is_terminal(),
        );
        // Hidden until shown, it keeps count all the same. Its first look
        // is for standard input, read in before pass 1 starts.
        let bar = shown.then(|| {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
                .with_style(style("pass 1 {spinner} {elapsed}"))
        });
        if let Some(bar) = &bar {
            clear_on_signals(bar);
        }
        let shower = bar.as_ref().map(|bar| {
            let (tell, told) = mpsc::channel::<()>();
            let bar = bar.clone();
            let thread = std::thread::spawn(move || {
                if told.recv_timeout(SHOW_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
                    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(5));
                    bar.enable_steady_tick(TICK);
                }
            });
            (tell, thread)
        });
        Reporter {
            bar,
            shower: RefCell::new(shower),
            quiet,
            sized: Cell::new(true),
            counted: Cell::new(0),
            names: ["pass 1", "pass 2"],
        }
    }

    /// The reporter of a run of `job`: what its bar calls each pass, by
    /// the passes the run makes. Two passes are "pass 1 of 2" and "pass 2
    /// of 2", so that the bar's end of pass 1 is not taken for the run's;
    /// a run of one says what it does.
    pub fn passes(mut self, job: Passes) -> Reporter {
        let names = match job {
            Passes::Both => ["pass 1 of 2", "pass 2 of 2"],
            Passes::Learn => ["learning", "learning"],
            Passes::CleanOnly => ["cleaning", "cleaning"],
        };
        self.names = names;
        self
    }

    /// Prints a line on stderr without disturbing the bar.
    pub fn say(&self, line: &str) {
        let line = one_line(line);
        match &self.bar {
            Some(bar) => bar.suspend(|| say!("{line}")),
            None => say!("{line}"),
        }
    }

    /// Shows a spinner saying what is being done (`what`) and for how
    /// long, for work that no count of bytes measures (`train`, `eval
    /// --analyze`).
    pub fn phase(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_style(style("{spinner} {msg} ({elapsed})"));
            bar.set_message(one_line(what).into_owned());
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some((tell, thread)) = self.shower.borrow_mut().take() {
            drop(tell);
            let _ = thread.join();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The passes a run makes.
#[derive(Clone, Copy, Debug)]
pub enum Passes {
    /// Pass 1, the statistics, and pass 2, the cleaning (`clean`).
    Both,
    /// Pass 1 only (`learn`).
    Learn,
    /// Pass 2 only, with statistics given (`clean --model`).
    CleanOnly,
}

/// A run that ends early (an error) removes its bar too.
impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Events for Reporter {
    fn pass_started(&self, pass: u8, _inputs: usize, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        self.sized.set(bytes > 0);
        self.counted.set(0);
        let columns = console::Term::stderr().size_checked().map(|(_, c)| c);
        let template = template(bytes > 0, columns);
        // The pass is written into the template, which is set without a
        // redraw: each of the calls after it redraws the bar, and with a
        // prefix set apart the frame drawn in between showed the last
        // pass's end under this pass's name, or this pass's start under the
        // last one's. (Both passes have the same length.)
        let name = self.names[usize::from(pass.clamp(1, 2) - 1)];
        bar.set_style(style(&format!("{name} {template}")));
        bar.reset();
        if bytes > 0 {
            bar.set_length(bytes);
        } else {
            bar.unset_length();
        }
    }

    fn input_progress(&self, _pass: u8, input: &Input, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        // Against a total, an input counts no more than its size, and a
        // stream (no size) not at all.
        let bytes = if self.sized.get() {
            bytes.min(input.size)
        } else {
            bytes
        };
        let before = self.counted.get();
        if bytes > before {
            bar.inc(bytes - before);
            self.counted.set(bytes);
        }
    }

    fn input_done(&self, _pass: u8, input: &Input) {
        let Some(bar) = &self.bar else { return };
        if self.sized.get() {
            bar.inc(input.size.saturating_sub(self.counted.get()));
        }
        self.counted.set(0);
    }

    fn problem(&self, error: &Error) {
        self.say(&format!("boilerstrip: {error}"));
    }

    fn notice(&self, message: &str) {
        if !self.quiet {
            self.say(&format!("boilerstrip: {message}"));
        }
    }
}

/// Terminals narrower than this many columns get the short bar: the long
/// one's figures take 47 columns with sizes in the hundreds of MiB, and the
/// bar, with its name ("pass 2 of 2"), at least 22 more.
const NARROW: u16 = 70;

/// The bar's template after the pass's name, with a total (`sized`) or
/// without, on a terminal of `columns` columns (`None`: unknown). On a
/// narrow terminal the long one, wider than a line, was wrapped onto two,
/// its bar squeezed out.
fn template(sized: bool, columns: Option<u16>) -> &'static str {
    let narrow = columns.is_some_and(|c| c < NARROW);
    match (sized, narrow) {
        (true, false) => "{wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        (true, true) => "{wide_bar} {percent:>3}% {eta:>4}",
        (false, false) => "{spinner} {bytes} read ({bytes_per_sec})",
        (false, true) => "{spinner} {bytes} read",
    }
}

/// On SIGINT (Ctrl-C) or SIGTERM, removes `bar` and then ends the process
/// as the signal would have, with no handler (so that a shell sees a run
/// interrupted, and `kill -INT` still ends it): the bar was left on the
/// screen, its figures frozen and its "left" promising an end that never
/// came. The outputs are as after the signal without it (atomic: complete
/// under their names, or none). If the bar cannot be had within a tenth of
/// a second (the main thread holding it while writing a message to a
/// terminal that does not read, after Ctrl-S), the process ends anyway.
#[cfg(unix)]
fn clear_on_signals(bar: &ProgressBar) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    let bar = bar.clone();
    std::thread::spawn(move || {
        let Some(signal) = signals.forever().next() else {
            return;
        };
        let (cleared, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            bar.finish_and_clear();
            let _ = cleared.send(());
        });
        let _ = wait.recv_timeout(Duration::from_millis(100));
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        // Not reached: the default action of both signals ends the process.
        std::process::exit(128 + signal);
    });
}

#[cfg(not(unix))]
fn clear_on_signals(_bar: &ProgressBar) {}

/// The bar's look, from an indicatif `template`.
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("the template is valid")
}

/// Whether a run draws the bar: not under `quiet`, only on a terminal
/// stderr (not one whose `TERM` is `dumb`, as Emacs's shell buffer and
/// some CI logs say they are: without cursor control the bar's escapes
/// show as text, and each redraw adds a line), and not while the cleaned text is written to a terminal
/// (`text_on_terminal`), which is stderr's own when both are the screen: the
/// bar, redrawn in place at the start of its line, would end up in the
/// middle of the text, the next line of text glued to it and then erased
/// by its next redraw.
pub fn draws_bar(
    quiet: bool,
    stderr_is_terminal: bool,
    term: Option<&std::ffi::OsStr>,
    text_on_terminal: bool,
) -> bool {
    let dumb = term.is_some_and(|t| t == "dumb");
    !quiet && stderr_is_terminal && !dumb && !text_on_terminal
}

/// `message` with its control characters but the tab (a line feed or a
/// carriage return in a file name found in a folder) shown as `\xNN`, as
/// `--explain` shows them: a message about an input is one line of stderr,
/// and a name must not start a line of its own.
pub fn one_line(message: &str) -> std::borrow::Cow<'_, str> {
    boilerstrip::explain::visible(message, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_only_on_a_terminal_stderr_and_never_over_the_text() {
        let xterm = Some(std::ffi::OsStr::new("xterm-256color"));
        assert!(draws_bar(false, true, xterm, false));
        assert!(draws_bar(false, true, None, false));
        assert!(!draws_bar(true, true, xterm, false));
        assert!(!draws_bar(false, false, xterm, false));
        // `boilerstrip clean dumps/` on a terminal: the text is on screen.
        assert!(!draws_bar(false, true, xterm, true));
        assert!(!draws_bar(
            false,
            true,
            Some(std::ffi::OsStr::new("dumb")),
            false
        ));
    }

    #[test]
    fn the_bar_fits_a_narrow_terminal() {
        // Each placeholder at its widest (a bar at its narrowest worth
        // drawing, 10 columns), for a terminal of at least 40 columns.
        let widest = |template: &str| {
            let mut line = format!("pass 2 of 2 {template}");
            for (key, value) in [
                ("{wide_bar}", "#".repeat(10)),
                ("{bytes}", "999.99 MiB".into()),
                ("{total_bytes}", "999.99 MiB".into()),
                ("{bytes_per_sec}", "999.99 MiB/s".into()),
                ("{eta}", "59m".into()),
                ("{eta:>4}", " 59m".into()),
                ("{percent:>3}", "100".into()),
                ("{spinner}", "⠋".into()),
            ] {
                line = line.replace(key, &value);
            }
            assert!(!line.contains('{'), "{line}");
            line.chars().count()
        };
        for sized in [true, false] {
            for columns in [40, 69, 70, 80, 200] {
                let t = template(sized, Some(columns));
                assert!(widest(t) <= usize::from(columns), "{columns} columns: {t}");
            }
        }
        assert_eq!(template(true, None), template(true, Some(80)));
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(one_line("d/a.txt: binary"), "d/a.txt: binary");
        assert_eq!(
            one_line("d/a\nDROP x.txt: binary\r\t\u{85}é"),
            "d/a\\x0aDROP x.txt: binary\\x0d\t\\x85é"
        );
    }
}
