//! The forecast: arrivals, handle time and patience per skill and interval, read from CSV text.

use crate::PlanError;

/// The limits a forecast is held to, checked before anything large is allocated.
pub mod limits {
    /// Bytes of forecast text.
    pub const MAX_BYTES: usize = 16 * 1024 * 1024;
    /// Data rows.
    pub const MAX_ROWS: usize = 200_000;
    /// Skills.
    pub const MAX_SKILLS: usize = 200;
    /// Intervals per skill (a week of 15-minute intervals is 672).
    pub const MAX_INTERVALS: usize = 2_976;
    /// Arrivals in one interval of one skill.
    pub const MAX_ARRIVALS: f64 = 1e6;
    /// A handle time or a patience, in seconds (a day).
    pub const MAX_SECONDS: f64 = 86_400.0;
}

const FILE: &str = "forecast";

/// One skill's forecast for one interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct IntervalForecast {
    /// Visitors expected to arrive in the interval.
    pub arrivals: f64,
    /// Mean handle time, in seconds.
    pub aht_s: f64,
    /// Mean patience, in seconds, if the forecast gives one.
    pub patience_s: Option<f64>,
}

/// One skill's forecast over the day.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SkillForecast {
    /// The skill, as the forecast names it.
    pub skill: String,
    /// One entry per interval, in the order of [`Forecast::starts`].
    pub intervals: Vec<IntervalForecast>,
}

/// A forecast: the same contiguous intervals for every skill.
///
/// # Examples
///
/// ```
/// use chatcap_plan::Forecast;
/// let f = Forecast::parse(
///     "interval_start,skill,arrivals,aht_s\n\
///      09:00,sales,40,300\n09:30,sales,55,300\n09:00,support,20,420\n09:30,support,25,420\n",
/// )?;
/// assert_eq!(f.interval_s(), 1800);
/// assert_eq!(f.starts(), ["09:00", "09:30"]);
/// assert_eq!(f.skills()[1].skill, "support");
/// assert_eq!(f.skills()[0].intervals[1].arrivals, 55.0);
/// # Ok::<(), chatcap_plan::PlanError>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Forecast {
    interval_s: u32,
    starts: Vec<String>,
    skills: Vec<SkillForecast>,
}

