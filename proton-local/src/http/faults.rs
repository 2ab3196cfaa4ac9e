//! Fault injection for tests: each request draws once, in arrival order, from
//! a seeded generator, so a run with the same --seed and the same request
//! sequence sees the same faults. Faults are decided before anything runs, so
//! a faulted mutation never happens.

use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// 500 InternalServerException.
    Fail,
    /// 429 ThrottlingException.
    Throttle,
    /// Close the connection without an answer.
    Drop,
}

pub struct Faults {
    rng: Mutex<fastrand::Rng>,
    fail: f64,
    throttle: f64,
    drop: f64,
}

impl Faults {
    pub fn new(seed: Option<u64>, fail: f64, throttle: f64, drop: f64) -> Faults {
        let rng = match seed {
            Some(s) => fastrand::Rng::with_seed(s),
            None => fastrand::Rng::new(),
        };
        Faults {
            rng: Mutex::new(rng),
            fail,
            throttle,
            drop,
        }
    }

    pub fn enabled(&self) -> bool {
        self.fail > 0.0 || self.throttle > 0.0 || self.drop > 0.0
    }

    pub fn decide(&self) -> Fault {
        if !self.enabled() {
            return Fault::None;
        }
        let x = match self.rng.lock() {
            Ok(mut r) => r.f64(),
            Err(_) => return Fault::None,
        };
        if x < self.drop {
            Fault::Drop
        } else if x < self.drop + self.fail {
            Fault::Fail
        } else if x < self.drop + self.fail + self.throttle {
            Fault::Throttle
        } else {
            Fault::None
        }
    }
}

/// `--rate-limit`: a token bucket of `limit` requests, refilled at `limit` a second; a request that
/// finds it empty is throttled.
pub struct RateLimit {
    limit: f64,
    bucket: Mutex<(f64, Instant)>,
}

impl RateLimit {
    pub fn per_second(limit: u32) -> RateLimit {
        let limit = f64::from(limit);
        RateLimit {
            limit,
            bucket: Mutex::new((limit, Instant::now())),
        }
    }

    /// Whether a request arriving now is within the limit (it then takes its token).
    pub fn admit(&self) -> bool {
        let Ok(mut bucket) = self.bucket.lock() else {
            return true;
        };
        let (tokens, refilled) = *bucket;
        let now = Instant::now();
        let tokens =
            (tokens + now.duration_since(refilled).as_secs_f64() * self.limit).min(self.limit);
        let admitted = tokens >= 1.0;
        *bucket = (if admitted { tokens - 1.0 } else { tokens }, now);
        admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let a = Faults::new(Some(42), 0.2, 0.2, 0.1);
        let b = Faults::new(Some(42), 0.2, 0.2, 0.1);
        let sa: Vec<Fault> = (0..200).map(|_| a.decide()).collect();
        let sb: Vec<Fault> = (0..200).map(|_| b.decide()).collect();
        assert_eq!(sa, sb);
        for f in [Fault::None, Fault::Fail, Fault::Throttle, Fault::Drop] {
            assert!(sa.contains(&f), "{f:?} never drawn");
        }
    }

    #[test]
    fn disabled_never_faults() {
        let f = Faults::new(Some(1), 0.0, 0.0, 0.0);
        assert!((0..100).all(|_| f.decide() == Fault::None));
    }
}

#[cfg(test)]
mod rate_limit_tests {
    use super::*;

    #[test]
    fn a_burst_beyond_the_limit_is_throttled_and_the_bucket_refills() {
        let limit = RateLimit::per_second(10);
        let admitted = (0..25).filter(|_| limit.admit()).count();
        assert_eq!(admitted, 10);
        std::thread::sleep(std::time::Duration::from_millis(250));
        let admitted = (0..25).filter(|_| limit.admit()).count();
        assert!((2..=4).contains(&admitted), "{admitted} after 250 ms");
    }
}
