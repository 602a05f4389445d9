use super::memory::{FakeClock, FakeLauncher, MemoryBook};
use super::*;
use chrono::{Duration, TimeZone, Utc};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a time")
}

fn schedule(recurrence: Recurrence, missed: Missed, created: DateTime<Utc>) -> Schedule {
    Schedule {
        id: "s1".into(),
        outcome: "Organize my downloads".into(),
        folders: vec![Folder {
            path: "/tmp/downloads".into(),
            writable: true,
        }],
        mode: None,
        model: None,
        project: None,
        recurrence,
        missed,
        paused: false,
        created_at: created,
        checked_until: created,
        last_run: None,
        last_task: None,
    }
}

#[test]
fn every_specs_become_cron_patterns_or_intervals() {
    let now = at(2026, 12, 2, 10, 15); // a Wednesday
    let cron = |spec: &str| match Recurrence::every(spec, &now) {
        Ok(Recurrence::Cron { pattern }) => pattern,
        other => panic!("{spec}: {other:?}"),
    };
    assert_eq!(cron("weekday 08:00"), "0 8 * * 1-5");
    assert_eq!(cron("monday 09:30"), "30 9 * * 1");
    assert_eq!(cron("Mondays 9:30"), "30 9 * * 1");
    assert_eq!(cron("fri 5pm"), "0 17 * * 5");
    assert_eq!(cron("day"), "15 10 * * *");
    assert_eq!(cron("day 07:00"), "0 7 * * *");
    assert_eq!(cron("week"), "15 10 * * 3");
    assert_eq!(cron("every day at 7:30"), "30 7 * * *");
    assert_eq!(cron("every weekday at 8am"), "0 8 * * 1-5");
    assert!(matches!(
        Recurrence::every("every 2 hours", &now),
        Ok(Recurrence::Interval { seconds: 7200, .. })
    ));
    assert_eq!(
        Recurrence::every("1h", &now),
        Ok(Recurrence::Interval {
            seconds: 3600,
            anchor: now
        })
    );
    assert!(matches!(
        Recurrence::every("30m", &now),
        Ok(Recurrence::Interval { seconds: 1800, .. })
    ));
    assert_eq!(
        Recurrence::every("10s", &now),
        Err(RecurrenceError::TooShort("10s".into()))
    );
    for bad in [
        "fortnightly",
        "monday 25:00",
        "1h 08:00",
        "",
        "weekday at noon",
    ] {
        let e = Recurrence::every(bad, &now).expect_err(bad).to_string();
        assert!(e.contains("not a schedule Errand knows"), "{bad}: {e}");
    }
    let e = Recurrence::cron("0 8 * *")
        .expect_err("four fields")
        .to_string();
    assert!(e.contains("five fields"), "{e}");
    assert!(Recurrence::cron("61 8 * * *").is_err());
    assert_eq!(
        Recurrence::cron("0  8 * *  1-5").map(|r| r.describe()),
        Ok("every weekday at 08:00".to_string())
    );
    assert_eq!(
        Recurrence::every("monday 09:30", &now).map(|r| r.describe()),
        Ok("every Monday at 09:30".to_string())
    );
    assert_eq!(
        Recurrence::cron("* * * * *").map(|r| r.describe()),
        Ok("every minute".to_string())
    );
    assert_eq!(
        Recurrence::every("2h", &now).map(|r| r.describe()),
        Ok("every 2 hours".to_string())
    );
}

#[test]
fn intervals_count_from_their_anchor() {
    let anchor = at(2026, 12, 2, 10, 0);
    let every_hour = Recurrence::Interval {
        seconds: 3600,
        anchor,
    };
    assert_eq!(
        every_hour.next_after(anchor, &Utc),
        Some(at(2026, 12, 2, 11, 0))
    );
    assert_eq!(
        every_hour.next_after(at(2026, 12, 2, 11, 30), &Utc),
        Some(at(2026, 12, 2, 12, 0))
    );
}

/// Walks the clock a minute at a time, ticking each minute as the daemon would.
fn walk(
    book: &MemoryBook,
    launcher: &FakeLauncher,
    clock: &FakeClock,
    until: DateTime<Utc>,
    finish_runs: bool,
) {
    let scheduler = Scheduler::new(Utc);
    while clock.now() < until {
        clock.advance(Duration::minutes(1));
        scheduler.tick(clock, book, launcher).expect("tick");
        if finish_runs {
            launcher.finish_all();
        }
    }
}