impl Forecast {
    /// A forecast built from values: intervals of `interval_s` seconds (any positive length:
    /// the CSV reader takes 15, 30 or 60 minutes), labelled by `starts`, one
    /// [`SkillForecast`] per skill with one entry per start.
    ///
    /// # Errors
    ///
    /// [`PlanError::File`] when a skill has a different number of intervals than there are
    /// starts, a value is out of range (arrivals negative, a handle time or patience not above
    /// 0), skills repeat, or patience is given for some intervals of a skill and not others;
    /// [`PlanError::TooLarge`] past [`limits`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_plan::{Forecast, IntervalForecast, SkillForecast};
    /// let i = IntervalForecast { arrivals: 10.0, aht_s: 300.0, patience_s: None };
    /// let f = Forecast::new(60, vec!["0".into(), "1".into()], vec![SkillForecast {
    ///     skill: "s".into(),
    ///     intervals: vec![i, i],
    /// }])?;
    /// assert_eq!(f.interval_s(), 60);
    /// # Ok::<(), chatcap_plan::PlanError>(())
    /// ```
    pub fn new(
        interval_s: u32,
        starts: Vec<String>,
        skills: Vec<SkillForecast>,
    ) -> Result<Forecast, PlanError> {
        let file = |problem: String| Err(PlanError::File { file: FILE, problem });
        if interval_s == 0 {
            return file("the interval length must be above 0 seconds".into());
        }
        if starts.is_empty() {
            return file("no intervals".into());
        }
        if starts.len() > limits::MAX_INTERVALS {
            return Err(PlanError::TooLarge {
                what: "intervals per skill",
                found: starts.len(),
                limit: limits::MAX_INTERVALS,
            });
        }
        if skills.is_empty() {
            return file("no skills".into());
        }
        if skills.len() > limits::MAX_SKILLS {
            return Err(PlanError::TooLarge {
                what: "skills",
                found: skills.len(),
                limit: limits::MAX_SKILLS,
            });
        }
        for (k, s) in skills.iter().enumerate() {
            if skills[..k].iter().any(|o| o.skill == s.skill) {
                return file(format!("skill {} is given twice", s.skill));
            }
            if s.intervals.len() != starts.len() {
                return file(format!(
                    "skill {} has {} intervals; expected {}, one per start",
                    s.skill,
                    s.intervals.len(),
                    starts.len()
                ));
            }
            let with_patience = s.intervals.iter().filter(|i| i.patience_s.is_some()).count();
            if with_patience != 0 && with_patience != s.intervals.len() {
                return file(format!(
                    "skill {} gives a patience for {with_patience} of its {} intervals; give it for all or none",
                    s.skill,
                    s.intervals.len()
                ));
            }
            for (i, x) in s.intervals.iter().enumerate() {
                let start = &starts[i];
                if !(x.arrivals.is_finite() && (0.0..=limits::MAX_ARRIVALS).contains(&x.arrivals)) {
                    return file(format!(
                        "skill {}, interval {start}: arrivals must be from 0 to {}, got {}",
                        s.skill,
                        limits::MAX_ARRIVALS,
                        x.arrivals
                    ));
                }
                for (what, v) in [("aht_s", Some(x.aht_s)), ("patience_s", x.patience_s)] {
                    if let Some(v) = v
                        && !(v.is_finite() && v > 0.0 && v <= limits::MAX_SECONDS)
                    {
                        return file(format!(
                            "skill {}, interval {start}: {what} must be above 0 and at most {} seconds, got {v}",
                            s.skill,
                            limits::MAX_SECONDS
                        ));
                    }
                }
            }
        }
        Ok(Forecast { interval_s, starts, skills })
    }

