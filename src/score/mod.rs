//! Using a model: score a whole table in batches, one lead given as JSON
//! fields, and the reason codes behind a score. Every shape calls the same
//! encoder and weights, so a lead gets the same probability either way.

pub mod batch;
pub mod lead;
pub mod reasons;
pub mod text;
