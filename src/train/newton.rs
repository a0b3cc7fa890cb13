//! A logistic regression with a handful of terms, fitted by Newton's method on
//! grouped rows (rows with identical terms pooled into one weighted row). The
//! representation choice runs thousands of these one-feature fits; pooled,
//! a binned feature has a few dozen distinct rows however many leads there are.

use std::collections::HashMap;

use crate::encode::sigmoid;

/// Rows pooled by identical terms.
pub(super) struct Grouped {
    /// Terms per row.
    p: usize,
    /// Distinct term vectors, row-major (`groups × p`).
    x: Vec<f64>,
    /// Rows in each group.
    rows: Vec<f64>,
    /// Converted rows in each group.
    converted: Vec<f64>,
}

impl Grouped {
    /// Pool `rows` (each `p` terms, row-major in `x`) with their labels.
    pub(super) fn pool(p: usize, x: &[f64], labels: &[bool]) -> Grouped {
        let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut grouped = Grouped {
            p,
            x: Vec::new(),
            rows: Vec::new(),
            converted: Vec::new(),
        };
        for (terms, &label) in x.chunks_exact(p.max(1)).zip(labels) {
            let key: Vec<u64> = terms.iter().map(|v| v.to_bits()).collect();
            let g = *index.entry(key).or_insert_with(|| {
                grouped.x.extend_from_slice(terms);
                grouped.rows.push(0.0);
                grouped.converted.push(0.0);
                grouped.rows.len() - 1
            });
            grouped.rows[g] += 1.0;
            grouped.converted[g] += f64::from(u8::from(label));
        }
        grouped
    }

    fn groups(&self) -> usize {
        self.rows.len()
    }

    fn terms(&self, g: usize) -> &[f64] {
        &self.x[g * self.p..(g + 1) * self.p]
    }
}

/// Intercept and weights of a fitted model.
pub(super) struct SmallFit {
    pub(super) intercept: f64,
    pub(super) weights: Vec<f64>,
}

impl SmallFit {
    /// Probability of converting for one row of terms.
    pub(super) fn predict(&self, terms: &[f64]) -> f64 {
        let z: f64 = self.intercept
            + self
                .weights
                .iter()
                .zip(terms)
                .map(|(w, x)| w * x)
                .sum::<f64>();
        sigmoid(z)
    }
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Σ rows·log-loss + (α/2)‖w‖² at `theta` = (intercept, weights).
fn objective(data: &Grouped, theta: &[f64], alpha: f64) -> f64 {
    let mut total = 0.0;
    for g in 0..data.groups() {
        let z = linear(theta, data.terms(g));
        total += data.rows[g] * softplus(z) - data.converted[g] * z;
    }
    total + 0.5 * alpha * theta[1..].iter().map(|w| w * w).sum::<f64>()
}

fn linear(theta: &[f64], terms: &[f64]) -> f64 {
    theta[0]
        + theta[1..]
            .iter()
            .zip(terms)
            .map(|(w, x)| w * x)
            .sum::<f64>()
}

/// Fit Σ log-loss + (α/2)‖w‖² (intercept unpenalised) by damped Newton steps.
/// `alpha` must be positive when the terms are collinear with the intercept
/// (one-hot bins), which makes the problem strictly convex.
pub(super) fn fit(data: &Grouped, alpha: f64) -> SmallFit {
    let k = data.p + 1;
    let mut theta = vec![0.0; k];
    let total_rows: f64 = data.rows.iter().sum();
    let total_converted: f64 = data.converted.iter().sum();
    let rate = (total_converted / total_rows.max(1.0)).clamp(1e-6, 1.0 - 1e-6);
    theta[0] = (rate / (1.0 - rate)).ln();
    let mut current = objective(data, &theta, alpha);
    for _ in 0..100 {
        let mut gradient = vec![0.0; k];
        let mut hessian = vec![0.0; k * k];
        for g in 0..data.groups() {
            let terms = data.terms(g);
            let p = sigmoid(linear(&theta, terms));
            let r = data.rows[g] * p - data.converted[g];
            let h = data.rows[g] * p * (1.0 - p);
            for a in 0..k {
                let xa = if a == 0 { 1.0 } else { terms[a - 1] };
                gradient[a] += r * xa;
                for b in 0..=a {
                    let xb = if b == 0 { 1.0 } else { terms[b - 1] };
                    hessian[a * k + b] += h * xa * xb;
                }
            }
        }
        for a in 1..k {
            gradient[a] += alpha * theta[a];
            hessian[a * k + a] += alpha;
        }
        // Keep the system positive definite when a group's rate is 0 or 1.
        for a in 0..k {
            hessian[a * k + a] += 1e-10;
        }
        let Some(step) = solve_cholesky(&mut hessian, &gradient, k) else {
            break;
        };
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..40 {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(v, s)| v - t * s).collect();
            let value = objective(data, &trial, alpha);
            if value <= current {
                let gain = current - value;
                theta = trial;
                current = value;
                improved = gain > 1e-12 * current.abs().max(1.0);
                break;
            }
            t *= 0.5;
        }
        let largest = step.iter().fold(0.0f64, |m, s| m.max(s.abs())) * t;
        if !improved || largest < 1e-9 {
            break;
        }
    }
    SmallFit {
        intercept: theta[0],
        weights: theta[1..].to_vec(),
    }
}