    /// Reads a forecast from CSV text.
    ///
    /// The header names the columns, in any order: `interval_start` (`HH:MM`, or an RFC 3339
    /// date and time such as `2026-03-02T09:00:00Z`), `skill`, `arrivals` (visitors per interval),
    /// `aht_s` (mean handle time in seconds) and optionally `patience_s` (mean patience in
    /// seconds; empty cells allowed only if the skill has none at all). Empty lines and lines
    /// starting with `#` are skipped. Rows may come in any order; the interval length (15, 30 or
    /// 60 minutes) is inferred from the starts, and every skill must cover the same contiguous
    /// intervals.
    ///
    /// # Errors
    ///
    /// [`PlanError::Field`] naming the line, the column and what was expected;
    /// [`PlanError::Line`] for a row with the wrong number of fields, a duplicate or a gap;
    /// [`PlanError::File`] for a missing column, no rows, or intervals that differ between
    /// skills; [`PlanError::TooLarge`] past [`limits`].
    pub fn parse(text: &str) -> Result<Forecast, PlanError> {
        if text.len() > limits::MAX_BYTES {
            return Err(PlanError::TooLarge {
                what: "forecast bytes",
                found: text.len(),
                limit: limits::MAX_BYTES,
            });
        }
        let mut lines = data_lines(text);
        let Some((header_line, header)) = lines.next() else {
            return Err(PlanError::File {
                file: FILE,
                problem: "empty: expected a header line interval_start,skill,arrivals,aht_s[,patience_s]"
                    .into(),
            });
        };
        let columns = Header::read(
            FILE,
            header_line,
            header,
            &["interval_start", "skill", "arrivals", "aht_s"],
            &["patience_s"],
        )?;
        let (c_start, c_skill, c_arr, c_aht) = (columns.at(0), columns.at(1), columns.at(2), columns.at(3));
        let c_pat = columns.optional(0);
        struct Row {
            line: usize,
            at: i64,
            label: String,
            skill: usize,
            value: IntervalForecast,
        }
        let mut rows: Vec<Row> = Vec::new();
        let mut skill_names: Vec<String> = Vec::new();
        let mut kind: Option<(TimeKind, usize)> = None;
        for (line, text) in lines {
            if rows.len() >= limits::MAX_ROWS {
                return Err(PlanError::TooLarge {
                    what: "forecast rows",
                    found: rows.len() + 1,
                    limit: limits::MAX_ROWS,
                });
            }
            let fields = columns.split(FILE, line, text)?;
            let field = |c: usize| fields[c];
            let bad = |c: usize, expected: &str| PlanError::Field {
                file: FILE,
                line,
                column: columns.name(c).to_owned(),
                expected: expected.to_owned(),
                found: field(c).to_owned(),
            };
            let (at, this_kind) = parse_time(field(c_start))
                .ok_or_else(|| bad(c_start, "a time HH:MM or an RFC 3339 date and time"))?;
            match kind {
                None => kind = Some((this_kind, line)),
                Some((k, first)) if std::mem::discriminant(&k) != std::mem::discriminant(&this_kind) => {
                    return Err(PlanError::Line {
                        file: FILE,
                        line,
                        problem: format!(
                            "interval_start is {}, but line {first} gave {}; use one form throughout",
                            this_kind.describe(),
                            k.describe()
                        ),
                    });
                }
                Some(_) => {}
            }
            let name = field(c_skill);
            if name.is_empty() {
                return Err(bad(c_skill, "a skill name"));
            }
            let skill = match skill_names.iter().position(|s| s == name) {
                Some(k) => k,
                None => {
                    if skill_names.len() >= limits::MAX_SKILLS {
                        return Err(PlanError::TooLarge {
                            what: "skills",
                            found: skill_names.len() + 1,
                            limit: limits::MAX_SKILLS,
                        });
                    }
                    skill_names.push(name.to_owned());
                    skill_names.len() - 1
                }
            };
            let arrivals = number(field(c_arr))
                .filter(|x| (0.0..=limits::MAX_ARRIVALS).contains(x))
                .ok_or_else(|| bad(c_arr, "a number of arrivals from 0 to 1000000"))?;
            let seconds = |c: usize| {
                number(field(c))
                    .filter(|x| *x > 0.0 && *x <= limits::MAX_SECONDS)
                    .ok_or_else(|| bad(c, "a number of seconds above 0 and at most 86400"))
            };
            let aht_s = seconds(c_aht)?;
            let patience_s = match c_pat {
                Some(c) if !field(c).is_empty() => Some(seconds(c)?),
                _ => None,
            };
            rows.push(Row {
                line,
                at,
                label: field(c_start).to_owned(),
                skill,
                value: IntervalForecast { arrivals, aht_s, patience_s },
            });
        }
        if rows.is_empty() {
            return Err(PlanError::File { file: FILE, problem: "no rows after the header".into() });
        }
        // The interval length: the smallest step between distinct starts.
        let mut times: Vec<i64> = rows.iter().map(|r| r.at).collect();
        times.sort_unstable();
        times.dedup();
        let step = times.windows(2).map(|w| w[1] - w[0]).min();
        let interval_s: i64 = match step {
            None => {
                return Err(PlanError::File {
                    file: FILE,
                    problem: "one interval only: the interval length (15, 30 or 60 minutes) is read from two starts or more".into(),
                });
            }
            Some(s @ (900 | 1800 | 3600)) => s,
            Some(s) => {
                return Err(PlanError::File {
                    file: FILE,
                    problem: format!(
                        "intervals start {} apart; expected 15, 30 or 60 minutes",
                        describe_seconds(s)
                    ),
                });
            }
        };
        let first = times[0];
        let count = usize::try_from((times[times.len() - 1] - first) / interval_s)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        if count > limits::MAX_INTERVALS {
            return Err(PlanError::TooLarge {
                what: "intervals per skill",
                found: count,
                limit: limits::MAX_INTERVALS,
            });
        }
        let mut cells: Vec<Vec<Option<(usize, IntervalForecast)>>> =
            vec![vec![None; count]; skill_names.len()];
        let mut starts: Vec<Option<String>> = vec![None; count];
        for r in &rows {
            let offset = r.at - first;
            if offset % interval_s != 0 {
                return Err(PlanError::Line {
                    file: FILE,
                    line: r.line,
                    problem: format!(
                        "interval_start {} is not on the {}-minute grid that starts at {}",
                        r.label,
                        interval_s / 60,
                        rows.iter().find(|o| o.at == first).map_or("", |o| o.label.as_str())
                    ),
                });
            }
            let i = (offset / interval_s) as usize;
            let cell = &mut cells[r.skill][i];
            if let Some((prev, _)) = cell {
                return Err(PlanError::Line {
                    file: FILE,
                    line: r.line,
                    problem: format!(
                        "skill {} at {} is given twice (first on line {prev})",
                        skill_names[r.skill], r.label
                    ),
                });
            }
            *cell = Some((r.line, r.value));
            starts[i].get_or_insert_with(|| r.label.clone());
        }
        let mut skills = Vec::with_capacity(skill_names.len());
        for (k, name) in skill_names.into_iter().enumerate() {
            let mut intervals = Vec::with_capacity(count);
            for (i, cell) in cells[k].iter().enumerate() {
                match cell {
                    Some((_, v)) => intervals.push(*v),
                    None => {
                        let expected = (first + interval_s * i as i64, kind.map_or(TimeKind::Clock, |k| k.0));
                        return Err(PlanError::File {
                            file: FILE,
                            problem: format!(
                                "skill {name} has no row for the interval starting {}; every skill needs \
                                 every interval from the first start to the last",
                                format_time(expected.0, expected.1)
                            ),
                        });
                    }
                }
            }
            skills.push(SkillForecast { skill: name, intervals });
        }
        let starts = starts.into_iter().map(Option::unwrap_or_default).collect();
        Forecast::new(interval_s as u32, starts, skills)
    }

