//! Phone photos of paper receipts: the receipt's text drawn with the built-in font on a
//! paper strip, laid slightly askew on a darker table, then lit unevenly, softened, grainy
//! and saved as a JPEG with the phone's EXIF. Offline OCR has real work to do on them, and
//! the generator knows every total, so tests and `bench/ocr.sh` can check what was read.
use super::*;
use std::fmt::Write as _;

/// Money as integer cents, like the recipe.
pub type Cents = i64;

/// What is printed on the receipt.
pub struct PaperReceipt {
    pub vendor: String,
    /// Address and the like, centred under the name.
    pub header: Vec<String>,
    /// The date as the shop prints it, with its label ("Date: 10/05/2026 08:14").
    pub date: String,
    pub items: Vec<(String, Cents)>,
    /// Sales tax; 0 prints no subtotal and tax lines.
    pub tax: Cents,
    pub footer: Vec<String>,
}

impl PaperReceipt {
    pub fn total(&self) -> Cents {
        self.items.iter().map(|(_, c)| c).sum::<Cents>() + self.tax
    }
}

/// How the photo was taken.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Degrees, clockwise.
    pub angle: f64,
    /// Text size in pixels; the paper is 27 of them wide, most of the picture's width.
    pub font: f64,
    /// How much darker the far corner is than the lit one (0..1).
    pub falloff: f64,
    /// Brightness overall (1 = well exposed).
    pub exposure: f64,
    /// Grain, as the standard deviation in levels.
    pub grain: f64,
    /// Box-blur radius, applied three times (about a Gaussian): focus and shake.
    pub blur: usize,
}

impl Look {
    /// A usable phone photo: askew by 1–4°, unevenly lit, a little soft and grainy.
    pub fn casual(rng: &mut Rng) -> Look {
        let sign = if rng.below(2) == 0 { -1.0 } else { 1.0 };
        Look {
            angle: sign * (1.0 + 3.0 * rng.unit()),
            font: 30.0 + 3.0 * rng.unit(),
            falloff: 0.15 + 0.25 * rng.unit(),
            exposure: 0.9 + 0.1 * rng.unit(),
            grain: 4.0 + 6.0 * rng.unit(),
            blur: 1,
        }
    }

