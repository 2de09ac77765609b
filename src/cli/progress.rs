//! Progress and messages on stderr: the command line's [`Events`].
//!
//! The bar is drawn only when stderr is a terminal and `--quiet` is not
//! given, at most 5 times a second (often enough to look alive, rarely
//! enough to cost nothing). Messages are printed around the bar so that it
//! never garbles them.

use std::cell::Cell;
use std::io::IsTerminal;

use boilerstrip::input::Input;
use boilerstrip::pipeline::Events;
use boilerstrip::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports a run on stderr.
pub struct Reporter {
    bar: Option<ProgressBar>,
    quiet: bool,
    /// Whether this pass's bar counts bytes (false: inputs, when their sizes
    /// are unknown).
    by_bytes: Cell<bool>,
}

impl Reporter {
    /// A reporter; with a bar if stderr is a terminal and not `quiet`.
    pub fn new(quiet: bool) -> Reporter {
        let bar = (!quiet && std::io::stderr().is_terminal())
            .then(|| ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5)));
        Reporter {
            bar,
            quiet,
            by_bytes: Cell::new(true),
        }
    }

    /// Prints a line on stderr without disturbing the bar.
    pub fn say(&self, line: &str) {
        let line = one_line(line);
        match &self.bar {
            Some(bar) => bar.suspend(|| say!("{line}")),
            None => say!("{line}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Events for Reporter {
    fn pass_started(&self, pass: u8, inputs: usize, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        self.by_bytes.set(bytes > 0);
        let template = if bytes > 0 {
            "{prefix} {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)"
        } else {
            "{prefix} {wide_bar} {pos}/{len} inputs"
        };
        bar.set_style(ProgressStyle::with_template(template).expect("the template is valid"));
        bar.set_prefix(format!("pass {pass}"));
        bar.reset();
        bar.set_length(if bytes > 0 { bytes } else { inputs as u64 });
    }

    fn input_done(&self, _pass: u8, input: &Input) {
        if let Some(bar) = &self.bar {
            bar.inc(if self.by_bytes.get() { input.size } else { 1 });
        }
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
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(one_line("d/a.txt: binary"), "d/a.txt: binary");
        assert_eq!(
            one_line("d/a\nDROP x.txt: binary\r\t\u{85}é"),
            "d/a\\x0aDROP x.txt: binary\\x0d\t\\x85é"
        );
    }
}