/// Solve `A x = b` for a symmetric positive definite `A` (lower triangle in
/// `a`, row-major `k × k`, overwritten by its Cholesky factor).
fn solve_cholesky(a: &mut [f64], b: &[f64], k: usize) -> Option<Vec<f64>> {
    for i in 0..k {
        for j in 0..=i {
            let mut sum = a[i * k + j];
            for m in 0..j {
                sum -= a[i * k + m] * a[j * k + m];
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                a[i * k + i] = sum.sqrt();
            } else {
                a[i * k + j] = sum / a[j * k + j];
            }
        }
    }
    let mut y = vec![0.0; k];
    for i in 0..k {
        let mut sum = b[i];
        for m in 0..i {
            sum -= a[i * k + m] * y[m];
        }
        y[i] = sum / a[i * k + i];
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let mut sum = y[i];
        for m in i + 1..k {
            sum -= a[m * k + i] * x[m];
        }
        x[i] = sum / a[i * k + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_groups_recover_their_rates() {
        // Two groups with rates 0.2 and 0.6, one-hot without a reference level.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..1000 {
            let group = i % 2;
            x.extend_from_slice(if group == 0 { &[1.0, 0.0] } else { &[0.0, 1.0] });
            y.push(if group == 0 { i % 10 < 2 } else { i % 10 < 6 });
        }
        let data = Grouped::pool(2, &x, &y);
        assert_eq!(data.groups(), 2);
        let fit = fit(&data, 1e-6);
        assert!((fit.predict(&[1.0, 0.0]) - 0.2).abs() < 1e-6);
        assert!((fit.predict(&[0.0, 1.0]) - 0.6).abs() < 1e-6);
    }

    #[test]
    fn matches_scikit_learn_on_a_line() {
        // sklearn.linear_model.LogisticRegression(C=1.0, tol=1e-12, max_iter=10000).fit(
        //     [[0],[1],[2],[3],[4],[5]], [0,0,1,0,1,1]) -> coef 0.76705373, intercept -1.9176343
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [false, false, true, false, true, true];
        let fit = fit(&Grouped::pool(1, &x, &y), 1.0);
        assert!(
            (fit.weights[0] - 0.76705373).abs() < 1e-6,
            "{}",
            fit.weights[0]
        );
        assert!(
            (fit.intercept + 1.9176343).abs() < 1e-6,
            "{}",
            fit.intercept
        );
    }
}
