//! Office outputs, natively: spreadsheets whose formulas are computed before saving.
pub mod blocks;
pub mod calc;
pub mod chart;
pub mod docx;
pub mod fonts;
pub mod grid;
pub mod media;
pub mod pdf;
pub mod pptx;
pub mod raster;
pub mod read;
pub mod recheck;
mod shape;
pub mod spec;
pub mod xlsx;
mod xml;

pub use spec::WorkbookSpec;
pub use xlsx::{Written, build};

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The spec is wrong; the message names the field.
    #[error("{0}")]
    Spec(String),
    /// Formulas that do not evaluate, each with its cell.
    #[error("formulas that do not evaluate:\n{}", .0.join("\n"))]
    Formula(Vec<String>),
    #[error("the formula engine failed: {0}")]
    Calc(String),
    #[error("cannot write the file: {0}")]
    Write(String),
    #[error("{0}")]
    Read(String),
}
