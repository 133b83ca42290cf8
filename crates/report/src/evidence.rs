//! How much a figure can be trusted: the grade of the evidence behind it, from the span of
//! traffic it rests on and, for percentiles, the number of samples.
//!
//! Traffic has a daily cycle (busy evenings, quiet nights) and a weekly one (working days,
//! weekends). A figure from less than a day of traffic has seen neither; from a day to a
//! week, the daily cycle but not the weekly one; from a week or more, both.

use crate::format;

/// The strength of the evidence behind a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    /// Less than one day of traffic (or a percentile of very few samples).
    Indicative,
    /// At least a day, less than a week: the weekly cycle is not covered.
    Moderate,
    /// A week or more of traffic.
    Robust,
}

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;

/// Fewer samples than this make a p95 the highest sample (⌈0.95 n⌉ = n for n < 20).
pub const FEW_SAMPLES: u64 = 20;

impl Grade {
    /// The grade of figures resting on `covered_s` seconds of traffic.
    pub fn of_span(covered_s: f64) -> Grade {
        if covered_s.is_nan() || covered_s < DAY_S {
            Grade::Indicative
        } else if covered_s < 7.0 * DAY_S {
            Grade::Moderate
        } else {
            Grade::Robust
        }
    }

    /// The grade of a 95th percentile of `samples` samples over `covered_s` seconds.
    pub fn of_p95(covered_s: f64, samples: u64) -> Grade {
        if samples < FEW_SAMPLES {
            Grade::Indicative
        } else {
            Grade::of_span(covered_s)
        }
    }

    /// One word: "indicative", "moderate", "robust".
    pub fn word(self) -> &'static str {
        match self {
            Grade::Indicative => "indicative",
            Grade::Moderate => "moderate",
            Grade::Robust => "robust",
        }
    }

    /// Why a span of traffic has this grade.
    pub fn span_reason(self) -> &'static str {
        match self {
            Grade::Indicative => "less than one day of traffic",
            Grade::Moderate => {
                "one day or more, less than a week of traffic: the weekly cycle is not covered"
            }
            Grade::Robust => "a week or more of traffic",
        }
    }

    /// "indicative: less than one day of traffic".
    pub fn span_label(self) -> String {
        format!("{}: {}", self.word(), self.span_reason())
    }
}

/// The grade of a p95 and why, in words: "indicative: less than one day of traffic; a p95
/// of 1 sample is that sample".
pub fn p95_label(covered_s: f64, samples: u64) -> String {
    let span = Grade::of_span(covered_s);
    let mut s = Grade::of_p95(covered_s, samples).word().to_string();
    s.push_str(": ");
    s.push_str(span.span_reason());
    if samples < FEW_SAMPLES {
        s.push_str(&format!(
            "; a p95 of {} is {}",
            format::plural(samples, "sample", "samples"),
            if samples == 1 {
                "that sample"
            } else {
                "the highest of them (fewer than 20)"
            }
        ));
    }
    s
}

/// "p95 of 1 sample of 5 min", "p95 of 2,016 samples of 5 min".
pub fn p95_basis(samples: u64, sample_s: f64) -> String {
    format!(
        "p95 of {} of {}",
        format::plural(samples, "sample", "samples"),
        format::duration(sample_s)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_the_daily_and_weekly_cycle() {
        assert_eq!(Grade::of_span(45.0), Grade::Indicative);
        assert_eq!(Grade::of_span(86_399.0), Grade::Indicative);
        assert_eq!(Grade::of_span(86_400.0), Grade::Moderate);
        assert_eq!(Grade::of_span(6.9 * 86_400.0), Grade::Moderate);
        assert_eq!(Grade::of_span(7.0 * 86_400.0), Grade::Robust);
        assert_eq!(Grade::of_span(f64::NAN), Grade::Indicative);
        // a week of 5-minute samples is 2016: robust; 19 samples make any span indicative
        assert_eq!(Grade::of_p95(7.0 * 86_400.0, 2016), Grade::Robust);
        assert_eq!(Grade::of_p95(7.0 * 86_400.0, 19), Grade::Indicative);
    }

    #[test]
    fn labels_say_why() {
        assert_eq!(
            Grade::of_span(45.0).span_label(),
            "indicative: less than one day of traffic"
        );
        assert_eq!(
            p95_label(45.0, 1),
            "indicative: less than one day of traffic; a p95 of 1 sample is that sample"
        );
        assert_eq!(
            p95_label(8.0 * 86_400.0, 2304),
            "robust: a week or more of traffic"
        );
        assert_eq!(p95_basis(1, 300.0), "p95 of 1 sample of 5 min");
        assert_eq!(p95_basis(2016, 300.0), "p95 of 2,016 samples of 5 min");
    }
}
