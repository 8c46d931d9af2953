//! Summaries of repeated measurements: the median, with the extremes beside it.

use serde::{Serialize, Serializer};

/// The median of the runs that produced a number, their extremes, and how many they were.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    #[serde(serialize_with = "rounded")]
    pub median: f64,
    #[serde(serialize_with = "rounded")]
    pub min: f64,
    #[serde(serialize_with = "rounded")]
    pub max: f64,
    pub runs: usize,
}

impl Summary {
    pub fn of(samples: &[f64]) -> Summary {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let n = sorted.len();
        let median = match n {
            0 => f64::NAN,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Summary {
            median,
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
            runs: n,
        }
    }

    /// `12.3 (10.1–15.0)`
    pub fn text(&self) -> String {
        format!("{:.1} ({:.1}–{:.1})", self.median, self.min, self.max)
    }
}

/// The value at quantile `q` (0–1) of `samples` (nearest rank).
pub fn quantile(samples: &mut [f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

/// `value` to two decimals: the report's precision.
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Serializes a figure to two decimals (`serialize_with`); a missing one (NaN) is `null`.
pub fn rounded<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(round(*value))
}

/// [`rounded`], for a figure that may not exist.
pub fn rounded_option<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.map(round).serialize(serializer)
}

/// [`rounded_option`], for a list of figures.
pub fn rounded_options<S: Serializer>(
    values: &[Option<f64>],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let rounded: Vec<Option<f64>> = values.iter().map(|value| value.map(round)).collect();
    rounded.serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        let s = Summary::of(&[5.0, 1.0, 3.0, 4.0, 2.0]);
        assert_eq!((s.median, s.min, s.max, s.runs), (3.0, 1.0, 5.0, 5));
        assert_eq!(Summary::of(&[1.0, 2.0, 3.0, 10.0]).median, 2.5);
        let mut samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&mut samples, 0.5), 50.0);
        assert_eq!(quantile(&mut samples, 0.99), 99.0);
    }

    #[test]
    fn summaries_serialize_to_two_decimals_and_gaps_to_null() {
        let s = Summary::of(&[1.0 / 3.0, f64::NAN, 2.0 / 3.0]);
        assert_eq!(s.runs, 2, "the run without a number is left out");
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(json, r#"{"median":0.5,"min":0.33,"max":0.67,"runs":2}"#);
        let empty = serde_json::to_string(&Summary::of(&[])).expect("json");
        assert_eq!(empty, r#"{"median":null,"min":null,"max":null,"runs":0}"#);
    }
}
