//! A receipts folder to try the expense report on: text receipts in the layouts shops
//! print, PDF receipts, a bank export whose rows partly repeat the receipts, phone photos
//! of paper receipts (read offline with OCR), and one photo too dark and blurred to read.
use std::fs;
use std::io;
use std::path::Path;

/// (file, vendor lines, date line, items, total line) — each in its own shop's style.
const TEXT_RECEIPTS: [(&str, &str); 9] = [
    (
        "coffee-2026-10-02.txt",
        "BLUE BOTTLE COFFEE\n66 Mint St, San Francisco CA\n\nDate: 10/02/2026  08:14\n\n1 Latte            5.50\n1 Croissant        4.25\n\nSubtotal           9.75\nTax                0.84\nTOTAL             $10.59\n\nVISA ****4411\nThank you!\n",
    ),
    (
        "hotel-lumiere-folio.txt",
        "HOTEL LUMIERE\n12 Rue de la Paix\nGuest folio\n\nArrival: 10/06/2026   Departure: 10/08/2026\n2 room nights x 159.00     318.00\nCity tax                     6.60\n\nAmount due               $324.60\nPaid by card\n",
    ),
    (
        "united-eticket.txt",
        "United Airlines\nE-ticket receipt\nIssued October 3, 2026\n\nFlight UA 915  SFO - IAD  Economy\nFare                  412.00\nTaxes and fees         56.20\nTotal charged        USD 468.20\n",
    ),
    (
        "uber-oct-06.txt",
        "Uber\nTrip receipt\nOct 6, 2026 7:42 PM\n\nTrip fare        27.10\nBooking fee       2.35\nTip               4.00\nTotal            $33.45\n",
    ),
    (
        "staples-order.txt",
        "STAPLES\nOrder #88231\nDate: 2026-10-09\n\nPrinter paper, 5 reams     38.95\nToner cartridge            74.99\nEnvelopes                   6.49\nSubtotal                  120.43\nSales tax                  10.24\nTotal                    $130.67\n",
    ),
    (
        "lunch-client.txt",
        "Nopa Restaurant\n560 Divisadero St\n10/14/2026\n\nLunch for 3\nFood                 96.00\nDrinks               18.00\nGratuity             20.52\nTotal               $134.52\n",
    ),
    (
        "adobe-invoice.txt",
        "Adobe\nInvoice\nInvoice date: 2026-10-15\n\nCreative Cloud subscription, monthly   59.99\nTotal                                 $59.99\n",
    ),
    (
        "parking.txt",
        "CITY PARKING SFO\nEntry 10/06/2026 06:10\nExit  10/08/2026 21:30\nTotal paid   $72.00\n",
    ),
    (
        "scribble.txt",
        "Remember to ask Dana about the offsite budget.\nNo receipt for the team flowers yet.\n",
    ),
];

/// The bank export: two rows repeat receipts above (Uber, Staples), the rest stand alone;
/// one incoming payment is not an expense.
const BANK_CSV: &str = "Date,Description,Amount,Currency\n\
2026-10-06,UBER *TRIP HELP.UBER.COM,-33.45,USD\n\
2026-10-09,STAPLES #1123,-130.67,USD\n\
2026-10-10,VERIZON WIRELESS MOBILE,-85.00,USD\n\
2026-10-12,REIMBURSEMENT ACME CORP,450.00,USD\n\
2026-10-16,\"DELL TECHNOLOGIES, MONITOR\",-329.99,USD\n\
2026-10-20,GITHUB SUBSCRIPTION,-21.00,USD\n\
2026-10-22,SHELL OIL 5512 FUEL,-48.30,USD\n";

/// PDF receipts as their text; written as real PDFs by the caller.
const PDF_RECEIPTS: [(&str, &str, &[&str]); 2] = [
    (
        "amtrak-receipt.pdf",
        "Amtrak",
        &[
            "Receipt for your trip",
            "Date: 10/18/2026",
            "Northeast Regional 171, Washington DC to New York Penn",
            "Fare: 89.00",
            "Total: $89.00",
        ],
    ),
    (
        "marriott-folio.pdf",
        "Marriott Marquis New York",
        &[
            "Guest folio",
            "Departure: 10/20/2026",
            "Room nights: 2 x 245.00",
            "Occupancy tax: 71.05",
            "Balance due: $561.05",
        ],
    ),
];

pub struct ReceiptsReport {
    pub files: usize,
}

