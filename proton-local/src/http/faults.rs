//! Fault injection for tests: each request draws once, in arrival order, from
//! a seeded generator, so a run with the same --seed and the same request
//! sequence sees the same faults. Faults are decided before anything runs, so
//! a faulted mutation never happens.

use std::sync::Mutex;

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
