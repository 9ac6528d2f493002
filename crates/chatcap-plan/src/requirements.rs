//! Agents required per interval: what a plan writes and the scheduler reads, as CSV.

use crate::PlanError;
use crate::forecast::{Header, TimeKind, data_lines, number, parse_time};

const FILE: &str = "requirements";

/// Most rows of a requirements file (a fortnight of 15-minute intervals for 100 skills).
pub const MAX_REQUIREMENT_ROWS: usize = 200_000;

/// An interval's start as seconds from midnight, and its date for an RFC 3339 time (as a plan
/// of such a forecast writes it), in its own offset, counted in days from the epoch.
fn start_of(s: &str) -> Option<(i64, Option<i64>)> {
    match parse_time(s)? {
        (t, TimeKind::Clock) => Some((t, None)),
        (t, TimeKind::Rfc3339 { offset_s }) => {
            let local = t + offset_s;
            Some((local.rem_euclid(86_400), Some(local.div_euclid(86_400))))
        }
    }
}

/// The most days a requirements file spans.
const MAX_DAYS: usize = 367;

/// Agents required in one interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Requirement {
    /// The day, from 0.
    pub day: usize,
    /// The interval within the day, from 0.
    pub interval: usize,
    /// The interval's start, as written.
    pub start: String,
    /// The skill, if the requirement is per skill.
    pub skill: Option<String>,
    /// Agents required (fractional allowed).
    pub required: f64,
}

/// Requirements per day and interval, as CSV with columns `day` (optional), `interval_start`
/// (`HH:MM`), `skill` (optional) and `required`.
///
/// # Examples
///
/// ```
/// use chatcap_plan::Requirements;
/// let r = Requirements::parse("interval_start,required\n09:00,3.5\n09:30,4\n")?;
/// assert_eq!(r.interval_s(), 1800);
/// assert_eq!(r.total_by_slot(), vec![vec![3.5, 4.0]]);
/// assert!(r.to_csv().starts_with("day,interval_start,skill,required\n"));
/// # Ok::<(), chatcap_plan::PlanError>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Requirements {
    interval_s: u32,
    /// Seconds from midnight of the first interval.
    first_s: u32,
    rows: Vec<Requirement>,
}

impl Requirements {
    /// Requirements from rows (as a plan makes them); starts are taken as written.
    pub fn from_rows(interval_s: u32, rows: Vec<Requirement>) -> Requirements {
        let first_s = rows.first().and_then(|r| start_of(&r.start)).map_or(0, |(s, _)| s as u32);
        Requirements { interval_s, first_s, rows }
    }

    /// Reads requirements from CSV text. Days are numbered from 0 (or from 1: a file whose days
    /// start at 1 is shifted down); without a `day` column there is one day. An RFC 3339 start's
    /// date is its day, whatever the `day` column says. Every day must give
    /// the same contiguous intervals; several skills' rows for an interval add up.
    ///
    /// # Errors
    ///
    /// [`PlanError::Field`], [`PlanError::Line`] or [`PlanError::File`], naming the line,
    /// the column and what was expected; [`PlanError::TooLarge`] past
    /// [`MAX_REQUIREMENT_ROWS`].
    pub fn parse(text: &str) -> Result<Requirements, PlanError> {
        if text.len() > crate::limits::MAX_BYTES {
            return Err(PlanError::TooLarge {
                what: "requirements bytes",
                found: text.len(),
                limit: crate::limits::MAX_BYTES,
            });
        }
        let mut lines = data_lines(text);
        let Some((hl, header)) = lines.next() else {
            return Err(PlanError::File {
                file: FILE,
                problem: "empty: expected a header line [day,]interval_start,[skill,]required".into(),
            });
        };
        let h = Header::read(FILE, hl, header, &["interval_start", "required"], &["day", "skill"])?;
        let mut parsed: Vec<(usize, i64, i64, Requirement)> = Vec::new();
        for (line, text) in lines {
            if parsed.len() >= MAX_REQUIREMENT_ROWS {
                return Err(PlanError::TooLarge {
                    what: "requirement rows",
                    found: parsed.len() + 1,
                    limit: MAX_REQUIREMENT_ROWS,
                });
            }
            let f = h.split(FILE, line, text)?;
            let bad = |c: usize, expected: &str| PlanError::Field {
                file: FILE,
                line,
                column: h.name(c).to_owned(),
                expected: expected.to_owned(),
                found: f[c].to_owned(),
            };
            let start = f[h.at(0)];
            let (at, date_day) =
                start_of(start).ok_or_else(|| bad(h.at(0), "a time HH:MM or an RFC 3339 date and time"))?;
            let required = number(f[h.at(1)])
                .filter(|x| (0.0..=1e6).contains(x))
                .ok_or_else(|| bad(h.at(1), "a number of agents from 0 to 1000000"))?;
            let day = match h.optional(0) {
                Some(c) => f[c]
                    .parse::<usize>()
                    .ok()
                    .filter(|d| *d <= 366)
                    .ok_or_else(|| bad(c, "a day number from 0 to 366"))?,
                None => 0,
            };
            let skill = h.optional(1).map(|c| f[c].to_owned()).filter(|s| !s.is_empty());
            parsed.push((
                line,
                // A date is the day; the day column counts the days of `HH:MM` starts.
                date_day.unwrap_or(day as i64),
                at,
                Requirement { day: 0, interval: 0, start: start.to_owned(), skill, required },
            ));
        }
        if parsed.is_empty() {
            return Err(PlanError::File { file: FILE, problem: "no rows after the header".into() });
        }
        let min_day = parsed.iter().map(|p| p.1).min().unwrap_or(0);
        let mut times: Vec<i64> = parsed.iter().map(|p| p.2).collect();
        times.sort_unstable();
        times.dedup();
        let interval_s = match times.windows(2).map(|w| w[1] - w[0]).min() {
            Some(s @ (900 | 1800 | 3600)) => s,
            None => 1800,
            Some(s) => {
                return Err(PlanError::File {
                    file: FILE,
                    problem: format!("intervals start {s} seconds apart; expected 15, 30 or 60 minutes"),
                });
            }
        };
        let first = times[0];
        let count = ((times[times.len() - 1] - first) / interval_s) as usize + 1;
        let days = (parsed.iter().map(|p| p.1 - min_day).max().unwrap_or(0) + 1) as usize;
        if days > MAX_DAYS {
            return Err(PlanError::File {
                file: FILE,
                problem: format!("the rows span {days} days; expected at most {MAX_DAYS}"),
            });
        }
        let mut seen = vec![false; days * count];
        let mut rows = Vec::with_capacity(parsed.len());
        for (line, day, at, mut r) in parsed {
            if (at - first) % interval_s != 0 {
                return Err(PlanError::Line {
                    file: FILE,
                    line,
                    problem: format!(
                        "interval_start {} is not on the {}-minute grid",
                        r.start,
                        interval_s / 60
                    ),
                });
            }
            r.day = (day - min_day) as usize;
            r.interval = ((at - first) / interval_s) as usize;
            seen[r.day * count + r.interval] = true;
            rows.push(r);
        }
        if let Some(k) = seen.iter().position(|s| !*s) {
            let t = first + (k % count) as i64 * interval_s;
            return Err(PlanError::File {
                file: FILE,
                problem: format!(
                    "day {} has no row for {:02}:{:02}; every day needs every interval from the first start to the last",
                    // The day as written, or counted from the first date.
                    if min_day <= 366 { (k / count) as i64 + min_day } else { (k / count) as i64 },
                    t / 3600,
                    t % 3600 / 60
                ),
            });
        }
        Ok(Requirements { interval_s: interval_s as u32, first_s: first as u32, rows })
    }

