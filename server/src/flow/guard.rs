//! What every final step re-checks before it writes (face passed, 授权 on a link, a letter
//! approved, activation confirmed): the application is still open, in the scenario the step
//! belongs to, for the enterprise the step was started for. Storage runs [`recheck`] inside
//! the step's own transaction, on what it just read.

use api::wire::Scenario;

/// What a pending step (a link, a letter, a face check) was started for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartedFor<'a> {
    pub scenario: Scenario,
    /// The license's USCC (scenario 1), or the linked WeChat-side enterprise's (scenario 2).
    pub uscc: Option<&'a str>,
}

/// The application as the final step's transaction reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub open: bool,
    pub scenario: Scenario,
    /// The USCC it stands for now: the confirmed license's, or the linked enterprise's.
    pub uscc: Option<String>,
}

/// Why a final step may not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the application is no longer open")]
    Closed,
    #[error("the application switched scenario since the step started")]
    OtherScenario,
    #[error("the license or linked enterprise changed since the step started")]
    SubjectChanged,
    #[error("the step was settled already")]
    Settled,
    #[error("the enterprise is verified or being verified by another corp")]
    UsccTaken,
}

pub fn recheck(now: &Snapshot, started: StartedFor<'_>) -> Result<(), Refusal> {
    if !now.open {
        return Err(Refusal::Closed);
    }
    if now.scenario != started.scenario {
        return Err(Refusal::OtherScenario);
    }
    match (now.uscc.as_deref(), started.uscc) {
        (Some(a), Some(b)) if a == b => Ok(()),
        _ => Err(Refusal::SubjectChanged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XINGHE: &str = "91330106MA2KX7Q890";
    const LANHAI: &str = "91440305MA5G3N2R3N";

    fn open(scenario: Scenario, uscc: &str) -> Snapshot {
        Snapshot {
            open: true,
            scenario,
            uscc: Some(uscc.to_owned()),
        }
    }

    #[test]
    fn a_step_finishes_only_for_what_it_was_started_for() {
        let started = StartedFor {
            scenario: Scenario::New,
            uscc: Some(XINGHE),
        };
        assert_eq!(recheck(&open(Scenario::New, XINGHE), started), Ok(()));
        assert_eq!(
            recheck(&open(Scenario::Wechat, LANHAI), started),
            Err(Refusal::OtherScenario),
            "the applicant linked a WeChat account meanwhile"
        );
        assert_eq!(
            recheck(&open(Scenario::New, LANHAI), started),
            Err(Refusal::SubjectChanged),
            "the license changed meanwhile"
        );
        let closed = Snapshot {
            open: false,
            ..open(Scenario::New, XINGHE)
        };
        assert_eq!(recheck(&closed, started), Err(Refusal::Closed));
    }

    #[test]
    fn an_unknown_subject_never_passes() {
        let none = Snapshot {
            uscc: None,
            ..open(Scenario::New, XINGHE)
        };
        let started = StartedFor {
            scenario: Scenario::New,
            uscc: Some(XINGHE),
        };
        assert_eq!(recheck(&none, started), Err(Refusal::SubjectChanged));
        let legacy = StartedFor {
            scenario: Scenario::New,
            uscc: None,
        };
        assert_eq!(
            recheck(&open(Scenario::New, XINGHE), legacy),
            Err(Refusal::SubjectChanged),
            "a step recorded before subjects were: refused, started again"
        );
    }
}
