//! When a schedule recurs: a cron pattern in local time, or a fixed interval. People write
//! `--every "weekday 08:00"`, `--every monday 09:30`, `--every 1h`, `--every day`; each
//! becomes one of the two, with a description in words.
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecurrenceError {
    #[error(
        "`{0}` is not a cron pattern: {1} (five fields: minute hour day month weekday, e.g. \"0 8 * * 1-5\")"
    )]
    Cron(String, String),
    #[error(
        "`{0}` is not a schedule Errand knows: use e.g. \"weekday 08:00\", \"monday 09:30\", \"day\", \"day 07:00\", \"1h\" or \"30m\", or --cron"
    )]
    Every(String),
    #[error("an interval must be at least one minute, not `{0}`")]
    TooShort(String),
}

/// What `Recurrence::between` found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Occurrences {
    pub count: usize,
    pub first: Option<DateTime<Utc>>,
    pub before_last: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recurrence {
    /// Minute hour day-of-month month day-of-week, in the local time zone.
    Cron { pattern: String },
    /// Every `seconds`, counted from `anchor`.
    Interval { seconds: u64, anchor: DateTime<Utc> },
}

const DAYS: [(&str, &str, u32); 7] = [
    ("sunday", "sun", 0),
    ("monday", "mon", 1),
    ("tuesday", "tue", 2),
    ("wednesday", "wed", 3),
    ("thursday", "thu", 4),
    ("friday", "fri", 5),
    ("saturday", "sat", 6),
];

impl Recurrence {
    pub fn cron(pattern: &str) -> Result<Recurrence, RecurrenceError> {
        let pattern = pattern.split_whitespace().collect::<Vec<_>>().join(" ");
        if pattern.split(' ').count() != 5 {
            return Err(RecurrenceError::Cron(
                pattern,
                "it needs exactly five fields".into(),
            ));
        }
        croner::Cron::from_str(&pattern)
            .map_err(|e| RecurrenceError::Cron(pattern.clone(), e.to_string()))?;
        Ok(Recurrence::Cron { pattern })
    }

    /// `--every SPEC`; `now` (in the local zone `tz`) fixes the time of day for `day` and
    /// `week` without one, and anchors intervals.
    pub fn every<Tz: TimeZone>(
        spec: &str,
        now: &DateTime<Tz>,
    ) -> Result<Recurrence, RecurrenceError> {
        // "every day at 7:30" reads as well as "day 07:30"; "1 hour" as "1h".
        let mut words: Vec<String> = spec
            .split_whitespace()
            .map(|w| w.to_ascii_lowercase())
            .filter(|w| w != "every" && w != "at")
            .collect();
        if let [n, unit] = words.as_slice()
            && n.chars().all(|c| c.is_ascii_digit())
            && unit.chars().all(|c| c.is_ascii_alphabetic())
        {
            words = vec![format!("{n}{unit}")];
        }
        let bad = || RecurrenceError::Every(spec.to_string());
        let at = |time: Option<&String>| -> Result<(u32, u32), RecurrenceError> {
            match time {
                None => Ok((now.hour(), now.minute())),
                Some(t) => clock_time(t).ok_or_else(bad),
            }
        };
        let (first, time) = match words.as_slice() {
            [first] => (first.as_str(), None),
            [first, time] => (first.as_str(), Some(time)),
            _ => return Err(bad()),
        };
        let daily = |days: &str| -> Result<Recurrence, RecurrenceError> {
            let (h, m) = at(time)?;
            Recurrence::cron(&format!("{m} {h} * * {days}"))
        };
        match first {
            "day" | "daily" | "everyday" => daily("*"),
            "weekday" | "weekdays" => daily("1-5"),
            "weekend" | "weekends" => daily("0,6"),
            "week" | "weekly" => {
                let (h, m) = at(time)?;
                let dow = now.weekday().num_days_from_sunday();
                Recurrence::cron(&format!("{m} {h} * * {dow}"))
            }
            "hour" | "hourly" if time.is_none() => interval(3600, now),
            day => {
                if let Some((_, _, n)) = DAYS.iter().find(|(long, short, _)| {
                    day == *long || day == *short || day == format!("{long}s")
                }) {
                    return daily(&n.to_string());
                }
                if time.is_some() {
                    return Err(bad());
                }
                let seconds = duration(day).ok_or_else(bad)?;
                if seconds < 60 {
                    return Err(RecurrenceError::TooShort(spec.to_string()));
                }
                interval(seconds, now)
            }
        }
    }

