//! The seeded PRNG and the dates it picks.
use super::*;

/// xorshift64* seeded through splitmix64, so small or zero seeds still give good streams.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // xorshift must never hold zero.
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough integer in `lo..=hi` (modulo bias is irrelevant for demo data).
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub(super) fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    pub(super) fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    /// A float in `0.0..1.0`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// A civil date and time (treated as UTC for mtimes, as local time in EXIF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) year: u32,
    pub(super) month: u32,
    pub(super) day: u32,
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: u32,
}

impl Stamp {
    /// Days are kept within 2..=27 so that no time zone (±14 h) moves a stamp into another
    /// month or year: organizers bucket by local YYYY/MM and tests must be able to predict it.
    pub(super) fn random_in_year(rng: &mut Rng, year: u32) -> Self {
        Stamp {
            year,
            month: rng.range(1, 12) as u32,
            day: rng.range(2, 27) as u32,
            hour: rng.range(0, 23) as u32,
            minute: rng.range(0, 59) as u32,
            second: rng.range(0, 59) as u32,
        }
    }

    pub(super) fn exif(&self) -> String {
        format!(
            "{:04}:{:02}:{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    pub(super) fn compact_date(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    pub(super) fn compact_time(&self) -> String {
        format!("{:02}{:02}{:02}", self.hour, self.minute, self.second)
    }

    pub(super) fn dashed_date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    pub(super) fn system_time(&self) -> SystemTime {
        let days = days_from_civil(self.year as i64, self.month as i64, self.day as i64);
        let secs = days * 86_400 + (self.hour * 3600 + self.minute * 60 + self.second) as i64;
        // All demo dates are after 1970, so the cast cannot wrap.
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }

    /// MS-DOS date/time as stored in ZIP headers.
    pub(super) fn dos(&self) -> (u16, u16) {
        let time = ((self.hour << 11) | (self.minute << 5) | (self.second / 2)) as u16;
        let date = (((self.year - 1980) << 9) | (self.month << 5) | self.day) as u16;
        (time, date)
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(super) const MTIME_YEARS: (u32, u32) = (2018, 2025);
pub(super) const EXIF_YEARS: (u32, u32) = (2019, 2025);
