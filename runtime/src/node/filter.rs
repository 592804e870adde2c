//! `|where(lambda)`: keeps the points for which the predicate holds. A point whose predicate
//! fails to evaluate is dropped and counted. On batches it filters the points inside each
//! batch; a batch left empty still goes on (Kapacitor posts it as a bare row).

use super::group::GroupStates;
use super::{InPlace, Node, control_in_place, push_in_place};
use crate::expr::{Lambda, Scope};
use crate::point::Message;

/// `|where()`. The lambda's state (sigma, count...) is kept per group, as in Kapacitor.
#[derive(Debug)]
pub struct WhereNode<L: Lambda> {
    predicate: L,
    states: GroupStates<L::State>,
    errors: u64,
}

impl<L: Lambda> WhereNode<L> {
    pub fn new(predicate: L) -> Self {
        WhereNode {
            predicate,
            states: GroupStates::default(),
            errors: 0,
        }
    }
}

impl<L: Lambda> InPlace for WhereNode<L> {
    fn process(&mut self, msg: &mut Message, _after: &mut Vec<Message>) -> bool {
        match msg {
            Message::Point(point) => {
                let mut state = self.states.get(&point.group);
                passes(&self.predicate, &*point, &mut state, &mut self.errors)
            }
            Message::Batch(batch) => {
                let mut state = self.states.get(&batch.group);
                batch
                    .points
                    .retain(|p| passes(&self.predicate, p, &mut state, &mut self.errors));
                true
            }
            control @ (Message::DeleteGroup { .. } | Message::Barrier { .. }) => {
                control_in_place(control, |group| {
                    self.states.remove(group);
                })
            }
        }
    }
}

impl<L: Lambda> Node for WhereNode<L> {
    fn push(&mut self, msg: Message, out: &mut Vec<Message>) {
        push_in_place(self, msg, out);
    }

    fn groups(&self) -> usize {
        self.states.len()
    }

    fn errors(&self) -> u64 {
        self.errors
    }
}

/// Whether `predicate` holds on `scope`; a failure counts as an error and does not pass.
fn passes<L: Lambda, S: Scope>(
    predicate: &L,
    scope: &S,
    state: &mut L::State,
    errors: &mut u64,
) -> bool {
    predicate_result(predicate, scope, state, errors) == Some(true)
}

/// The predicate's value on `scope`, or `None` (counted as an error) when it fails.
pub(super) fn predicate_result<L: Lambda, S: Scope>(
    predicate: &L,
    scope: &S,
    state: &mut L::State,
    errors: &mut u64,
) -> Option<bool> {
    predicate
        .test(scope, state)
        .inspect_err(|_| *errors += 1)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::node::testing::{
        Counter, FieldCompare, batch, batch_point, batches, point, points, run,
    };
    use crate::point::GroupKey;

    #[test]
    fn keeps_matching_points_and_counts_failures() {
        let mut node = WhereNode::new(FieldCompare::new("v", BinaryOp::Ne, 2.0));
        let out = points(run(
            &mut node,
            [
                point("m", &[], &[("v", 1.0)], 1),
                point("m", &[], &[("v", 2.0)], 2),
                point("m", &[], &[("x", 3.0)], 3),
                point("m", &[], &[("v", 4.0)], 4),
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(node.errors(), 1);
    }

    /// `where(lambda: count() > 1)`: each group counts its own points.
    #[derive(Debug)]
    struct SecondOnwards;

    impl Lambda for SecondOnwards {
        type State = crate::expr::stateful::Count;
        fn eval<'a, S: crate::expr::Scope + ?Sized>(
            &'a self,
            scope: &'a S,
            state: &mut Self::State,
        ) -> Result<crate::expr::Value<'a>, crate::expr::EvalError> {
            let n = Counter.eval(scope, state)?;
            crate::expr::predicate(BinaryOp::Gt, &n, &crate::expr::Value::Int(1))
                .map(crate::expr::Value::Bool)
        }
    }

    #[test]
    fn lambda_state_is_per_group() {
        let mut node = WhereNode::new(SecondOnwards);
        let grouped = |host: &str, t| {
            let mut p = point("m", &[("host", host)], &[("v", 1.0)], t);
            p.group = GroupKey(format!("host={host}").into());
            p
        };
        let out = points(run(
            &mut node,
            [
                grouped("a", 1),
                grouped("b", 2),
                grouped("a", 3),
                grouped("b", 4),
            ],
        ));
        assert_eq!(out.iter().map(|p| p.time).collect::<Vec<_>>(), [3, 4]);
    }

    #[test]
    fn filters_inside_batches_and_keeps_empty_ones() {
        let mut node = WhereNode::new(FieldCompare::new("v", BinaryOp::Gt, 5.0));
        let out = batches(run(
            &mut node,
            [
                batch(
                    "m",
                    &[],
                    vec![
                        batch_point(&[], &[("v", 1.0)], 1),
                        batch_point(&[], &[("v", 9.0)], 2),
                    ],
                ),
                batch("m", &[], vec![batch_point(&[], &[("v", 1.0)], 3)]),
            ],
        ));
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0].points.iter().map(|p| p.time).collect::<Vec<_>>(),
            [2]
        );
        assert!(out[1].points.is_empty());
    }
}