    /// The first occurrence strictly after `after`, in the zone `tz`.
    pub fn next_after<Tz: TimeZone>(&self, after: DateTime<Utc>, tz: &Tz) -> Option<DateTime<Utc>> {
        match self {
            Recurrence::Cron { pattern } => {
                let cron = croner::Cron::from_str(pattern).ok()?;
                let local = after.with_timezone(tz);
                cron.find_next_occurrence(&local, false)
                    .ok()
                    .map(|t| t.with_timezone(&Utc))
            }
            Recurrence::Interval { seconds, anchor } => {
                let step = i64::try_from(*seconds).ok()?.max(60);
                let since = (after - *anchor).num_seconds();
                let k = if since < 0 { 0 } else { since / step + 1 };
                Some(*anchor + chrono::Duration::seconds(k * step))
            }
        }
    }

    /// The occurrences in (`after`, `until`]: how many, the first, and the last two (a long
    /// downtime of a minutely schedule is counted, not listed).
    pub fn between<Tz: TimeZone>(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        tz: &Tz,
    ) -> Occurrences {
        let mut found = Occurrences::default();
        let mut at = after;
        while let Some(next) = self.next_after(at, tz) {
            if next > until {
                break;
            }
            found.count += 1;
            found.first.get_or_insert(next);
            found.before_last = found.last.replace(next);
            at = next;
        }
        found
    }

    /// In words, for lists and the history.
    pub fn describe(&self) -> String {
        match self {
            Recurrence::Cron { pattern } => describe_cron(pattern),
            Recurrence::Interval { seconds, .. } => match seconds {
                s if s % 86_400 == 0 => plural(s / 86_400, "day"),
                s if s % 3600 == 0 => plural(s / 3600, "hour"),
                s => plural(s / 60, "minute"),
            },
        }
    }
}

fn interval<Tz: TimeZone>(seconds: u64, now: &DateTime<Tz>) -> Result<Recurrence, RecurrenceError> {
    Ok(Recurrence::Interval {
        seconds,
        anchor: now.with_timezone(&Utc),
    })
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("every {unit}")
    } else {
        format!("every {n} {unit}s")
    }
}

/// `08:00`, `8:00`, `8am`, `5pm`, `17:30`.
fn clock_time(text: &str) -> Option<(u32, u32)> {
    let (text, pm) = match (text.strip_suffix("am"), text.strip_suffix("pm")) {
        (Some(t), _) => (t, Some(false)),
        (_, Some(t)) => (t, Some(true)),
        _ => (text, None),
    };
    let (h, m) = match text.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => (text.parse::<u32>().ok()?, 0),
    };
    let h = match pm {
        Some(true) if (1..=11).contains(&h) => h + 12,
        Some(false) if h == 12 => 0,
        Some(_) if !(1..=12).contains(&h) => return None,
        _ => h,
    };
    (h < 24 && m < 60).then_some((h, m))
}

/// `90s`, `30m`, `1h`, `2d`.
fn duration(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.parse().ok()?;
    let unit_seconds = match unit {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(unit_seconds)
}

fn describe_cron(pattern: &str) -> String {
    let fields: Vec<&str> = pattern.split(' ').collect();
    let [minute, hour, dom, month, dow] = fields.as_slice() else {
        return format!("cron {pattern}");
    };
    let (Ok(m), Ok(h)) = (minute.parse::<u32>(), hour.parse::<u32>()) else {
        if fields.iter().all(|f| *f == "*") {
            return "every minute".into();
        }
        return format!("cron {pattern}");
    };
    if *dom != "*" || *month != "*" {
        return format!("cron {pattern}");
    }
    let when = format!("{h:02}:{m:02}");
    let days = match *dow {
        "*" => "every day".to_string(),
        "1-5" => "every weekday".to_string(),
        "0,6" | "6,0" => "every weekend day".to_string(),
        d => match d
            .parse::<u32>()
            .ok()
            .and_then(|n| DAYS.iter().find(|x| x.2 == n % 7))
        {
            Some((long, _, _)) => {
                let mut name = long.to_string();
                if let Some(first) = name.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("every {name}")
            }
            None => return format!("cron {pattern}"),
        },
    };
    format!("{days} at {when}")
}
