//! The library's error type: every variant that comes from user input names the
//! file (or field), the column and, where it applies, the row, plus what to do.

use std::path::PathBuf;

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in leadscore.
///
/// Rows are 1-based data rows (the header is not counted), so "row 3" is the
/// third lead in the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input file does not exist.
    #[error("{path}: file not found; check the path")]
    FileNotFound {
        /// The path given.
        path: PathBuf,
    },
    /// Reading or writing a file failed at the operating-system level.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file has no header or no data rows.
    #[error("{path}: the file is empty (no header or no data rows); export the leads again")]
    EmptyFile {
        /// The file involved.
        path: PathBuf,
    },
    /// The CSV could not be parsed.
    #[error("{path}: unreadable CSV{}: {message}", row.map(|r| format!(" at row {r}")).unwrap_or_default())]
    MalformedCsv {
        /// The file involved.
        path: PathBuf,
        /// The first bad data row, when it could be located.
        row: Option<usize>,
        /// What the parser reported.
        message: String,
    },
    /// The Parquet file could not be read or written.
    #[error("{path}: unreadable Parquet file: {message}")]
    MalformedParquet {
        /// The file involved.
        path: PathBuf,
        /// What the reader reported.
        message: String,
    },
    /// Columns the model or the command needs are not in the file.
    #[error(
        "{path}: missing column(s) {}; the file has: {}",
        quote_list(columns),
        quote_list(available)
    )]
    MissingColumns {
        /// The file involved.
        path: PathBuf,
        /// The columns that are missing.
        columns: Vec<String>,
        /// The columns the file does have.
        available: Vec<String>,
    },
    /// The label column holds more than two distinct values.
    #[error("{path}: label column '{column}' is not binary: found values {}; name the converted value (the label's positive value), or clean the column", quote_list(values))]
    LabelNotBinary {
        /// The file involved.
        path: PathBuf,
        /// The label column.
        column: String,
        /// The distinct values found (first few).
        values: Vec<String>,
    },
    /// The label column does not say which value means "converted".
    #[error("{path}: cannot tell which value of label column '{column}' means converted (values {}); name the converted value (the label's positive value)", quote_list(values))]
    AmbiguousPositive {
        /// The file involved.
        path: PathBuf,
        /// The label column.
        column: String,
        /// The distinct values found.
        values: Vec<String>,
    },
    /// The label has only one class, so there is nothing to learn.
    #[error("{path}: label column '{column}' has only one class ({detail}); training needs both converted and not-converted leads")]
    OneClass {
        /// The file involved.
        path: PathBuf,
        /// The label column.
        column: String,
        /// Which class is present and how often.
        detail: String,
    },
    /// A label cell is empty.
    #[error("{path}: label column '{column}' is empty at row {row}; drop the row or fill in the outcome")]
    MissingLabel {
        /// The file involved.
        path: PathBuf,
        /// The label column.
        column: String,
        /// The data row.
        row: usize,
    },
    /// A numeric column holds text that is not a number.
    #[error("{path}: column '{column}' is numeric but row {row} holds '{value}'; fix the value, leave the cell empty for missing, or declare the column categorical in leadscore.toml")]
    NonNumeric {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The offending text.
        value: String,
    },
    /// A column of mostly numbers holds some text.
    #[error("{path}: column '{column}' is {percent}% numbers, but row {row} holds {value} (non-numeric values: {examples}); fix those cells or leave them empty for missing (N/A, -, ? and the like already count as missing), or set kind = \"categorical\" for the column in leadscore.toml")]
    MostlyNumeric {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The first data row with text.
        row: usize,
        /// That text, quoted.
        value: String,
        /// Share of the column's values that are numbers, in percent.
        percent: f64,
        /// The most frequent non-numeric values with their counts.
        examples: String,
    },
    /// A boolean column holds something other than yes/no, true/false or 1/0.
    #[error("{path}: column '{column}' is yes/no but row {row} holds '{value}'; use yes/no, true/false or 1/0, or leave the cell empty")]
    NotBoolean {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The offending text.
        value: String,
    },
    /// A numeric value cannot be transformed (log1p of a value at or below -1).
    #[error("{path}: column '{column}' holds {value} at row {row}, which its log1p transform cannot take; set transform = \"none\" for this column in leadscore.toml")]
    OutOfDomain {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A column the model marks required has an empty cell.
    #[error("{path}: column '{column}' is empty at row {row}, and the model marks it required; fill it in or retrain without `required = true`")]
    MissingRequired {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
    },
    /// A numeric column holds NaN or an infinity.
    #[error("{path}: column '{column}' holds {value} at row {row}; leave the cell empty for a missing value")]
    NonFinite {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The offending value as text.
        value: String,
    },
    /// A feature column has no values at all.
    #[error("{path}: column '{column}' is entirely empty; exclude it or fill it in")]
    ColumnAllMissing {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A date cell could not be parsed.
    #[error("{path}: date column '{column}' holds '{value}' at row {row}; use ISO dates like 2025-03-31 or 2025-03-31T14:05:00")]
    BadDate {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The offending text.
        value: String,
    },
    /// Columns that look filled in after the outcome (the leakage guard).
    #[error("{path}: suspected leakage, training refused: {}. A column known only after the outcome makes a model that looks excellent and is useless on new leads; leave it out with --exclude COLUMN, or, once a person has checked it is known when a lead is scored, pass --allow-leaky COLUMN", findings.join("; "))]
    LeakageSuspected {
        /// The file involved.
        path: PathBuf,
        /// Each suspect column with its evidence.
        findings: Vec<String>,
    },
    /// A date column whose day-first or month-first order cannot be told.
    #[error("{path}: date column '{column}': {detail}; write the dates as ISO 2025-03-31 (or give one a day above 12)")]
    AmbiguousDates {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// Which values, and why.
        detail: String,
    },
    /// The same column name appears twice.
    #[error("{path}: column '{column}' appears twice in the header (columns {first} and {second}); rename or drop one of them")]
    DuplicateColumn {
        /// The file involved.
        path: PathBuf,
        /// The repeated column name.
        column: String,
        /// 1-based position of its first occurrence.
        first: usize,
        /// 1-based position of the repeat.
        second: usize,
    },
    /// A CSV row has more or fewer fields than the header.
    #[error("{path}: row {row} has {found} fields but the header has {expected} (separator '{separator}'); fix the row (a missing or extra separator, or an unclosed quote), or set the separator if that is wrong")]
    RaggedRow {
        /// The file involved.
        path: PathBuf,
        /// The data row.
        row: usize,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
        /// The separator in use.
        separator: char,
    },
    /// A file's content is not what its name says (a Parquet file or a workbook named `.csv`).
    #[error("{path}: this is {found}, not CSV text; {hint}")]
    WrongFileKind {
        /// The file involved.
        path: PathBuf,
        /// What its first bytes show.
        found: String,
        /// What to do.
        hint: String,
    },
    /// Text that is not UTF-8 (and no other encoding was given).
    #[error("{path}: {} is not UTF-8 text (byte 0x{byte:02X}, which reads as '{sample}' in Windows-1252); the file is probably Windows-1252/Latin-1: pass --encoding windows-1252 (or the file's encoding), or save it as UTF-8", if *row == 0 { "the header".to_string() } else { format!("row {row}") })]
    NotUtf8 {
        /// The file involved.
        path: PathBuf,
        /// The data row (0 for the header).
        row: usize,
        /// The first byte that is not UTF-8.
        byte: u8,
        /// The field around it, decoded as Windows-1252.
        sample: String,
    },
    /// Numbers whose decimal mark cannot be told from the file.
    #[error("{path}: column '{column}' holds '{value}' at row {row}, which means a different number with a decimal point than with a decimal comma, and the file shows neither; pass --decimal . or --decimal , (or decimal = \".\" in leadscore.toml)")]
    AmbiguousDecimal {
        /// The file involved.
        path: PathBuf,
        /// The column.
        column: String,
        /// The data row.
        row: usize,
        /// The cell.
        value: String,
    },
    /// An Excel workbook could not be read.
    #[error("{path}: unreadable workbook: {message}")]
    MalformedExcel {
        /// The file involved.
        path: PathBuf,
        /// What the reader reported.
        message: String,
    },
    /// The named sheet is not in the workbook.
    #[error(
        "{path}: no sheet named '{sheet}'; the workbook has: {}",
        quote_list(available)
    )]
    SheetNotFound {
        /// The file involved.
        path: PathBuf,
        /// The sheet asked for.
        sheet: String,
        /// The sheets it has.
        available: Vec<String>,
    },
    /// An output file name whose extension leadscore does not write.
    #[error("{path}: cannot write '.{extension}' files; name the output .csv, .tsv, .txt, .parquet or .pq")]
    UnknownOutputFormat {
        /// The output path.
        path: PathBuf,
        /// Its extension (empty when it has none).
        extension: String,
    },
    /// The output path exists and must not be replaced.
    #[error("{path}: will not replace the output file: {why}; choose another output path or change its permissions")]
    OutputNotWritable {
        /// The output path.
        path: PathBuf,
        /// Why.
        why: &'static str,
    },
    /// The column configuration (leadscore.toml or flags) is invalid.
    #[error("{source_name}: {message}")]
    Config {
        /// Where the configuration came from (a file path or "command line").
        source_name: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A setting (command-line flag, `leadscore.toml` key or request field)
    /// is out of range.
    #[error("invalid {name}: {message}")]
    InvalidArgument {
        /// The setting, by its library name (`folds`, `max_iterations`, `pdo` …).
        name: String,
        /// What is wrong.
        message: String,
    },
    /// There is nothing to train on after exclusions.
    #[error("{path}: no usable feature columns remain after exclusions; check the excluded columns and leadscore.toml")]
    NoFeatures {
        /// The file involved.
        path: PathBuf,
    },
    /// Too few rows of a class to cross-validate.
    #[error("{path}: too few rows to train: the training part has {converted} converted and {others} other leads; {folds}-fold cross-validation needs at least {folds} of each")]
    TooFewRows {
        /// The file involved.
        path: PathBuf,
        /// Converted leads in the training part.
        converted: usize,
        /// Other leads in the training part.
        others: usize,
        /// Cross-validation folds (the minimum per class).
        folds: usize,
    },
    /// No backtest period has enough earlier leads to train on.
    #[error("{path}: too few rows to train: no period has at least {min_train_rows} earlier leads (with {folds} of each class) to train on; lower the minimum of earlier leads or use shorter periods")]
    NoBacktestPeriod {
        /// The file involved.
        path: PathBuf,
        /// The minimum of earlier leads asked for.
        min_train_rows: usize,
        /// Cross-validation folds (the minimum per class).
        folds: usize,
    },
    /// The model file is not a valid leadscore model.
    #[error("{path}: not a valid leadscore model file ({message}); retrain or restore it")]
    CorruptModel {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The model file was written by a newer leadscore.
    #[error("{path}: model format version {found} is newer than this leadscore supports (up to {supported}); upgrade leadscore")]
    FutureModelFormat {
        /// The model file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The model predates format version 8 and keeps no training
    /// distribution to measure drift against.
    #[error("{path}: this model (format version {version}) keeps no training distribution, so drift cannot be measured against it; retrain it with `leadscore train` (format 8 or later stores one)")]
    NoTrainingReference {
        /// The model file.
        path: PathBuf,
        /// Its format version.
        version: u32,
    },
    /// A model file parses but its parts do not fit together.
    #[error("{path}: not a valid leadscore model file ({problem}); retrain or restore it")]
    InconsistentModel {
        /// The model file.
        path: PathBuf,
        /// What does not fit.
        #[source]
        problem: crate::model::ModelInconsistency,
    },
    /// The SQL policy resolves below the MQL one.
    #[error("SQL policy {sql_policy} gives cut-off {sql:.4}, below the MQL cut-off {mql:.4} from {mql_policy}; choose a stricter SQL policy")]
    CutoffOrder {
        /// The MQL policy.
        mql_policy: crate::evaluate::policy::CutoffPolicy,
        /// The SQL policy.
        sql_policy: crate::evaluate::policy::CutoffPolicy,
        /// The MQL cut-off it gave.
        mql: f64,
        /// The SQL cut-off it gave.
        sql: f64,
    },
    /// linfa-logistic failed to fit at a penalty.
    #[error("model fit failed at alpha {alpha}: {source}")]
    Fit {
        /// The penalty.
        alpha: f64,
        /// What the solver reported.
        #[source]
        source: linfa_logistic::error::Error,
    },
    /// The rule refit's Hessian could not be inverted for the intervals.
    #[error("rule refit: the Hessian is not invertible ({source})")]
    SingularHessian {
        /// What the Cholesky factorisation reported.
        #[source]
        source: linfa_linalg::LinalgError,
    },
    /// A report chart failed to draw (a bug, not bad input).
    #[error(transparent)]
    Chart(#[from] crate::report::ChartError),
    /// The model cannot be written as SQL.
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    /// A PostgreSQL input or output failed (connection, query, or write).
    #[error("{target}: {message}")]
    Database {
        /// The URL, password hidden.
        target: String,
        /// What PostgreSQL or the connection said.
        message: String,
    },
    /// A cross-validation worker thread panicked (a bug).
    #[error("a cross-validation worker panicked")]
    WorkerPanicked,
    /// An unexpected error inside polars (a bug, not bad input).
    #[error("internal data error: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl Error {
    /// An error opening or reading `path`: a missing file gets its own message.
    pub fn reading(path: &std::path::Path, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::FileNotFound {
                path: path.to_path_buf(),
            }
        } else {
            Error::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    /// True when the error was caused by the user's input (files, flags,
    /// configuration) rather than by a bug or the environment. The CLI maps
    /// these to exit code 2.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            Error::Fit { .. }
                | Error::SingularHessian { .. }
                | Error::WorkerPanicked
                | Error::Chart(_)
                | Error::Polars(_)
        )
    }

    /// The setting (flag, `leadscore.toml` key or request field) an error is
    /// about, when it is about one: `folds`, `sql`, `pdo` … Front ends add
    /// their own name for it (the CLI prints `--folds`).
    pub fn setting(&self) -> Option<&str> {
        match self {
            Error::InvalidArgument { name, .. } => Some(name),
            Error::CutoffOrder { .. } => Some("sql"),
            _ => None,
        }
    }
}

fn quote_list(items: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut parts: Vec<String> = items.iter().take(SHOWN).map(|s| format!("'{s}'")).collect();
    if items.len() > SHOWN {
        parts.push(format!("… ({} more)", items.len() - SHOWN));
    }
    parts.join(", ")
}