    /// Taken in a dim bar while moving: too dark and too blurred for anyone to read.
    pub fn hopeless(rng: &mut Rng) -> Look {
        Look {
            blur: 9,
            exposure: 0.3,
            falloff: 0.5,
            grain: 12.0,
            ..Look::casual(rng)
        }
    }
}

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 1280.0;
const PAPER: [u8; 3] = [246, 242, 232];

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn amount(cents: Cents) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The scene as SVG: a table, the paper's shadow, the paper, its print.
fn scene(receipt: &PaperReceipt, look: &Look, rng: &mut Rng) -> String {
    let size = look.font;
    let line = size * 1.45;
    // Lines: (text, amount, bold, centred).
    let mut lines: Vec<(String, Option<String>, bool, bool)> = Vec::new();
    lines.push((receipt.vendor.clone(), None, true, true));
    for h in &receipt.header {
        lines.push((h.clone(), None, false, true));
    }
    lines.push((String::new(), None, false, false));
    lines.push((receipt.date.clone(), None, false, false));
    lines.push(("-".repeat(44), None, false, false));
    for (name, cents) in &receipt.items {
        lines.push((name.clone(), Some(amount(*cents)), false, false));
    }
    lines.push(("-".repeat(44), None, false, false));
    if receipt.tax > 0 {
        let subtotal = receipt.total() - receipt.tax;
        lines.push(("Subtotal".into(), Some(amount(subtotal)), false, false));
        lines.push(("Sales tax".into(), Some(amount(receipt.tax)), false, false));
    }
    lines.push((
        "TOTAL".into(),
        Some(format!("${}", amount(receipt.total()))),
        true,
        false,
    ));
    lines.push((String::new(), None, false, false));
    for f in &receipt.footer {
        lines.push((f.clone(), None, false, true));
    }
    let paper_w = (size * 27.0).min(WIDTH - 40.0);
    // Held close, as people photograph a receipt: the strip runs past the top and bottom of
    // the picture with the table showing down the sides. (A strip wholly inside a dark
    // frame also makes Tesseract take it for a picture and drop its amount column.)
    let paper_h = HEIGHT * 1.6;
    let content = line * (lines.len() as f64 + 1.0);
    let x = (WIDTH - paper_w) / 2.0 + (rng.unit() - 0.5) * (WIDTH - paper_w) * 0.8;
    let top = ((HEIGHT - content) / 2.0).max(40.0) * (0.4 + 0.5 * rng.unit());
    // The print starts `line` below `y`; the paper starts above the picture.
    let y = top - line;
    let paper_y = -line * 4.0;
    let (cx, cy) = (x + paper_w / 2.0, y + content / 2.0);
    let table = rng.pick(&[
        ("#5b4636", "#3b2c22"),
        ("#4a4d52", "#2c2e31"),
        ("#6b5a48", "#43372b"),
        ("#394047", "#22272b"),
    ]);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\
         <defs><linearGradient id=\"t\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">\
         <stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></linearGradient></defs>\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"url(#t)\"/>\
         <g transform=\"rotate({:.2} {cx:.1} {cy:.1})\">\
         <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{paper_w:.1}\" height=\"{paper_h:.1}\" fill=\"#000\" opacity=\"0.35\"/>\
         <rect x=\"{x:.1}\" y=\"{paper_y:.1}\" width=\"{paper_w:.1}\" height=\"{paper_h:.1}\" fill=\"rgb({},{},{})\"/>",
        table.0,
        table.1,
        look.angle,
        x + 7.0,
        paper_y + 9.0,
        PAPER[0],
        PAPER[1],
        PAPER[2],
    );
    let margin = size * 2.6;
    for (n, (text, money, bold, centred)) in lines.iter().enumerate() {
        let baseline = y + line * (n as f64 + 1.6);
        // Thermal print fades unevenly from line to line.
        let ink = 30 + rng.range(0, 40);
        let weight = if *bold { " font-weight=\"bold\"" } else { "" };
        let (tx, anchor) = if *centred {
            (cx, "middle")
        } else {
            (x + margin, "start")
        };
        let font = if *bold && n == 0 { size * 1.3 } else { size };
        let _ = write!(
            svg,
            "<text x=\"{tx:.1}\" y=\"{baseline:.1}\" font-size=\"{font:.1}\" text-anchor=\"{anchor}\" fill=\"rgb({ink},{ink},{ink})\"{weight}>{}</text>",
            esc(text)
        );
        if let Some(money) = money {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{baseline:.1}\" font-size=\"{size:.1}\" text-anchor=\"end\" fill=\"rgb({ink},{ink},{ink})\"{weight}>{}</text>",
                x + paper_w - margin,
                esc(money)
            );
        }
    }
    svg.push_str("</g></svg>");
    svg
}

/// Box blur of one line of samples (`len` samples `step` apart from `start`), edges held.
fn blur_line(src: &[u8], dst: &mut [u8], start: usize, step: usize, len: usize, r: usize) {
    let at = |i: isize| src[start + (i.clamp(0, len as isize - 1) as usize) * step] as u32;
    let r = r as isize;
    let mut sum: u32 = (-r..=r).map(at).sum();
    let width = (2 * r + 1) as u32;
    for i in 0..len as isize {
        dst[start + i as usize * step] = (sum / width) as u8;
        sum = sum + at(i + r + 1) - at(i - r);
    }
}

/// Three box blurs across and down: close to a Gaussian of about `radius` pixels.
fn blur(rgb: &mut [u8], w: usize, h: usize, radius: usize) {
    if radius == 0 {
        return;
    }
    let mut tmp = vec![0u8; rgb.len()];
    for _ in 0..3 {
        for y in 0..h {
            for c in 0..3 {
                blur_line(rgb, &mut tmp, y * w * 3 + c, 3, w, radius);
            }
        }
        for x in 0..w {
            for c in 0..3 {
                blur_line(&tmp, rgb, x * 3 + c, w * 3, h, radius);
            }
        }
    }
}