#[test]
fn a_long_downtime_gives_one_catch_up_with_once_and_none_with_skip_both_recorded() {
    let created = at(2026, 12, 1, 12, 0); // Tuesday noon
    let weekday_8 = Recurrence::cron("0 8 * * 1-5").expect("cron");
    for missed in [Missed::Once, Missed::Skip] {
        let book = MemoryBook::with(vec![schedule(weekday_8.clone(), missed, created)]);
        let launcher = FakeLauncher::default();
        let clock = FakeClock::at(created);
        // Down from Tuesday noon to Friday 14:00: Wednesday, Thursday and Friday 08:00 pass.
        clock.set(at(2026, 12, 4, 14, 0));
        let tick = Scheduler::new(Utc)
            .tick(&clock, &book, &launcher)
            .expect("tick");
        let history = book.entries();
        match missed {
            Missed::Once => {
                assert_eq!(
                    launcher.runs(),
                    [at(2026, 12, 4, 8, 0)],
                    "one catch-up, for Friday"
                );
                assert_eq!(tick.started.len(), 1);
                assert_eq!(
                    history,
                    [
                        HistoryEntry::Missed {
                            count: 2,
                            first: at(2026, 12, 2, 8, 0),
                            last: at(2026, 12, 3, 8, 0)
                        },
                        HistoryEntry::Ran {
                            scheduled_for: at(2026, 12, 4, 8, 0),
                            task: "task-1".into(),
                            caught_up: 2
                        }
                    ]
                );
            }
            Missed::Skip => {
                assert!(launcher.runs().is_empty(), "no catch-up");
                assert_eq!(
                    history,
                    [HistoryEntry::Missed {
                        count: 3,
                        first: at(2026, 12, 2, 8, 0),
                        last: at(2026, 12, 4, 8, 0)
                    }]
                );
            }
        }
        // The next one is Monday 08:00, and it runs on time.
        assert_eq!(tick.next_due, Some(at(2026, 12, 7, 8, 0)));
        launcher.finish_all();
        walk(&book, &launcher, &clock, at(2026, 12, 7, 9, 0), true);
        assert_eq!(launcher.runs().last(), Some(&at(2026, 12, 7, 8, 0)));
    }
}

#[test]
fn a_run_still_going_is_not_doubled_and_the_skip_is_recorded() {
    let created = at(2026, 12, 2, 9, 0);
    let hourly = Recurrence::Interval {
        seconds: 3600,
        anchor: created,
    };
    let book = MemoryBook::with(vec![schedule(hourly, Missed::Once, created)]);
    let launcher = FakeLauncher::default();
    let clock = FakeClock::at(created);
    // The 10:00 run starts and never ends before 11:00.
    walk(&book, &launcher, &clock, at(2026, 12, 2, 11, 30), false);
    assert_eq!(launcher.runs(), [at(2026, 12, 2, 10, 0)]);
    assert_eq!(
        book.entries()[1],
        HistoryEntry::SkippedOverlap {
            scheduled_for: at(2026, 12, 2, 11, 0),
            running: "task-1".into()
        }
    );
    // Once it ends, the 12:00 run starts.
    launcher.finish_all();
    walk(&book, &launcher, &clock, at(2026, 12, 2, 12, 5), false);
    assert_eq!(launcher.runs().len(), 2);
}

#[test]
fn a_paused_schedule_runs_nothing_and_misses_nothing() {
    let created = at(2026, 12, 2, 9, 0);
    let mut paused = schedule(
        Recurrence::cron("*/10 * * * *").expect("cron"),
        Missed::Once,
        created,
    );
    paused.paused = true;
    let book = MemoryBook::with(vec![paused]);
    let launcher = FakeLauncher::default();
    let clock = FakeClock::at(created);
    walk(&book, &launcher, &clock, at(2026, 12, 2, 11, 0), true);
    assert!(launcher.runs().is_empty());
    assert!(book.entries().is_empty());
}

#[test]
fn a_run_that_cannot_start_is_recorded_with_why() {
    struct Broken;
    impl Launcher for Broken {
        fn is_active(&self, _: &str) -> bool {
            false
        }
        fn launch(&self, _: &Schedule, _: DateTime<Utc>) -> Result<String, String> {
            Err("the folder /tmp/downloads is gone".into())
        }
    }
    let created = at(2026, 12, 2, 9, 0);
    let book = MemoryBook::with(vec![schedule(
        Recurrence::cron("0 10 * * *").expect("cron"),
        Missed::Once,
        created,
    )]);
    let clock = FakeClock::at(at(2026, 12, 2, 10, 0));
    Scheduler::new(Utc)
        .tick(&clock, &book, &Broken)
        .expect("tick");
    assert_eq!(
        book.entries(),
        [HistoryEntry::Failed {
            scheduled_for: at(2026, 12, 2, 10, 0),
            why: "the folder /tmp/downloads is gone".into()
        }]
    );
}
