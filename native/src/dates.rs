//! Which date strings `mirror.dates.to_millis` accepts.

use crate::{Decline, Outcome};

pub(crate) fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

pub(crate) fn number(text: &[u8]) -> u32 {
    text.iter().fold(0, |n, b| n * 10 + (b - b'0') as u32)
}

/// `mirror.dates.to_millis` accepts ``text``: the grammar
/// ``YYYY[-MM[-DD[(T| )HH[:MM[:SS[.f+]]][zone]]]]``, zone ``Z`` or ``±HH[:]MM``, naming a
/// real instant (a real day, hour < 24, minute and second < 60, zone under a day).
/// The text is stripped first, as ``str.strip()`` does; any non-ASCII text is declined.
pub(crate) fn is_date(text: &str) -> Outcome<bool> {
    if !text.is_ascii() {
        return Err(Decline); // `\d` and `strip()` are Unicode's there
    }
    let b = text
        .trim_matches(|c: char| matches!(c, ' ' | '\t'..='\r' | '\x1c'..='\x1f'))
        .as_bytes(); // str.strip()
    let digits = |at: usize, n: usize| b.len() >= at + n && b[at..at + n].iter().all(u8::is_ascii_digit);
    if !digits(0, 4) {
        return Ok(false);
    }
    let (year, mut month, mut day, mut hour, mut minute, mut second) = (number(&b[0..4]), 1, 1, 0, 0, 0);
    let mut at = 4;
    let mut zone_allowed = false;
    if at < b.len() {
        if b[at] != b'-' || !digits(at + 1, 2) {
            return Ok(false);
        }
        month = number(&b[at + 1..at + 3]);
        at += 3;
        if at < b.len() {
            if b[at] != b'-' || !digits(at + 1, 2) {
                return Ok(false);
            }
            day = number(&b[at + 1..at + 3]);
            at += 3;
            if at < b.len() && (b[at] == b'T' || b[at] == b' ') {
                if !digits(at + 1, 2) {
                    return Ok(false);
                }
                hour = number(&b[at + 1..at + 3]);
                at += 3;
                zone_allowed = true; // a zone only ever follows a time
                if at < b.len() && b[at] == b':' && digits(at + 1, 2) {
                    minute = number(&b[at + 1..at + 3]);
                    at += 3;
                    if at < b.len() && b[at] == b':' && digits(at + 1, 2) {
                        second = number(&b[at + 1..at + 3]);
                        at += 3;
                        if at < b.len() && b[at] == b'.' {
                            let start = at + 1;
                            at = start;
                            while at < b.len() && b[at].is_ascii_digit() {
                                at += 1;
                            }
                            if at == start {
                                return Ok(false);
                            }
                        }
                    }
                }
            }
        }
    }
    if at < b.len() {
        if !zone_allowed {
            return Ok(false);
        }
        let zone = &b[at..];
        if zone != b"Z" {
            let valid = (zone.len() == 5 || zone.len() == 6)
                && (zone[0] == b'+' || zone[0] == b'-')
                && zone[1..3].iter().all(u8::is_ascii_digit)
                && if zone.len() == 6 { zone[3] == b':' } else { true }
                && zone[zone.len() - 2..].iter().all(u8::is_ascii_digit);
            if !valid {
                return Ok(false);
            }
            let (h, m) = (number(&zone[1..3]), number(&zone[zone.len() - 2..]));
            if h * 60 + m >= 24 * 60 {
                return Ok(false); // timezone() refuses an offset of a day or more
            }
        }
    }
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return Ok(false),
    };
    Ok(year >= 1 && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60)
}
