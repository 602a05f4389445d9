//! A formula's shape: its text with relative cell references written as offsets from the
//! formula's own cell, so `=SUM(A2:I2)` in J2 and `=SUM(A3:I3)` in J3 share one. Formulas
//! that share a shape compile to the same IronCalc formula, so only the first of a column
//! of 100,000 is parsed. Anything the scanner is not sure of gets no shape (and is parsed).

/// The shape of `formula` (without `=`) written at zero-based (row, col), or `None`.
pub fn shape(formula: &str, row: u32, col: u16) -> Option<String> {
    let bytes = formula.as_bytes();
    let mut out = String::with_capacity(formula.len() + 16);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            // Text and quoted sheet names are copied as they are.
            b'"' | b'\'' => {
                let end = closing(bytes, i, b)?;
                out.push_str(&formula[i..=end]);
                i = end + 1;
            }
            // Structured references and array constants: not worth the risk.
            b'[' | b'{' => return None,
            b if b.is_ascii_alphanumeric() || b == b'$' || b == b'_' || b == b'.' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'$' | b'_' | b'.'))
                {
                    i += 1;
                }
                let token = &formula[start..i];
                let next = bytes[i..].iter().find(|c| **c != b' ').copied();
                let before = formula[..start].trim_end().as_bytes().last().copied();
                if next == Some(b'(') || next == Some(b'!') {
                    // A function or a sheet name.
                    out.push_str(token);
                } else if let Some((col_abs, c, row_abs, r)) = cell_ref(token) {
                    if col_abs {
                        out.push_str(&format!("C{c}"));
                    } else {
                        out.push_str(&format!("C[{}]", i64::from(c) - i64::from(col) - 1));
                    }
                    if row_abs {
                        out.push_str(&format!("R{r}"));
                    } else {
                        out.push_str(&format!("R[{}]", i64::from(r) - i64::from(row) - 1));
                    }
                } else if next == Some(b':') || before == Some(b':') {
                    // A whole column or row (A:A, 2:5), relative in a way this does not model.
                    return None;
                } else {
                    out.push_str(token);
                }
            }
            _ => {
                out.push(b as char);
                i += 1;
            }
        }
    }
    Some(out)
}

/// The index of the quote closing the one at `open`; doubled quotes are escapes.
fn closing(bytes: &[u8], open: usize, quote: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `$A$1`-style reference: (column absolute, column 1-based, row absolute, row 1-based).
fn cell_ref(token: &str) -> Option<(bool, u32, bool, u32)> {
    let b = token.as_bytes();
    let mut i = 0;
    let col_abs = b.first() == Some(&b'$');
    i += usize::from(col_abs);
    let letters = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let col = b[i..i + letters].iter().fold(0u32, |n, c| {
        n * 26 + u32::from(c.to_ascii_uppercase() - b'A') + 1
    });
    i += letters;
    let row_abs = b.get(i) == Some(&b'$');
    i += usize::from(row_abs);
    let digits = &token[i..];
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) || digits.len() > 7 {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || col > 16_384 || row > 1_048_576 {
        return None;
    }
    Some((col_abs, col, row_abs, row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_one_formula_share_a_shape() {
        assert_eq!(shape("SUM(A2:I2)", 1, 9), shape("SUM(A3:I3)", 2, 9));
        assert_eq!(shape("B2*$C$1", 1, 3), shape("B7*$C$1", 6, 3));
        assert_eq!(
            shape("Sheet2!A2+'My data'!B2", 1, 0),
            shape("Sheet2!A3+'My data'!B3", 2, 0)
        );
    }

    #[test]
    fn different_formulas_differ() {
        assert_ne!(shape("SUM(A2:I2)", 1, 9), shape("SUM(A2:I3)", 2, 9));
        assert_ne!(shape("$A$2", 1, 0), shape("$A$3", 2, 0));
        assert_ne!(shape("A2", 1, 1), shape("A2", 1, 2));
        // Text that looks like a reference is text.
        assert_ne!(shape("\"A2\"&B2", 1, 2), shape("\"A3\"&B3", 2, 2));
        assert_ne!(shape("LOG10(A2)", 1, 1), shape("LOG(A2)", 1, 1));
    }

    #[test]
    fn unsure_formulas_get_no_shape() {
        assert_eq!(shape("SUM(A:A)", 1, 2), None);
        assert_eq!(shape("SUM(2:2)", 1, 2), None);
        assert_eq!(shape("Table1[Amount]", 1, 2), None);
        assert_eq!(shape("\"unterminated", 1, 2), None);
    }
}