/// The photo of `receipt` as a JPEG with EXIF (the phone and when it was taken).
pub fn receipt_photo(
    rng: &mut Rng,
    receipt: &PaperReceipt,
    look: &Look,
    taken: &Stamp,
) -> io::Result<Vec<u8>> {
    let svg = scene(receipt, look, rng);
    let drawn = errand_office::raster::draw(&svg, [0, 0, 0])
        .map_err(|e| io::Error::other(e.to_string()))?;
    let (w, h) = (drawn.width as usize, drawn.height as usize);
    let mut rgb = drawn.rgb;
    blur(&mut rgb, w, h, look.blur);
    // Light from one side: a lamp or a window somewhere off the picture.
    let (lx, ly) = (rng.unit() * w as f64, rng.unit() * h as f64 * 0.5);
    let reach = ((w * w + h * h) as f64).sqrt();
    // A warm cast, as under indoor light.
    let tint = [1.0, 0.97 - 0.03 * rng.unit(), 0.9 - 0.05 * rng.unit()];
    for y in 0..h {
        for x in 0..w {
            let d = ((x as f64 - lx).powi(2) + (y as f64 - ly).powi(2)).sqrt() / reach;
            let light = look.exposure * (1.0 - look.falloff * d);
            // Grain: the sum of three uniforms is close enough to a normal.
            let grain = (rng.unit() + rng.unit() + rng.unit() - 1.5) * look.grain * 2.0;
            let i = (y * w + x) * 3;
            for c in 0..3 {
                let v = rgb[i + c] as f64 * light * tint[c] + grain;
                rgb[i + c] = v.clamp(0.0, 255.0) as u8;
            }
        }
    }
    let quality = rng.range(78, 90) as u8;
    let phone = phone(rng);
    encode_with_exif(&rgb, w as u16, h as u16, quality, phone, taken)
}

/// (name, the lines under it, what it sells at what price).
type Shop = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, Cents)],
);

const SHOPS: [Shop; 6] = [
    (
        "CORNER DELI & CAFE",
        &["214 Valencia St", "San Francisco, CA"],
        &[
            ("Turkey sandwich", 1150),
            ("Iced tea", 375),
            ("Soup of the day", 825),
            ("Cookie", 295),
            ("Latte", 550),
        ],
    ),
    (
        "OFFICE DEPOT #2231",
        &["1050 Market St", "Tel 415-555-0132"],
        &[
            ("Copy paper 500 sh", 1099),
            ("Gel pens 12 pk", 1449),
            ("Stapler", 1899),
            ("Binder clips", 649),
            ("Sticky notes", 899),
        ],
    ),
    (
        "GREEN LEAF GROCERY",
        &["88 Oak Avenue", "Open 7am - 10pm"],
        &[
            ("Bananas", 189),
            ("Sparkling water", 499),
            ("Trail mix", 799),
            ("Yogurt 4 pk", 549),
            ("Apples 2 lb", 458),
        ],
    ),
    (
        "MARINA HARDWARE",
        &["3401 Fillmore St", "marinahardware.com"],
        &[
            ("Extension cord", 2499),
            ("Cable ties", 699),
            ("LED bulb 4 pk", 1899),
            ("Duct tape", 849),
        ],
    ),
    (
        "NOB HILL PHARMACY",
        &["1201 Jones St", "San Francisco, CA"],
        &[
            ("Cough drops", 549),
            ("Hand sanitizer", 399),
            ("Vitamin C", 1299),
            ("Tissues", 329),
        ],
    ),
    (
        "SUNSET NOODLE HOUSE",
        &["1822 Irving St", "Tel 415-555-0178"],
        &[
            ("Pho tai", 1495),
            ("Spring rolls", 895),
            ("Thai iced tea", 550),
            ("Garlic noodles", 1350),
        ],
    ),
];

/// A made-up receipt from one of a few shops, with varied items, prices and tax, dated in
/// 2026.
pub fn random_receipt(rng: &mut Rng) -> (PaperReceipt, Stamp) {
    let (vendor, header, goods) = rng.pick(&SHOPS);
    let mut items = Vec::new();
    let mut left: Vec<&(&str, Cents)> = goods.iter().collect();
    for _ in 0..rng.range(2, 4) {
        // Each item once, as a till groups them.
        let &(name, price) = left.remove(rng.below(left.len()));
        let count = rng.range(1, 3) as Cents;
        // Prices drift, so amounts vary from receipt to receipt.
        let price = price + rng.range(0, 300) as Cents - 150;
        let price = price.max(99);
        let name = if count > 1 {
            format!("{count} x {name}")
        } else {
            name.to_string()
        };
        items.push((name, price * count));
    }
    let subtotal: Cents = items.iter().map(|(_, c)| c).sum();
    let rate = rng.range(725, 925) as Cents; // basis points
    let tax = (subtotal * rate + 5000) / 10_000;
    let taken = Stamp::random_in_year(rng, 2026);
    let receipt = PaperReceipt {
        vendor: vendor.to_string(),
        header: header.iter().map(|h| h.to_string()).collect(),
        date: format!(
            "Date: {:02}/{:02}/{}  {:02}:{:02}",
            taken.month, taken.day, taken.year, taken.hour, taken.minute
        ),
        items,
        tax,
        footer: vec![
            format!("VISA ****{}", rng.range(1000, 9999)),
            "Thank you!".into(),
        ],
    };
    (receipt, taken)
}
