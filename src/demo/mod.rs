//! Synthetic B2B leads with a documented ground truth, for demos and for
//! tests that check the pipeline recovers known effects.
//!
//! Each lead's true log-odds of converting is a sum of per-column effects
//! (see [`Truth`]) plus an intercept that drifts upwards over time; the label
//! is drawn from that probability. The truth is written next to the data.

use std::collections::BTreeMap;

use polars::prelude::*;
use rand::distributions::Distribution;
use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::{Binomial, Gamma, LogNormal, Poisson};

use crate::encode::sigmoid;
use crate::error::Result;

pub mod job;
mod truth;

use truth::*;
pub use truth::{TrueEffect, Truth};

/// A generated data set: the table, the truth and each row's true probability.
pub struct Generated {
    /// The leads.
    pub frame: DataFrame,
    /// The ground truth.
    pub truth: Truth,
    /// True probability of converting per row.
    pub true_probability: Vec<f64>,
}

/// Generate `rows` leads with `seed`.
pub fn generate(rows: usize, seed: u64) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed);
    let (industry_names, industry_w, industry_fx) = levels(&INDUSTRY);
    let (size_names, size_w, size_fx) = levels(&COMPANY_SIZE);
    let (country_names, country_w, country_fx) = levels(&COUNTRY);
    let (level_names, level_w, level_fx) = levels(&JOB_LEVEL);
    let (source_names, source_w, source_fx) = levels(&LEAD_SOURCE);
    let start = chrono::NaiveDate::from_ymd_opt(START.0, START.1, START.2).expect("valid date");
    let engagement = Gamma::new(0.8, 4.0).expect("valid gamma");
    let email_rate = Gamma::new(1.0, 4.0).expect("valid gamma");
    let pages = LogNormal::new(2.5f64.ln(), 0.35).expect("valid lognormal");
    let minutes = LogNormal::new(1.2, 0.9).expect("valid lognormal");

    let mut days: Vec<i64> = (0..rows).map(|_| rng.gen_range(0..DAYS)).collect();
    days.sort_unstable();

    let mut c = Columns::default();
    let mut effect_sum = Vec::with_capacity(rows);
    for (i, &day) in days.iter().enumerate() {
        let mut z = 0.0;
        let ind = industry_w.sample(&mut rng);
        z += industry_fx[ind];
        let size = size_w.sample(&mut rng);
        z += size_fx[size];
        let country = country_w.sample(&mut rng);
        z += country_fx[country];
        let level = level_w.sample(&mut rng);
        z += level_fx[level];
        let source = source_w.sample(&mut rng);
        z += source_fx[source];

        let visits: f64 = 1.0
            + Poisson::new(engagement.sample(&mut rng) + 1e-9)
                .expect("rate")
                .sample(&mut rng);
        let ppv = (pages.sample(&mut rng) * 10.0).round() / 10.0;
        let ppv = ppv.max(1.0);
        let time = (minutes.sample(&mut rng) * visits.sqrt() * 10.0).round() / 10.0;
        let pricing: f64 = Poisson::new(0.12 * visits).expect("rate").sample(&mut rng);
        let opens: f64 = Poisson::new(email_rate.sample(&mut rng) + 1e-9)
            .expect("rate")
            .sample(&mut rng);
        let clicks = Binomial::new(opens as u64, 0.2)
            .expect("binomial")
            .sample(&mut rng) as f64;
        z += VISITS_PER_LOG1P * visits.ln_1p()
            + PAGES_PER_UNIT * ppv
            + TIME_PER_LOG1P * time.ln_1p()
            + PRICING_PER_VIEW * pricing
            + OPENS_PER_LOG1P * opens.ln_1p()
            + CLICKS_PER_LOG1P * clicks.ln_1p();

        let ebook = rng.gen::<f64>() < 0.25;
        let webinar = rng.gen::<f64>() < 0.12;
        let demo = rng.gen::<f64>() < sigmoid(-3.2 + 0.6 * pricing);
        let contact = rng.gen::<f64>() < 0.08;
        z += EBOOK * f64::from(u8::from(ebook))
            + WEBINAR * f64::from(u8::from(webinar))
            + DEMO * f64::from(u8::from(demo))
            + CONTACT_FORM * f64::from(u8::from(contact));
        effect_sum.push(z);

        let mut title = format!(
            "{} {}",
            TITLE_PREFIX[rng.gen_range(0..TITLE_PREFIX.len())],
            JOB_TITLES[rng.gen_range(0..JOB_TITLES.len())]
        );
        if rng.gen::<f64>() < 0.5 {
            title.push_str(" & ");
            title.push_str(JOB_TITLES[rng.gen_range(0..JOB_TITLES.len())]);
        }
        title.push_str(REGIONS[rng.gen_range(0..REGIONS.len())]);
        c.lead_id.push(format!("L{:07}", i + 1));
        c.email.push(format!(
            "contact{}@company{}.example",
            i + 1,
            rng.gen_range(0..rows.max(1) * 3)
        ));
        c.created_at.push(
            (start + chrono::Duration::days(day))
                .format("%Y-%m-%d")
                .to_string(),
        );
        c.industry.push(industry_names[ind].clone());
        c.company_size
            .push((rng.gen::<f64>() >= MISSING_COMPANY_SIZE).then(|| size_names[size].clone()));
        c.country
            .push((rng.gen::<f64>() >= MISSING_COUNTRY).then(|| country_names[country].clone()));
        c.job_title.push(title);
        c.job_level.push(level_names[level].clone());
        c.lead_source.push(source_names[source].clone());
        c.website_visits.push(visits as i64);
        c.pages_per_visit.push(ppv);
        c.time_on_site_min
            .push((rng.gen::<f64>() >= MISSING_TIME_ON_SITE).then_some(time));
        c.pricing_page_views.push(pricing as i64);
        c.email_opens.push(opens as i64);
        c.email_clicks.push(clicks as i64);
        c.ebook_downloaded.push(yes_no(ebook));
        c.webinar_attended.push(yes_no(webinar));
        c.demo_requested.push(yes_no(demo));
        c.contact_form.push(yes_no(contact));
    }

    // Intercept so that the first-day conversion rate is about BASE_RATE.
    let intercept = solve_intercept(&effect_sum, BASE_RATE);
    let mut true_probability = Vec::with_capacity(rows);
    let mut converted = Vec::with_capacity(rows);
    for (z, &day) in effect_sum.iter().zip(&days) {
        let years = day as f64 / 365.0;
        let p = sigmoid(intercept + DRIFT_PER_YEAR * years + z);
        true_probability.push(p);
        converted.push(yes_no(rng.gen::<f64>() < p));
    }

    let frame = DataFrame::new_infer_height(vec![
        Column::new("lead_id".into(), c.lead_id),
        Column::new("email".into(), c.email),
        Column::new("created_at".into(), c.created_at),
        Column::new("industry".into(), c.industry),
        Column::new("company_size".into(), c.company_size),
        Column::new("country".into(), c.country),
        Column::new("job_title".into(), c.job_title),
        Column::new("job_level".into(), c.job_level),
        Column::new("lead_source".into(), c.lead_source),
        Column::new("website_visits".into(), c.website_visits),
        Column::new("pages_per_visit".into(), c.pages_per_visit),
        Column::new("time_on_site_min".into(), c.time_on_site_min),
        Column::new("pricing_page_views".into(), c.pricing_page_views),
        Column::new("email_opens".into(), c.email_opens),
        Column::new("email_clicks".into(), c.email_clicks),
        Column::new("ebook_downloaded".into(), c.ebook_downloaded),
        Column::new("webinar_attended".into(), c.webinar_attended),
        Column::new("demo_requested".into(), c.demo_requested),
        Column::new("contact_form".into(), c.contact_form),
        Column::new("converted".into(), converted),
    ])?;

    let mut effects = BTreeMap::new();
    effects.insert(
        "lead_id".into(),
        TrueEffect::None {
            note: "unique id".into(),
        },
    );
    effects.insert(
        "email".into(),
        TrueEffect::None {
            note: "unique e-mail address (id-like)".into(),
        },
    );
    effects.insert(
        "created_at".into(),
        TrueEffect::None {
            note: "creation date; drives the intercept drift".into(),
        },
    );
    effects.insert(
        "job_title".into(),
        TrueEffect::None {
            note: "free text; seniority is carried by job_level".into(),
        },
    );
    effects.insert(
        "industry".into(),
        categorical_truth(&INDUSTRY, "manufacturing", 0.0),
    );
    effects.insert(
        "company_size".into(),
        categorical_truth(&COMPANY_SIZE, "51-200", MISSING_COMPANY_SIZE),
    );
    effects.insert(
        "country".into(),
        categorical_truth(&COUNTRY, "US", MISSING_COUNTRY),
    );
    effects.insert(
        "job_level".into(),
        categorical_truth(&JOB_LEVEL, "individual_contributor", 0.0),
    );
    effects.insert(
        "lead_source".into(),
        categorical_truth(&LEAD_SOURCE, "paid_search", 0.0),
    );
    effects.insert(
        "website_visits".into(),
        numeric_truth("log1p", VISITS_PER_LOG1P, 0.0),
    );
    effects.insert(
        "pages_per_visit".into(),
        numeric_truth("none", PAGES_PER_UNIT, 0.0),
    );
    effects.insert(
        "time_on_site_min".into(),
        numeric_truth("log1p", TIME_PER_LOG1P, MISSING_TIME_ON_SITE),
    );
    effects.insert(
        "pricing_page_views".into(),
        numeric_truth("none", PRICING_PER_VIEW, 0.0),
    );
    effects.insert(
        "email_opens".into(),
        numeric_truth("log1p", OPENS_PER_LOG1P, 0.0),
    );
    effects.insert(
        "email_clicks".into(),
        numeric_truth("log1p", CLICKS_PER_LOG1P, 0.0),
    );
    effects.insert(
        "ebook_downloaded".into(),
        TrueEffect::Boolean {
            log_odds_if_yes: EBOOK,
        },
    );
    effects.insert(
        "webinar_attended".into(),
        TrueEffect::Boolean {
            log_odds_if_yes: WEBINAR,
        },
    );
    effects.insert(
        "demo_requested".into(),
        TrueEffect::Boolean {
            log_odds_if_yes: DEMO,
        },
    );
    effects.insert(
        "contact_form".into(),
        TrueEffect::Boolean {
            log_odds_if_yes: CONTACT_FORM,
        },
    );
    Ok(Generated {
        frame,
        truth: Truth {
            rows,
            seed,
            intercept,
            drift_per_year: DRIFT_PER_YEAR,
            effects,
            label: "converted = yes with probability sigmoid(intercept + drift_per_year × years since 2024-01-01 + Σ effects)".into(),
        },
        true_probability,
    })
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The intercept b with mean(sigmoid(b + z)) = rate, by bisection.
fn solve_intercept(z: &[f64], rate: f64) -> f64 {
    let (mut lo, mut hi) = (-30.0, 30.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        let mean = z.iter().map(|z| sigmoid(mid + z)).sum::<f64>() / z.len().max(1) as f64;
        if mean < rate {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[derive(Default)]
struct Columns {
    lead_id: Vec<String>,
    email: Vec<String>,
    created_at: Vec<String>,
    industry: Vec<String>,
    company_size: Vec<Option<String>>,
    country: Vec<Option<String>>,
    job_title: Vec<String>,
    job_level: Vec<String>,
    lead_source: Vec<String>,
    website_visits: Vec<i64>,
    pages_per_visit: Vec<f64>,
    time_on_site_min: Vec<Option<f64>>,
    pricing_page_views: Vec<i64>,
    email_opens: Vec<i64>,
    email_clicks: Vec<i64>,
    ebook_downloaded: Vec<&'static str>,
    webinar_attended: Vec<&'static str>,
    demo_requested: Vec<&'static str>,
    contact_form: Vec<&'static str>,
}
