//! A tap on a running task: what its nodes emit and the alert events they raise, handed to an
//! observer as they happen. `tickc test`, the `tick!` embedding and debugging tools read a task
//! through it; a task without a tap pays one branch per node.

use crate::alert::Event;
use crate::point::Message;

/// Observes a task's pipeline. Called where the pipeline runs, in pipeline order, so an
/// observer sees messages exactly in the order the nodes produced them.
pub trait Tap: Send + Sync {
    /// `node` (its name, `window2`) emitted `messages`, in this order, for one input. A node
    /// that processes messages where they lie (`from`, `where`, `eval`, `groupBy`) shows the
    /// message it handed on alone; what it emitted after or instead of it, if anything, comes
    /// in a second call. Nothing is shown of a message such a node dropped.
    fn emitted(&self, node: &str, messages: &[Message]);

    /// The alert node `node` raised `event` (after its state policy let it through, before
    /// its handlers run).
    fn alert(&self, node: &str, event: &Event<'_>);
}
