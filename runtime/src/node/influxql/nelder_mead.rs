//! The Nelder–Mead simplex minimiser that InfluxQL's holtWinters fits its parameters with.
//!
//! The forecast results depend on every step of the search (where it stops, which vertex it
//! keeps), so this follows InfluxDB's optimiser (after Michael F. Hutt's) step for step: the
//! initial regular simplex, reflection 1, contraction 0.5, expansion 2, shrink towards the
//! best vertex, and a stop when the standard deviation of the vertex values falls under
//! `epsilon` or after 1000 iterations. The objective may rewrite the point it is given (the
//! holtWinters objective clamps its parameters in place) and the search keeps the rewritten point.

const MAX_ITERATIONS: usize = 1000;
const REFLECTION: f64 = 1.0;
const CONTRACTION: f64 = 0.5;
const EXPANSION: f64 = 2.0;

/// Minimises `objective` from `start`; returns the least value found and its point.
pub(super) fn minimize(
    mut objective: impl FnMut(&mut [f64]) -> f64,
    start: &[f64],
    epsilon: f64,
    scale: f64,
) -> (f64, Vec<f64>) {
    let n = start.len();
    if n == 0 {
        return (objective(&mut []), Vec::new());
    }
    let nf = n as f64;
    // A regular simplex with one vertex at `start`.
    let pn = scale * ((nf + 1.0).sqrt() - 1.0 + nf) / (nf * 2f64.sqrt());
    let qn = scale * ((nf + 1.0).sqrt() - 1.0) / (nf * 2f64.sqrt());
    let mut v: Vec<Vec<f64>> = (0..=n)
        .map(|i| {
            start
                .iter()
                .enumerate()
                .map(|(j, x)| {
                    if i == 0 {
                        *x
                    } else if i - 1 == j {
                        pn + x
                    } else {
                        qn + x
                    }
                })
                .collect()
        })
        .collect();
    let mut f: Vec<f64> = v.iter_mut().map(|vertex| objective(vertex)).collect();
    let mut vr = vec![0.0; n];
    let mut ve = vec![0.0; n];
    let mut vc = vec![0.0; n];
    let mut vm = vec![0.0; n];

    for _ in 0..MAX_ITERATIONS {
        // Worst (vg), best (vs) and second worst (vh) vertices.
        let (mut vg, mut vs) = (0, 0);
        for i in 0..=n {
            if f[i] > f[vg] {
                vg = i;
            }
            if f[i] < f[vs] {
                vs = i;
            }
        }
        let mut vh = vs;
        for i in 0..=n {
            if f[i] > f[vh] && f[i] < f[vg] {
                vh = i;
            }
        }

        for (i, m) in vm.iter_mut().enumerate() {
            let sum = (0..=n)
                .filter(|&k| k != vg)
                .fold(0.0, |acc, k| acc + v[k][i]);
            *m = sum / nf;
        }

        for i in 0..n {
            vr[i] = vm[i] + REFLECTION * (vm[i] - v[vg][i]);
        }
        let fr = objective(&mut vr);
        if fr < f[vh] && fr >= f[vs] {
            v[vg].copy_from_slice(&vr);
            f[vg] = fr;
        }

        if fr < f[vs] {
            for i in 0..n {
                ve[i] = vm[i] + EXPANSION * (vr[i] - vm[i]);
            }
            let fe = objective(&mut ve);
            if fe < fr {
                v[vg].copy_from_slice(&ve);
                f[vg] = fe;
            } else {
                v[vg].copy_from_slice(&vr);
                f[vg] = fr;
            }
        }

        if fr >= f[vh] {
            if fr < f[vg] && fr >= f[vh] {
                // Outside contraction.
                for i in 0..n {
                    vc[i] = vm[i] + CONTRACTION * (vr[i] - vm[i]);
                }
            } else {
                // Inside contraction.
                for i in 0..n {
                    vc[i] = vm[i] - CONTRACTION * (vm[i] - v[vg][i]);
                }
            }
            let fc = objective(&mut vc);
            if fc < f[vg] {
                v[vg].copy_from_slice(&vc);
                f[vg] = fc;
            } else {
                // Shrink every vertex halfway towards the best one.
                let best = v[vs].clone();
                for (row, vertex) in v.iter_mut().enumerate() {
                    if row != vs {
                        for (x, b) in vertex.iter_mut().zip(&best) {
                            *x = b + (*x - b) / 2.0;
                        }
                    }
                }
                f[vg] = objective(&mut v[vg]);
                f[vh] = objective(&mut v[vh]);
            }
        }

        let mean = f.iter().fold(0.0, |acc, x| acc + x) / (nf + 1.0);
        let spread = f
            .iter()
            .fold(0.0, |acc, x| acc + (x - mean) * (x - mean) / nf)
            .sqrt();
        if spread < epsilon {
            break;
        }
    }

    let mut vs = 0;
    for i in 0..=n {
        if f[i] < f[vs] {
            vs = i;
        }
    }
    // The point is copied before the last evaluation, which may rewrite the vertex.
    let best = v[vs].clone();
    let least = objective(&mut v[vs]);
    (least, best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_bowl() {
        let (value, at) = minimize(
            |x| (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2) + 2.0,
            &[0.0, 0.0],
            1e-12,
            1.0,
        );
        assert!((value - 2.0).abs() < 1e-9, "{value}");
        assert!(
            (at[0] - 3.0).abs() < 1e-4 && (at[1] + 1.0).abs() < 1e-4,
            "{at:?}"
        );
    }

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let rosenbrock =
            |x: &mut [f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let (value, at) = minimize(rosenbrock, &[-1.2, 1.0], 1e-14, 1.0);
        assert!(value < 1e-8, "{value}");
        assert!((at[0] - 1.0).abs() < 1e-3, "{at:?}");
    }
}
