//! holtWinters and holtWintersWithFit: InfluxQL's damped, optionally seasonal Holt-Winters
//! forecast.
//!
//! Results must match InfluxDB's to many digits, so every step is InfluxDB's own (query
//! `HoltWintersReducer`), including its peculiarities:
//! - points are put on a grid of `interval` (times rounded half down), gaps become NaN and
//!   points rounding onto an already filled slot are skipped;
//! - parameters are fitted by Nelder–Mead from 16 starting points (alpha, beta, gamma and phi
//!   each 0.3 or 0.7), keeping the least sum of squared errors;
//! - the recurrence feeds its own previous forecast back in as the observation, and evaluating
//!   a parameter vector clamps it and rewrites its seasonal part in place;
//! - forecasts start one interval after the last point's (unrounded) time; the fitted values
//!   start at the first point's time.

use super::go_pow::go_pow_whole;
use super::nelder_mead::minimize;
use crate::point::Time;

/// InfluxDB's weight of the first values in the non-seasonal initial level and trend.
const INITIAL_WEIGHT: f64 = 0.5;
const EPSILON: f64 = 1.0e-4;
const GUESS_LOWER: f64 = 0.3;
const GUESS_UPPER: f64 = 1.0;
const GUESS_STEP: f64 = 0.4;
/// The longest grid fitted, and the most values forecast. InfluxDB has no limit, but a far-off
/// point with a fine interval (or a huge `h`) would otherwise fill memory (and take hours).
const MAX_SLOTS: usize = 100_000;

/// The arguments of `holtWinters(field, h, m, interval)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HoltWinters {
    /// How many values to forecast.
    pub h: i64,
    /// The season length in intervals; below 2 the model is not seasonal.
    pub m: i64,
    /// The grid step in nanoseconds (positive).
    pub interval: i64,
    /// Also return the fitted values (holtWintersWithFit).
    pub with_fit: bool,
}

impl HoltWinters {
    /// The forecast (and fitted) points for `points`, given in arrival order.
    pub(super) fn run(&self, points: &[(Time, f64)]) -> Vec<(Time, f64)> {
        let seasonal = self.m >= 2;
        let season = usize::try_from(self.m).unwrap_or(0);
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return Vec::new();
        };
        let h = usize::try_from(self.h).unwrap_or(0);
        if points.len() < 2
            || (seasonal && points.len() < season)
            || h == 0
            || h > MAX_SLOTS
            || self.interval <= 0
        {
            return Vec::new();
        }
        let start = self.round(first.0);
        let slots = self.round(last.0).wrapping_sub(start) / self.interval;
        if slots <= 0 {
            return Vec::new();
        }
        let Some(y) = self.grid(points, start) else {
            return Vec::new();
        };
        if seasonal && y.len() < season {
            // InfluxDB would index past its data here (and crash); there is nothing to fit.
            return Vec::new();
        }
        let model = Model {
            y: &y,
            season: seasonal.then_some(season),
        };
        let Some(mut best) = model.fit() else {
            return Vec::new();
        };
        let forecast = model.forecast(h, &mut best);
        let times = |from: Time, skip: usize, offset: i64| {
            forecast
                .iter()
                .skip(skip)
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .map(move |(i, v)| {
                    (
                        from.wrapping_add(self.interval.wrapping_mul(i as i64 + offset)),
                        *v,
                    )
                })
        };
        if self.with_fit {
            times(first.0, 0, 0).collect()
        } else {
            times(last.0, y.len(), 1).collect()
        }
    }

    /// Rounds to the grid, halves down (wrapping on overflow, like Go).
    fn round(&self, t: Time) -> Time {
        let down = t / self.interval * self.interval;
        if t % self.interval > self.interval / 2 {
            down.wrapping_add(self.interval)
        } else {
            down
        }
    }

    /// The values on the grid from `start`: NaN where no point fell, the first point of a slot
    /// where several did (later ones, and points out of order, are skipped). `None` past
    /// `MAX_SLOTS`.
    fn grid(&self, points: &[(Time, f64)], start: Time) -> Option<Vec<f64>> {
        let mut y = Vec::new();
        let mut slot = start;
        for (i, (time, value)) in points.iter().enumerate() {
            if i == 0 {
                y.push(*value);
                continue;
            }
            let rounded = self.round(*time);
            if rounded <= slot {
                continue;
            }
            slot = slot.wrapping_add(self.interval);
            while rounded != slot {
                if y.len() > MAX_SLOTS {
                    return None;
                }
                y.push(f64::NAN);
                slot = slot.wrapping_add(self.interval);
            }
            y.push(*value);
        }
        Some(y)
    }
}

