//! A weekday-08:00 schedule over a simulated week that crosses the end of summer time in
//! Berlin fires on exactly the right minutes, through the scheduler's clock interface, in
//! the local zone the daemon uses (`chrono::Local`, here with TZ=Europe/Berlin).
use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use errand_schedule::memory::{FakeClock, FakeLauncher, MemoryBook};
use errand_schedule::{Clock, Folder, Missed, Recurrence, Schedule, Scheduler};

#[test]
fn a_weekday_schedule_fires_at_local_08_00_across_a_dst_change() {
    assert!(
        std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists(),
        "the time zone database is not installed: apt-get install tzdata (or .ci/run)"
    );
    // SAFETY: the only test in this binary, before anything reads the time zone.
    unsafe { std::env::set_var("TZ", "Europe/Berlin") };
    let utc = |y, mo, d, h, mi| -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a time")
    };
    // Summer time ends on Sunday 25 October 2026 at 03:00 local (01:00 UTC).
    let start = utc(2026, 10, 21, 12, 0); // Wednesday
    let end = utc(2026, 10, 30, 12, 0); // Friday of the next week
    let schedule = Schedule {
        id: "weekly-report".into(),
        outcome: "Write the weekly report".into(),
        folders: vec![Folder {
            path: "/tmp/reports".into(),
            writable: true,
        }],
        mode: None,
        model: None,
        project: None,
        recurrence: Recurrence::cron("0 8 * * 1-5").expect("cron"),
        missed: Missed::Once,
        paused: false,
        created_at: start,
        checked_until: start,
        last_run: None,
        last_task: None,
    };
    let book = MemoryBook::with(vec![schedule]);
    let launcher = FakeLauncher::default();
    let clock = FakeClock::at(start);
    let scheduler = Scheduler::new(Local);
    let mut ticks = 0;
    while clock.now() < end {
        clock.advance(Duration::minutes(1));
        scheduler.tick(&clock, &book, &launcher).expect("tick");
        launcher.finish_all();
        ticks += 1;
    }
    assert_eq!(ticks, 9 * 24 * 60);
    // 08:00 in Berlin is 06:00 UTC in summer time (CEST) and 07:00 UTC after (CET).
    assert_eq!(
        launcher.runs(),
        [
            utc(2026, 10, 22, 6, 0), // Thursday, CEST
            utc(2026, 10, 23, 6, 0), // Friday, CEST
            utc(2026, 10, 26, 7, 0), // Monday, CET
            utc(2026, 10, 27, 7, 0),
            utc(2026, 10, 28, 7, 0),
            utc(2026, 10, 29, 7, 0),
            utc(2026, 10, 30, 7, 0),
        ]
    );
    for run in launcher.runs() {
        assert_eq!(
            run.with_timezone(&Local).format("%H:%M").to_string(),
            "08:00"
        );
    }
    assert!(
        book.entries()
            .iter()
            .all(|e| matches!(e, errand_schedule::HistoryEntry::Ran { caught_up: 0, .. })),
        "every run on time: {:?}",
        book.entries()
    );
}
