//! The interface of a compiled lambda: tickc generates one type implementing [`Lambda`] for each
//! `lambda:` of a script, and nodes are generic over it (no dynamic dispatch per point).

use super::error::EvalError;
use super::scope::Scope;
use super::value::Value;

pub trait Lambda {
    /// The state of the lambda's stateful functions (sigma, count, spread, rand): nodes keep one
    /// per group where Kapacitor does (where, eval), one per node in an alert. `()` when the
    /// lambda has none.
    type State: Default;

    fn eval<'a, S: Scope + ?Sized>(&'a self, scope: &'a S, state: &mut Self::State) -> Result<Value<'a>, EvalError>;

    /// Evaluates a predicate (where, alert levels, stateDuration...): the result must be a bool.
    fn test<S: Scope + ?Sized>(&self, scope: &S, state: &mut Self::State) -> Result<bool, EvalError> {
        self.eval(scope, state)?.into_predicate()
    }
}