/// Writes the folder.
pub fn make_receipts(dir: &Path) -> io::Result<ReceiptsReport> {
    super::prepare_empty_dir(dir)?;
    let mut files = 0;
    for (name, text) in TEXT_RECEIPTS {
        fs::write(dir.join(name), text)?;
        files += 1;
    }
    fs::create_dir_all(dir.join("bank"))?;
    fs::write(dir.join("bank/october-statement.csv"), BANK_CSV)?;
    files += 1;
    for (name, title, lines) in PDF_RECEIPTS {
        fs::write(dir.join(name), receipt_pdf(title, lines)?)?;
        files += 1;
    }
    for (name, receipt, seed) in photographed() {
        let mut rng = super::Rng::new(seed);
        let look = super::Look::casual(&mut rng);
        let taken = taken_on(&receipt.date, &mut rng);
        fs::write(
            dir.join(name),
            super::receipt_photo(&mut rng, &receipt, &look, &taken)?,
        )?;
        files += 1;
    }
    // Snapped in a dim bar on the move: nothing in it can be read.
    let mut rng = super::Rng::new(7);
    let (receipt, taken) = super::random_receipt(&mut rng);
    let look = super::Look::hopeless(&mut rng);
    fs::write(
        dir.join("IMG_2041.jpg"),
        super::receipt_photo(&mut rng, &receipt, &look, &taken)?,
    )?;
    files += 1;
    Ok(ReceiptsReport { files })
}

/// The demo's readable photos: (file, receipt, seed of its look). Their totals are
/// $21.18, $72.74 and $49.70 (`tests/recipes.rs` checks the report has them).
pub(super) fn photographed() -> Vec<(&'static str, super::PaperReceipt, u64)> {
    let receipt = |vendor: &str, header: &[&str], date: &str, items: &[(&str, i64)], tax| {
        super::PaperReceipt {
            vendor: vendor.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            date: date.into(),
            items: items.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            tax,
            footer: vec!["VISA ****4411".into(), "Thank you!".into()],
        }
    };
    vec![
        (
            "IMG_2043.jpg",
            receipt(
                "TARTINE BAKERY",
                &["600 Guerrero St", "San Francisco, CA"],
                "Date: 10/05/2026  08:41",
                &[("Morning bun", 475), ("Cappuccino", 525), ("Quiche", 950)],
                168,
            ),
            21,
        ),
        (
            "IMG_2047.jpg",
            receipt(
                "FEDEX OFFICE",
                &["Print & Ship Center", "1967 Market St"],
                "Date: 10/13/2026  16:02",
                &[
                    ("Color copies 40 x 0.89", 3560),
                    ("Foam board", 1299),
                    ("Shipping label", 1845),
                ],
                570,
            ),
            22,
        ),
        (
            "IMG_2052.jpg",
            receipt(
                "YELLOW CAB CO",
                &["Taxi 1147", "Tel 415-333-3333"],
                "Date: 10/19/2026  23:17",
                &[("Fare", 3820), ("Tolls", 450), ("Tip", 700)],
                0,
            ),
            23,
        ),
    ]
}

/// When the photo was taken: the receipt's own date and time, "Date: MM/DD/YYYY  HH:MM".
fn taken_on(date: &str, rng: &mut super::Rng) -> super::Stamp {
    let number = |range: std::ops::Range<usize>| {
        date.get(range)
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(1)
    };
    super::Stamp {
        year: number(12..16),
        month: number(6..8),
        day: number(9..11),
        hour: number(18..20),
        minute: number(21..23),
        second: rng.range(0, 59) as u32,
    }
}

/// `count` photographed receipts named IMG_3001.jpg…, and each one's true total, for the
/// OCR benchmark.
pub fn make_receipt_photos(dir: &Path, count: usize, seed: u64) -> io::Result<Vec<(String, i64)>> {
    super::prepare_empty_dir(dir)?;
    let mut rng = super::Rng::new(seed);
    let mut truth = Vec::with_capacity(count);
    for n in 0..count {
        let (receipt, taken) = super::random_receipt(&mut rng);
        let look = super::Look::casual(&mut rng);
        let name = format!("IMG_{}.jpg", 3001 + n);
        fs::write(
            dir.join(&name),
            super::receipt_photo(&mut rng, &receipt, &look, &taken)?,
        )?;
        truth.push((name, receipt.total()));
    }
    Ok(truth)
}

/// A demo receipt as a small PDF with a text layer.
fn receipt_pdf(title: &str, lines: &[&str]) -> std::io::Result<Vec<u8>> {
    let spec = errand_office::blocks::DocumentSpec {
        title: None,
        subtitle: None,
        author: None,
        date: None,
        blocks: std::iter::once(errand_office::blocks::Block::Heading {
            text: title.to_string(),
            level: Some(1),
        })
        .chain(
            lines
                .iter()
                .map(|l| errand_office::blocks::Block::Paragraph {
                    text: l.to_string(),
                }),
        )
        .collect(),
    };
    errand_office::pdf::build(&spec, &errand_office::media::NoImages)
        .map_err(|e| std::io::Error::other(e.to_string()))
}