    /// The interval length, in seconds.
    pub fn interval_s(&self) -> u32 {
        self.interval_s
    }

    /// The first interval's start, in seconds from midnight.
    pub fn first_s(&self) -> u32 {
        self.first_s
    }

    /// The rows, as read.
    pub fn rows(&self) -> &[Requirement] {
        &self.rows
    }

    /// Days covered.
    pub fn days(&self) -> usize {
        self.rows.iter().map(|r| r.day + 1).max().unwrap_or(0)
    }

    /// Intervals per day.
    pub fn intervals(&self) -> usize {
        self.rows.iter().map(|r| r.interval + 1).max().unwrap_or(0)
    }

    /// The requirement per day and interval, summed over skills.
    pub fn total_by_slot(&self) -> Vec<Vec<f64>> {
        let mut out = vec![vec![0.0; self.intervals()]; self.days()];
        for r in &self.rows {
            out[r.day][r.interval] += r.required;
        }
        out
    }

    /// The requirements as CSV text: `day,interval_start,skill,required`.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("day,interval_start,skill,required\n");
        for r in &self.rows {
            s.push_str(&format!(
                "{},{},{},{}\n",
                r.day,
                r.start,
                r.skill.as_deref().unwrap_or(""),
                (r.required * 1000.0).round() / 1000.0
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan of an RFC 3339 forecast writes its starts as it read them; they read back with
    /// their dates as days and their times of day, in their own offset, as the intervals.
    #[test]
    fn rfc3339_starts_read_back_as_days_and_times() {
        let text = "day,interval_start,skill,required\n\
                    0,2026-03-02T23:00:00+02:00,s,1.5\n\
                    0,2026-03-02T23:30:00+02:00,s,2\n\
                    0,2026-03-03T23:00:00+02:00,s,3\n\
                    0,2026-03-03T23:30:00+02:00,s,4.25\n";
        let r = Requirements::parse(text).expect("reads");
        assert_eq!((r.interval_s(), r.first_s(), r.days(), r.intervals()), (1800, 23 * 3600, 2, 2));
        assert_eq!(r.total_by_slot(), vec![vec![1.5, 2.0], vec![3.0, 4.25]]);
        // Written out and read again, the same.
        assert_eq!(Requirements::parse(&r.to_csv()).expect("reads again"), r);
    }

    #[test]
    fn a_file_spanning_years_is_refused_before_it_allocates_per_day() {
        let text = "interval_start,required\n2000-01-01T08:00:00Z,1\n2026-01-01T08:00:00Z,1\n";
        let e = Requirements::parse(text).unwrap_err().to_string();
        assert!(e.contains("the rows span 9498 days; expected at most 367"), "{e}");
    }

    #[test]
    fn a_missing_row_names_its_day_as_written() {
        let text = "day,interval_start,required\n1,08:00,1\n1,08:30,1\n2,08:00,1\n";
        let e = Requirements::parse(text).unwrap_err().to_string();
        assert!(e.contains("day 2 has no row for 08:30"), "{e}");
    }
}