    /// The length of an interval, in seconds.
    pub fn interval_s(&self) -> u32 {
        self.interval_s
    }

    /// Each interval's start, as the forecast writes it.
    pub fn starts(&self) -> &[String] {
        &self.starts
    }

    /// The skills, in the order the forecast first names them.
    pub fn skills(&self) -> &[SkillForecast] {
        &self.skills
    }
}

/// The lines that hold data, numbered from 1: not empty, not comments.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// A CSV header: where each wanted column is.
pub(crate) struct Header {
    names: Vec<String>,
    required: Vec<usize>,
    optional: Vec<Option<usize>>,
}

impl Header {
    pub(crate) fn read(
        file: &'static str,
        line: usize,
        text: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Header, PlanError> {
        let names: Vec<String> = text.split(',').map(|s| s.trim().to_ascii_lowercase()).collect();
        if text.contains('"') {
            return Err(PlanError::Line {
                file,
                line,
                problem: "quoted fields are not read: write plain comma-separated values".into(),
            });
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(PlanError::Line {
                    file,
                    line,
                    problem: format!("column {n} appears twice in the header"),
                });
            }
        }
        let find = |want: &str| names.iter().position(|n| n == want);
        let mut req = Vec::with_capacity(required.len());
        for want in required {
            match find(want) {
                Some(i) => req.push(i),
                None => {
                    return Err(PlanError::File {
                        file,
                        problem: format!(
                            "the header (line {line}) has no column {want}; expected the columns {}{}",
                            required.join(","),
                            if optional.is_empty() {
                                String::new()
                            } else {
                                format!(" and optionally {}", optional.join(","))
                            }
                        ),
                    });
                }
            }
        }
        Ok(Header { required: req, optional: optional.iter().map(|w| find(w)).collect(), names })
    }

    pub(crate) fn at(&self, k: usize) -> usize {
        self.required[k]
    }

    pub(crate) fn optional(&self, k: usize) -> Option<usize> {
        self.optional[k]
    }

    pub(crate) fn name(&self, c: usize) -> &str {
        &self.names[c]
    }