/// The series being fitted, and its season length when seasonal.
struct Model<'a> {
    y: &'a [f64],
    season: Option<usize>,
}

impl Model<'_> {
    /// The best parameters: `[alpha, beta, gamma, phi, level, trend, seasonals...]`.
    fn fit(&self) -> Option<Vec<f64>> {
        let y = self.y;
        let (y0, y1) = (*y.first()?, *y.get(1)?);
        let (level, trend, seasonals) = match self.season {
            Some(m) => {
                let mf = m as f64;
                let level = y
                    .iter()
                    .take(m)
                    .filter(|v| !v.is_nan())
                    .fold(0.0, |acc, v| acc + (1.0 / mf) * v);
                let trend = (0..m)
                    .filter_map(|i| Some((*y.get(i)?, *y.get(m + i)?)))
                    .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                    .fold(0.0, |acc, (a, b)| acc + 1.0 / (m * m) as f64 * (b - a));
                let seasonals: Vec<f64> = y
                    .iter()
                    .take(m)
                    .map(|v| if v.is_nan() { 0.0 } else { v / level })
                    .collect();
                (level, trend, seasonals)
            }
            None => {
                let trend = if y1.is_nan() {
                    0.0
                } else {
                    INITIAL_WEIGHT * (y1 - y0)
                };
                (0.0 + INITIAL_WEIGHT * y0, trend, Vec::new())
            }
        };
        let mut start = vec![0.0, 0.0, 0.0, 0.0, level, trend];
        start.extend(seasonals);

        let guesses = {
            let mut g = Vec::new();
            let mut x = GUESS_LOWER;
            while x < GUESS_UPPER {
                g.push(x);
                x += GUESS_STEP;
            }
            g
        };
        let mut best: Option<(f64, Vec<f64>)> = None;
        for &alpha in &guesses {
            for &beta in &guesses {
                for &gamma in &guesses {
                    for &phi in &guesses {
                        start[..4].copy_from_slice(&[alpha, beta, gamma, phi]);
                        let (sse, params) = minimize(|p| self.sse(p), &start, EPSILON, 1.0);
                        if best.as_ref().is_none_or(|(least, _)| sse < *least) {
                            best = Some((sse, params));
                        }
                    }
                }
            }
        }
        best.map(|(_, params)| params)
    }

    /// The sum of squared errors of the fitted values; infinite if a fit is NaN where the
    /// series has a value.
    fn sse(&self, params: &mut [f64]) -> f64 {
        let fitted = self.forecast(0, params);
        let mut sse = 0.0;
        for (y, f) in self.y.iter().zip(&fitted) {
            if y.is_nan() {
                continue;
            }
            if f.is_nan() {
                return f64::INFINITY;
            }
            sse += (f - y) * (f - y);
        }
        sse
    }

    /// The fitted values followed by `h` forecasts. Clamps the smoothing parameters of
    /// `params` and overwrites its seasonal part, as InfluxDB does.
    fn forecast(&self, h: usize, params: &mut [f64]) -> Vec<f64> {
        // NaN stays NaN, as in InfluxDB.
        for p in params.iter_mut().take(4) {
            *p = p.clamp(0.0, 1.0);
        }
        let [alpha, beta, gamma, phi, level, trend, ..] = *params else {
            return Vec::new();
        };
        let seasonals = params.get_mut(6..).unwrap_or_default();
        let m = seasonals.len();
        if self.season.is_some() && m == 1 {
            seasonals[0] = 1.0;
        }
        let mut offset = m.saturating_sub(1);

        let n = self.y.len() + h;
        let mut forecast = Vec::with_capacity(n);
        let Some(&first) = self.y.first() else {
            return forecast;
        };
        forecast.push(first);
        let (mut y_t, mut l_t, mut b_t) = (first, level, trend);
        let mut phi_h = phi;
        let (mut s_tm, mut s_tmh) = (1.0, 1.0);
        for t in 1..n {
            if self.season.is_some() && m > 0 {
                let hm = t % m;
                s_tm = seasonals[(t + offset - m) % m];
                s_tmh = seasonals[(t + offset - m + hm) % m];
            }
            let (l_prev, b_prev) = (l_t, b_t);
            l_t = alpha * (y_t / s_tm) + (1.0 - alpha) * (l_prev + phi * b_prev);
            b_t = beta * (l_t - l_prev) + (1.0 - beta) * phi * b_prev;
            let s_t = gamma * (y_t / (l_prev + phi * b_prev)) + (1.0 - gamma) * s_tm;
            y_t = (l_t + phi_h * b_t) * s_tmh;
            phi_h += go_pow_whole(phi, t as u64);
            if self.season.is_some() && m > 0 {
                seasonals[(t + offset) % m] = s_t;
                offset += 1;
            }
            forecast.push(y_t);
        }
        forecast
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn series(values: &[f64]) -> Vec<(Time, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 * S, *v))
            .collect()
    }

    #[test]
    fn forecasts_follow_the_last_point() {
        let hw = HoltWinters {
            h: 3,
            m: 0,
            interval: S,
            with_fit: false,
        };
        let got = hw.run(&series(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]));
        let times: Vec<Time> = got.iter().map(|p| p.0).collect();
        assert_eq!(times, [8 * S, 9 * S, 10 * S]);
        // A straight line continues upwards.
        assert!(got.windows(2).all(|w| w[1].1 > w[0].1), "{got:?}");
    }

    #[test]
    fn with_fit_starts_at_the_first_point() {
        let hw = HoltWinters {
            h: 2,
            m: 4,
            interval: S,
            with_fit: true,
        };
        let values = [
            10.0, 20.0, 10.0, 15.0, 12.0, 22.0, 12.0, 17.0, 14.0, 24.0, 14.0, 19.0,
        ];
        let got = hw.run(&series(&values));
        assert_eq!(got.len(), values.len() + 2);
        assert_eq!(got[0], (0, 10.0));
        assert_eq!(got.last().map(|p| p.0), Some(13 * S));
    }

    #[test]
    fn too_little_data_gives_nothing() {
        let hw = HoltWinters {
            h: 2,
            m: 4,
            interval: S,
            with_fit: false,
        };
        assert!(hw.run(&series(&[1.0, 2.0, 3.0])).is_empty());
        let flat = HoltWinters {
            h: 2,
            m: 0,
            interval: 10 * S,
            with_fit: false,
        };
        // Both points round to the same slot.
        assert!(flat.run(&[(0, 1.0), (2 * S, 2.0)]).is_empty());
        assert!(
            HoltWinters { h: 0, ..flat }
                .run(&series(&[1.0, 2.0, 3.0]))
                .is_empty()
        );
    }

    #[test]
    fn gaps_become_nan_slots_and_rounding_halves_down() {
        let hw = HoltWinters {
            h: 1,
            m: 0,
            interval: 10,
            with_fit: false,
        };
        assert_eq!(hw.round(15), 10);
        assert_eq!(hw.round(16), 20);
        let y = hw
            .grid(&[(0, 1.0), (21, 2.0), (24, 9.0), (39, 3.0)], 0)
            .unwrap();
        assert_eq!(y.len(), 5);
        assert!(y[1].is_nan() && y[3].is_nan());
        assert_eq!((y[0], y[2], y[4]), (1.0, 2.0, 3.0));
    }

    #[test]
    fn a_far_out_of_order_point_does_not_grow_the_grid_without_bound() {
        let hw = HoltWinters {
            h: 1,
            m: 0,
            interval: 1,
            with_fit: false,
        };
        assert!(
            hw.run(&[(0, 1.0), (i64::MAX / 2, 2.0), (3, 3.0)])
                .is_empty()
        );
    }
}
