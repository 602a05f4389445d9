//! SVG drawn to pixels with the built-in font, for pictures that must look the same on
//! every machine (the demo's photographed receipts).
use crate::OfficeError;

/// An opaque RGB picture, row by row.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

/// Draws `svg` at its own size over `background` (opaque, so the result has no alpha).
pub fn draw(svg: &str, background: [u8; 3]) -> Result<Pixels, OfficeError> {
    let options = resvg::usvg::Options {
        fontdb: crate::fonts::database(),
        font_family: crate::fonts::FAMILY.to_string(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| OfficeError::Write(format!("cannot draw the picture: {e}")))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| OfficeError::Write("the picture has no area".into()))?;
    let [r, g, b] = background;
    pixmap.fill(resvg::tiny_skia::Color::from_rgba8(r, g, b, 255));
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    // Opaque throughout, so premultiplied RGBA is plain RGBA: dropping alpha is exact.
    let rgb = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok(Pixels {
        width: size.width(),
        height: size.height(),
        rgb,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_drawn_with_the_built_in_font_over_the_background() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\">\
                   <text x=\"4\" y=\"30\" font-size=\"24\" fill=\"#000\">TOTAL</text></svg>";
        let drawn = super::draw(svg, [250, 240, 230]).expect("drawn");
        assert_eq!((drawn.width, drawn.height), (120, 40));
        assert_eq!(drawn.rgb.len(), 120 * 40 * 3);
        assert_eq!(&drawn.rgb[..3], &[250, 240, 230], "the background");
        let dark = drawn.rgb.chunks_exact(3).filter(|p| p[0] < 80).count();
        assert!(dark > 100, "the word is drawn: {dark} dark pixels");
        assert!(super::draw("not svg", [0, 0, 0]).is_err());
    }
}