    pub(crate) fn split<'t>(
        &self,
        file: &'static str,
        line: usize,
        text: &'t str,
    ) -> Result<Vec<&'t str>, PlanError> {
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        if fields.len() != self.names.len() {
            return Err(PlanError::Line {
                file,
                line,
                problem: format!(
                    "{} fields; expected {}, one per header column",
                    fields.len(),
                    self.names.len()
                ),
            });
        }
        if text.contains('"') {
            return Err(PlanError::Line {
                file,
                line,
                problem: "quoted fields are not read: write plain comma-separated values".into(),
            });
        }
        Ok(fields)
    }
}

/// A finite decimal number.
pub(crate) fn number(s: &str) -> Option<f64> {
    // `f64::from_str` takes "inf" and "nan"; a forecast holds plain decimals.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeKind {
    /// `HH:MM`: seconds since midnight.
    Clock,
    /// RFC 3339: seconds since the Unix epoch, in the offset given.
    Rfc3339 { offset_s: i64 },
}

impl TimeKind {
    fn describe(self) -> &'static str {
        match self {
            TimeKind::Clock => "a time of day (HH:MM)",
            TimeKind::Rfc3339 { .. } => "an RFC 3339 date and time",
        }
    }
}

/// Seconds, and how they were written: `HH:MM` (from midnight) or RFC 3339 (from the epoch).
/// RFC 3339 times of different offsets compare by instant; the offset of the first is kept
/// for messages.
pub(crate) fn parse_time(s: &str) -> Option<(i64, TimeKind)> {
    if let Some(t) = parse_clock(s) {
        return Some((t, TimeKind::Clock));
    }
    parse_rfc3339(s).map(|(t, offset_s)| (t, TimeKind::Rfc3339 { offset_s }))
}

