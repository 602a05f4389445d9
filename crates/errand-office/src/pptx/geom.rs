//! Where things sit on a 16:9 slide (13.33 × 7.5 in), in EMU (914400 per inch, 12700 per
//! point). Layouts and slides share these so a slide's boxes match its layout's.
pub(super) const EMU_PER_PT: f64 = 12_700.0;
const INCH: i64 = 914_400;

pub(super) const SLIDE_W: i64 = 12_192_000;
pub(super) const SLIDE_H: i64 = 6_858_000;

/// Content slides: title top-left, a thin accent rule, the body, the number bottom-right.
pub(super) const MARGIN_X: i64 = INCH * 6 / 10;
pub(super) const CONTENT_W: i64 = SLIDE_W - 2 * MARGIN_X;
pub(super) const TITLE_Y: i64 = INCH * 3 / 10;
pub(super) const TITLE_H: i64 = INCH;
pub(super) const RULE_Y: i64 = INCH * 14 / 10;
pub(super) const RULE_H: i64 = 19_050;
pub(super) const BODY_Y: i64 = INCH * 165 / 100;
pub(super) const BODY_H: i64 = INCH * 66 / 10 - BODY_Y;
pub(super) const NUMBER_W: i64 = INCH;
pub(super) const NUMBER_H: i64 = INCH * 4 / 10;
pub(super) const NUMBER_X: i64 = SLIDE_W - MARGIN_X - NUMBER_W;
pub(super) const NUMBER_Y: i64 = INCH * 68 / 10;
pub(super) const TWO_COL_GAP: i64 = INCH / 2;
pub(super) const TWO_COL_W: i64 = (CONTENT_W - TWO_COL_GAP) / 2;
pub(super) const TWO_COL_X2: i64 = MARGIN_X + TWO_COL_W + TWO_COL_GAP;

/// Title slide: an accent band across the top with the title sitting on its lower edge, a
/// lighter stripe under it, the subtitle below on white.
pub(super) const BAND_H: i64 = INCH * 46 / 10;
pub(super) const STRIPE_H: i64 = INCH * 8 / 100;
pub(super) const COVER_X: i64 = INCH * 9 / 10;
pub(super) const COVER_W: i64 = SLIDE_W - 2 * COVER_X;
pub(super) const COVER_TITLE_Y: i64 = INCH * 11 / 10;
pub(super) const COVER_TITLE_H: i64 = BAND_H - COVER_TITLE_Y - INCH * 4 / 10;
pub(super) const COVER_SUB_Y: i64 = BAND_H + STRIPE_H + INCH * 4 / 10;
pub(super) const COVER_SUB_H: i64 = INCH * 15 / 10;

/// Section slide: accent background, the title ending on a short white bar, the subtitle
/// under the bar.
pub(super) const SECTION_TITLE_Y: i64 = INCH * 12 / 10;
pub(super) const SECTION_TITLE_H: i64 = INCH * 27 / 10;
pub(super) const SECTION_BAR_Y: i64 = SECTION_TITLE_Y + SECTION_TITLE_H + INCH * 15 / 100;
pub(super) const SECTION_BAR_W: i64 = INCH * 12 / 10;
pub(super) const SECTION_BAR_H: i64 = INCH * 6 / 100;
pub(super) const SECTION_SUB_Y: i64 = SECTION_BAR_Y + SECTION_BAR_H + INCH * 2 / 10;
pub(super) const SECTION_SUB_H: i64 = INCH * 16 / 10;

/// Text boxes carry no side insets so text lines up with the margin; top and bottom 3.6 pt.
pub(super) const INSET_Y: i64 = 45_720;

/// A box on the slide, in EMU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
}

impl Rect {
    pub const fn new(x: i64, y: i64, w: i64, h: i64) -> Rect {
        Rect { x, y, w, h }
    }

    /// Width in points.
    pub fn w_pt(self) -> f64 {
        self.w as f64 / EMU_PER_PT
    }

    /// Height in points inside the top and bottom insets.
    pub fn inner_h_pt(self) -> f64 {
        (self.h - 2 * INSET_Y) as f64 / EMU_PER_PT
    }
}

pub(super) fn pt_to_emu(pt: f64) -> i64 {
    (pt * EMU_PER_PT).ceil() as i64
}

pub(super) const TITLE_BOX: Rect = Rect::new(MARGIN_X, TITLE_Y, CONTENT_W, TITLE_H);
pub(super) const BODY_BOX: Rect = Rect::new(MARGIN_X, BODY_Y, CONTENT_W, BODY_H);
