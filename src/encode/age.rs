//! A date column scored as its age in days (`age_days = true`): the days
//! from the lead's date in that column to its reference (the lead's date
//! column, or a fixed date stored in the model). The batch path and the
//! service both turn their dates into ages here, before the numeric encoder.

use crate::io::dates::parse_date;
use crate::io::values::clean_text;
use crate::schema::{AgeDays, AgeReference};

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// Why a lead's age cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgeError {
    /// The feature's own value is not a date.
    #[error("'{0}' is not a date (write 2025-03-31, or the day/month order of training)")]
    BadDate(String),
    /// The reference column's value is not a date.
    #[error("its reference '{column}' holds '{value}', which is not a date")]
    BadReference {
        /// The reference column.
        column: String,
        /// Its value.
        value: String,
    },
}

/// The age in days of one lead: `None` when its date (or its reference date)
/// is blank, which the numeric encoder then imputes as in training.
pub fn age_of(
    age: &AgeDays,
    date: Option<&str>,
    reference: Option<&str>,
) -> Result<Option<f64>, AgeError> {
    let Some(date) = clean_text(date) else {
        return Ok(None);
    };
    let date = parse_date(date, age.order).ok_or_else(|| AgeError::BadDate(date.to_string()))?;
    let reference = match &age.reference {
        AgeReference::Fixed(seconds) => *seconds,
        AgeReference::Column(column) => {
            let Some(text) = clean_text(reference) else {
                return Ok(None);
            };
            parse_date(text, age.reference_order).ok_or_else(|| AgeError::BadReference {
                column: column.clone(),
                value: text.to_string(),
            })?
        }
    };
    Ok(Some((reference - date) as f64 / DAY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::dates::DayMonth;

    fn to(reference: AgeReference) -> AgeDays {
        AgeDays {
            reference,
            order: Some(DayMonth::DayFirst),
            reference_order: None,
        }
    }

    #[test]
    fn days_to_the_lead_date_or_to_a_fixed_date() {
        let by_lead = to(AgeReference::Column("created_at".into()));
        assert_eq!(
            age_of(&by_lead, Some("01-03-2025"), Some("2025-03-31")),
            Ok(Some(30.0))
        );
        // A date after the reference: a negative age (the leakage guard's concern).
        assert_eq!(
            age_of(&by_lead, Some("02-04-2025"), Some("2025-03-31")),
            Ok(Some(-2.0))
        );
        assert_eq!(age_of(&by_lead, Some(""), Some("2025-03-31")), Ok(None));
        assert_eq!(age_of(&by_lead, Some("n/a"), Some("2025-03-31")), Ok(None));
        assert_eq!(age_of(&by_lead, Some("01-03-2025"), None), Ok(None));
        assert_eq!(
            age_of(&by_lead, Some("soon"), Some("2025-03-31")),
            Err(AgeError::BadDate("soon".into()))
        );
        assert!(matches!(
            age_of(&by_lead, Some("01-03-2025"), Some("later")),
            Err(AgeError::BadReference { .. })
        ));
        let fixed = to(AgeReference::Fixed(
            crate::io::dates::parse_datetime("2025-12-31").expect("date"),
        ));
        assert_eq!(
            age_of(&fixed, Some("31-12-2024"), Some("ignored")),
            Ok(Some(365.0))
        );
    }
}
