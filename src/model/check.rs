//! The consistency check a model passes after loading: the coefficients line
//! up with the encoder's terms, the schema and the encoder name the same
//! features, and every number is finite.

use super::Model;
use crate::encode::FeatureEncoder;

/// Why a loaded model cannot be used, with the facts that show it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelInconsistency {
    /// The number of coefficients differs from the number of encoded terms.
    #[error("{coefficients} coefficients for {terms} encoded terms")]
    CoefficientCount {
        /// Coefficients in the file.
        coefficients: usize,
        /// Terms the encoder produces.
        terms: usize,
    },
    /// A coefficient sits where another term was expected.
    #[error("coefficient '{found}' where term '{expected}' was expected")]
    TermOrder {
        /// The coefficient's term.
        found: String,
        /// The encoder's term at that position.
        expected: String,
    },
    /// A coefficient is NaN or infinite.
    #[error("coefficient '{term}' is not finite")]
    NonFiniteCoefficient {
        /// The term.
        term: String,
    },
    /// The intercept is NaN or infinite.
    #[error("intercept is not finite")]
    NonFiniteIntercept,
    /// The term means do not match the terms.
    #[error("term_means do not match the encoded terms ({found} values for {terms} terms, or not finite)")]
    TermMeans {
        /// Values in the file.
        found: usize,
        /// Terms the encoder produces.
        terms: usize,
    },
    /// A numeric encoder's median, mean or scale is unusable.
    #[error("numeric encoder of '{feature}' has invalid median/mean/scale")]
    NumericEncoder {
        /// The feature.
        feature: String,
    },
    /// The schema's features and the encoder's features differ.
    #[error("schema features and encoder features differ")]
    FeatureMismatch,
    /// The training distribution does not line up with the features.
    #[error("the training distribution (reference) does not match the features or their bins")]
    Reference,
}

impl Model {
    /// Check internal consistency after loading.
    pub fn validate(&self) -> Result<(), ModelInconsistency> {
        let terms = self.encoder.term_names();
        if terms.len() != self.coefficients.len() {
            return Err(ModelInconsistency::CoefficientCount {
                coefficients: self.coefficients.len(),
                terms: terms.len(),
            });
        }
        for (t, c) in terms.iter().zip(&self.coefficients) {
            if t != &c.term {
                return Err(ModelInconsistency::TermOrder {
                    found: c.term.clone(),
                    expected: t.clone(),
                });
            }
            if !c.weight.is_finite() {
                return Err(ModelInconsistency::NonFiniteCoefficient {
                    term: c.term.clone(),
                });
            }
        }
        if !self.intercept.is_finite() {
            return Err(ModelInconsistency::NonFiniteIntercept);
        }
        if !self.term_means.is_empty()
            && (self.term_means.len() != terms.len()
                || self.term_means.iter().any(|m| !m.is_finite()))
        {
            return Err(ModelInconsistency::TermMeans {
                found: self.term_means.len(),
                terms: terms.len(),
            });
        }
        for feature in self.encoder.features() {
            if let FeatureEncoder::Numeric(e) = feature {
                if !e.is_usable() {
                    return Err(ModelInconsistency::NumericEncoder {
                        feature: e.name().to_string(),
                    });
                }
            }
        }
        let names: Vec<&str> = self.schema.feature_names().collect();
        let encoded: Vec<&str> = self.encoder.features().iter().map(|f| f.name()).collect();
        if names != encoded {
            return Err(ModelInconsistency::FeatureMismatch);
        }
        if let Some(reference) = &self.reference {
            if !reference.fits(self.encoder.features()) {
                return Err(ModelInconsistency::Reference);
            }
        }
        Ok(())
    }
}