/// `HH:MM` (or `H:MM`, or `HH:MM:SS`) into seconds since midnight.
pub(crate) fn parse_clock(s: &str) -> Option<i64> {
    let mut parts = s.split(':');
    let h = digits(parts.next()?, 1, 2)?;
    let m = digits(parts.next()?, 2, 2)?;
    let sec = match parts.next() {
        Some(p) => digits(p, 2, 2)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

fn digits(s: &str, min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` into seconds since the epoch (whole seconds; a
/// fraction must be zero) and the offset in seconds.
fn parse_rfc3339(s: &str) -> Option<(i64, i64)> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = digits(s.get(0..4)?, 4, 4)?;
    let month = digits(s.get(5..7)?, 2, 2)?;
    let day = digits(s.get(8..10)?, 2, 2)?;
    let time = s.get(11..19)?;
    let secs = parse_clock(time)?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || !frac[..n].bytes().all(|d| d == b'0') {
            return None;
        }
        rest = &frac[n..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let off = rest.get(1..)?;
            if off.len() != 5 || off.as_bytes()[2] != b':' {
                return None;
            }
            let (h, m) = (digits(&off[0..2], 2, 2)?, digits(&off[3..5], 2, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + secs - offset_s, offset_s))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), for years 0..=9999.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A time as the forecast would write it, for messages.
pub(crate) fn format_time(t: i64, kind: TimeKind) -> String {
    match kind {
        TimeKind::Clock => format!("{:02}:{:02}", t / 3600, t % 3600 / 60),
        TimeKind::Rfc3339 { offset_s } => {
            let local = t + offset_s;
            let (y, m, d) = civil_from_days(local.div_euclid(86_400));
            let s = local.rem_euclid(86_400);
            let off = if offset_s == 0 {
                "Z".to_owned()
            } else {
                let a = offset_s.abs();
                format!("{}{:02}:{:02}", if offset_s < 0 { '-' } else { '+' }, a / 3600, a % 3600 / 60)
            };
            format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{off}", s / 3600, s % 3600 / 60, s % 60)
        }
    }
}

fn describe_seconds(s: i64) -> String {
    if s % 60 == 0 { format!("{} minutes", s / 60) } else { format!("{s} seconds") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Forecast::parse(text).map(|_| ()).expect_err("rejected").to_string()
    }

    #[test]
    fn reads_columns_in_any_order_and_rows_in_any_order() {
        let f = Forecast::parse(
            "skill,aht_s,arrivals,interval_start,patience_s\n\
             b,400,5,10:00,60\n\
             a,300,10,10:15,\n\
             a,300,12,10:00,\n\
             b,400,6,10:15,90\n",
        )
        .expect("reads");
        assert_eq!(f.interval_s(), 900);
        assert_eq!(f.starts(), ["10:00", "10:15"]);
        assert_eq!(f.skills()[0].skill, "b");
        assert_eq!(f.skills()[1].intervals[0].arrivals, 12.0);
        assert_eq!(f.skills()[0].intervals[1].patience_s, Some(90.0));
        assert_eq!(f.skills()[1].intervals[1].patience_s, None);
    }

    #[test]
    fn reads_rfc3339_across_midnight_and_offsets() {
        let f = Forecast::parse(
            "interval_start,skill,arrivals,aht_s\n\
             2026-03-01T23:00:00Z,s,1,300\n\
             2026-03-02T01:00:00+01:00,s,2,300\n\
             2026-03-02T01:00:00Z,s,3,300\n",
        )
        .expect("reads");
        assert_eq!(f.interval_s(), 3600);
        assert_eq!(f.skills()[0].intervals.iter().map(|i| i.arrivals).collect::<Vec<_>>(), [1.0, 2.0, 3.0]);
        let (t, off) = parse_rfc3339("2024-02-29T12:30:00-05:00").expect("a leap day");
        assert_eq!(format_time(t, TimeKind::Rfc3339 { offset_s: off }), "2024-02-29T12:30:00-05:00");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        assert!(parse_rfc3339("2023-02-29T12:30:00Z").is_none());
    }

    #[test]
    fn errors_name_the_line_column_and_what_was_expected() {
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,ten,300\n");
        assert_eq!(
            e,
            "forecast line 2, column arrivals: expected a number of arrivals from 0 to 1000000, found \"ten\""
        );
        let e = err("interval_start,skill,arrivals,aht_s\n9h00,s,1,300\n");
        assert!(e.contains("line 2, column interval_start: expected a time HH:MM"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,0\n09:30,s,1,300\n");
        assert!(e.contains("line 2, column aht_s: expected a number of seconds above 0"), "{e}");
        let e = err("interval_start,skill,arrivals\n09:00,s,1\n");
        assert!(e.contains("no column aht_s"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300,4\n");
        assert_eq!(e, "forecast line 2: 5 fields; expected 4, one per header column");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n09:00,s,1,300\n09:30,s,1,300\n");
        assert!(e.contains("line 3: skill s at 09:00 is given twice (first on line 2)"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n09:20,s,1,300\n");
        assert!(e.contains("20 minutes apart; expected 15, 30 or 60 minutes"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n09:30,s,1,300\n10:30,s,1,300\n");
        assert!(e.contains("skill s has no row for the interval starting 10:00"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n09:30,s,1,300\n09:00,t,1,300\n");
        assert!(e.contains("skill t has no row for the interval starting 09:30"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n09:30,s,1,300\n10:15,s,1,300\n");
        assert!(e.contains("line 4: interval_start 10:15 is not on the 30-minute grid"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,inf,300\n09:30,s,1,300\n");
        assert!(e.contains("column arrivals"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s,patience_s\n09:00,s,1,300,60\n09:30,s,1,300,\n");
        assert!(e.contains("for all or none"), "{e}");
        let e = err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n2026-03-02T09:30:00Z,s,1,300\n");
        assert!(e.contains("line 3: interval_start is an RFC 3339"), "{e}");
        assert!(err("").contains("empty"));
        assert!(err("interval_start,skill,arrivals,aht_s\n").contains("no rows"));
        assert!(err("interval_start,skill,arrivals,aht_s\n09:00,s,1,300\n").contains("one interval only"));
    }

    #[test]
    fn sizes_are_bounded() {
        let mut text = String::from("interval_start,skill,arrivals,aht_s\n");
        text.push_str(
            "2026-01-01T00:00:00Z,s,1,300\n2030-01-01T00:00:00Z,s,1,300\n2026-01-01T00:15:00Z,s,1,300\n",
        );
        assert!(err(&text).contains("intervals per skill"));
    }
}
