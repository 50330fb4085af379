//! Summaries and the printed table.

use std::fmt::Write;

/// Sorted samples of one measure.
pub struct Samples {
    pub name: String,
    pub unit: &'static str,
    values: Vec<f64>,
}

impl Samples {
    pub fn new(name: &str, unit: &'static str, mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Self {
            name: name.to_owned(),
            unit,
            values,
        }
    }

    fn quantile(&self, q: f64) -> f64 {
        if self.values.is_empty() {
            return f64::NAN;
        }
        let last = self.values.len() - 1;
        // Nearest rank: an index within bounds by construction.
        let index = ((last as f64) * q).round() as usize;
        self.values[index.min(last)]
    }

    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// A table of measures, each with its median, p95, p99, min and max, and its ratio to a peer.
pub fn table(title: &str, rows: &[(&Samples, Option<&Samples>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "{:<40} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "measure", "runs", "median", "p95", "p99", "min", "max", "vs peer"
    );
    for (samples, peer) in rows {
        let ratio = peer.map_or_else(
            || "-".to_owned(),
            |peer| format!("{:.1}x", samples.median() / peer.median()),
        );
        let _ = writeln!(
            out,
            "{:<40} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            format!("{} ({})", samples.name, samples.unit),
            samples.values.len(),
            format!("{:.1}", samples.median()),
            format!("{:.1}", samples.quantile(0.95)),
            format!("{:.1}", samples.quantile(0.99)),
            format!("{:.1}", samples.quantile(0.0)),
            format!("{:.1}", samples.quantile(1.0)),
            ratio
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratios() {
        let a = Samples::new("a", "ms", vec![5.0, 1.0, 3.0]);
        let peer = Samples::new("peer", "ms", vec![1.0, 1.5, 0.5]);
        assert_eq!(a.median(), 3.0);
        let text = table("t", &[(&a, Some(&peer)), (&peer, None)]);
        assert!(text.contains("3.0x"), "{text}");
        assert!(text.lines().count() == 4, "{text}");
    }
}
