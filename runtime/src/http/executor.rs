//! A few worker threads that run many actors (the live tasks), instead of a thread per task.
//!
//! Each actor has a bounded inbox: a full inbox makes its senders wait (back-pressure) and
//! never grows. One thread at a time runs an actor, so its handler sees its messages in the
//! order they were sent. A message to an actor that nobody runs is handled at once on the
//! sender's thread, as Kapacitor's writes run its pipelines; one that arrives while the actor
//! runs waits in the inbox, and a worker takes the actor over. The workers also run every
//! actor when the clock ticks (once every [`TICK_INTERVAL`]) and when its last sender is gone.
//! A worker hands an actor one message per turn and puts it back behind the others that wait,
//! so a busy task cannot starve the rest.
//!
//! Why: a thread per task costs the kernel a wake-up per task for every write that reaches
//! it. With a hundred tasks on one stream that was a third of the program's CPU time; here the
//! wake-ups per write are bounded by the number of workers.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// How often every actor is told the clock ticked.
pub(crate) const TICK_INTERVAL: Duration = Duration::from_secs(1);

/// Whether an actor goes on after handling something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// The handler failed and is done: its inbox closes, its queued messages are dropped and
    /// its senders are refused from now on.
    Stop,
}

/// What an actor does with its messages. It must not panic (a live task catches its
/// pipeline's panics and returns [`Flow::Stop`]): a panic would take its worker with it.
pub(crate) trait Handler: Send + 'static {
    type Message: Send + 'static;
    /// What the actor leaves when its last sender is gone and its inbox is drained.
    type Outcome: Send + 'static;

    fn handle(&mut self, message: Self::Message) -> Flow;
    /// The clock ticked (about once every [`TICK_INTERVAL`]).
    fn tick(&mut self) -> Flow;
    /// Every sender is gone and every message was handled.
    fn finish(self) -> Option<Self::Outcome>;
}

/// The inbox was closed: the actor failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// The worker threads and the actors waiting for one.
pub(crate) struct Executor {
    shared: Arc<Shared>,
    workers: usize,
}

struct Shared {
    queue: Mutex<RunQueue>,
    /// Signalled when an actor is queued, and when the executor is dropped.
    runnable: Condvar,
    /// Every actor not yet finished, for the ticks.
    actors: Mutex<Vec<Weak<dyn Runnable>>>,
}

struct RunQueue {
    ready: VecDeque<Arc<dyn Runnable>>,
    next_tick: Instant,
    started_workers: usize,
    /// Actors spawned and not yet finished: the workers stay while there are any.
    unfinished: usize,
    /// The executor was dropped: workers leave once no actor is left to finish.
    dropped: bool,
}

/// An actor as the workers see it.
trait Runnable: Send + Sync {
    /// Runs one turn: at most one message and a pending tick. Returns whether the actor has
    /// more to do (it stays scheduled and the worker puts it back in the queue).
    fn turn(&self) -> bool;
    /// Marks a tick as due; returns whether the actor must be queued for it.
    fn tick_due(&self) -> bool;
    fn finished(&self) -> bool;
}

/// Locks `mutex`, poisoned or not: handlers run outside the executor's locks, and a task's
/// pipeline panics are caught and reported, so the data behind them stays whole.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Executor {
    /// An executor of `workers` threads (at least one), started with the first actor.
    pub(crate) fn new(workers: usize) -> Executor {
        Executor {
            shared: Arc::new(Shared {
                queue: Mutex::new(RunQueue {
                    ready: VecDeque::new(),
                    next_tick: Instant::now() + TICK_INTERVAL,
                    started_workers: 0,
                    unfinished: 0,
                    dropped: false,
                }),
                runnable: Condvar::new(),
                actors: Mutex::new(Vec::new()),
            }),
            workers: workers.max(1),
        }
    }

    /// As many workers as the machine runs threads at once, and at least two, so that one
    /// handler that waits (a slow disk) does not stop every other task.
    pub(crate) fn for_this_machine() -> Executor {
        Executor::new(std::thread::available_parallelism().map_or(2, |n| n.get().max(2)))
    }

    /// Starts an actor running `handler`, whose inbox holds `capacity` messages (at least
    /// one). `None` is a handler that failed to start: its senders are refused at once and
    /// its outcome is `None`. Fails only when no worker thread could be started.
    pub(crate) fn spawn<H: Handler>(
        &self,
        capacity: usize,
        handler: Option<H>,
    ) -> std::io::Result<(Sender<H::Message>, Joiner<H>)> {
        self.start_workers()?;
        let failed = handler.is_none();
        let actor = Arc::new(Actor {
            shared: self.shared.clone(),
            inbox: Mutex::new(Inbox {
                messages: VecDeque::new(),
                capacity: capacity.max(1),
                senders: 1,
                tick_due: false,
                scheduled: false,
                state: if failed { InboxState::Done } else { InboxState::Open },
            }),
            room: Condvar::new(),
            handler: Mutex::new(handler),
            outcome: Mutex::new(if failed { Some(None) } else { None }),
            done: Condvar::new(),
        });
        if !failed {
            lock(&self.shared.queue).unfinished += 1;
            let weak: Weak<dyn Runnable> = Arc::downgrade(&(actor.clone() as Arc<dyn Runnable>));
            lock(&self.shared.actors).push(weak);
        }
        Ok((Sender { actor: actor.clone() }, Joiner { actor }))
    }

    fn start_workers(&self) -> std::io::Result<()> {
        let mut queue = lock(&self.shared.queue);
        while queue.started_workers < self.workers {
            let shared = self.shared.clone();
            let started = std::thread::Builder::new()
                .name(format!("tasks {}", queue.started_workers))
                .spawn(move || shared.work());
            match started {
                Ok(_) => queue.started_workers += 1,
                // Fewer workers than asked still run every task.
                Err(_) if queue.started_workers > 0 => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        lock(&self.shared.queue).dropped = true;
        self.shared.runnable.notify_all();
    }
}

impl Shared {
    /// A worker's life: runs the queued actors' turns, and ticks every actor on time.
    fn work(&self) {
        while let Some(actor) = self.next() {
            while actor.turn() {
                let mut queue = lock(&self.queue);
                // Nobody waits and no tick is due: go on with this actor rather than queue it.
                if !queue.ready.is_empty() || Instant::now() >= queue.next_tick {
                    queue.ready.push_back(actor);
                    break;
                }
            }
        }
    }

    /// The next actor to run, waiting for one; `None` when the worker is to leave.
    fn next(&self) -> Option<Arc<dyn Runnable>> {
        let mut queue = lock(&self.queue);
        loop {
            let now = Instant::now();
            if now >= queue.next_tick {
                queue.next_tick = now + TICK_INTERVAL;
                drop(queue);
                self.tick_all();
                queue = lock(&self.queue);
                continue;
            }
            if let Some(actor) = queue.ready.pop_front() {
                return Some(actor);
            }
            if queue.dropped && queue.unfinished == 0 {
                return None;
            }
            let wait = queue.next_tick.saturating_duration_since(now);
            queue = self
                .runnable
                .wait_timeout(queue, wait)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn tick_all(&self) {
        let mut live = Vec::new();
        lock(&self.actors).retain(|actor| match actor.upgrade() {
            Some(actor) if !actor.finished() => {
                live.push(actor);
                true
            }
            _ => false,
        });
        for actor in live {
            if actor.tick_due() {
                self.schedule(actor);
            }
        }
    }

    fn schedule(&self, actor: Arc<dyn Runnable>) {
        lock(&self.queue).ready.push_back(actor);
        self.runnable.notify_one();
    }

    fn finished_one(&self) {
        lock(&self.queue).unfinished -= 1;
        self.runnable.notify_all();
    }
}

struct Actor<H: Handler> {
    shared: Arc<Shared>,
    inbox: Mutex<Inbox<H::Message>>,
    /// Signalled when the inbox has room or closes.
    room: Condvar,
    /// Taken only by the worker running the actor's turn; `None` once finished.
    handler: Mutex<Option<H>>,
    /// Set once the actor is done: `Some(outcome)`.
    outcome: Mutex<Option<Option<H::Outcome>>>,
    done: Condvar,
}

struct Inbox<M> {
    messages: VecDeque<M>,
    capacity: usize,
    senders: usize,
    tick_due: bool,
    /// In the run queue or running: only then does a worker touch the handler.
    scheduled: bool,
    state: InboxState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InboxState {
    Open,
    /// Finished or failed: nothing more is taken.
    Done,
}

impl<M> Inbox<M> {
    /// Whether a worker has something to do for the actor.
    fn has_work(&self) -> bool {
        self.state == InboxState::Open && (!self.messages.is_empty() || self.tick_due || self.senders == 0)
    }

    /// Marks the actor scheduled when it has work and is not yet; returns whether the caller
    /// must queue it.
    fn claim(&mut self) -> bool {
        let claim = !self.scheduled && self.has_work();
        self.scheduled |= claim;
        claim
    }
}

impl<H: Handler> Actor<H> {
    /// Ends the actor with `outcome`: closes the inbox, releases waiting senders and joiners.
    fn end(&self, outcome: Option<H::Outcome>) {
        {
            let mut inbox = lock(&self.inbox);
            inbox.state = InboxState::Done;
            inbox.messages.clear();
            inbox.scheduled = false;
        }
        self.room.notify_all();
        *lock(&self.outcome) = Some(outcome);
        self.done.notify_all();
        self.shared.finished_one();
    }
}

impl<H: Handler> Runnable for Actor<H> {
    fn turn(&self) -> bool {
        let (message, tick, closed) = {
            let mut inbox = lock(&self.inbox);
            if inbox.state == InboxState::Done {
                return false;
            }
            let message = inbox.messages.pop_front();
            let tick = std::mem::take(&mut inbox.tick_due);
            (message, tick, inbox.senders == 0 && inbox.messages.is_empty())
        };
        if message.is_some() {
            self.room.notify_one();
        }
        let mut handler = lock(&self.handler);
        let Some(running) = handler.as_mut() else { return false };
        let mut flow = message.map_or(Flow::Continue, |message| running.handle(message));
        if tick && flow == Flow::Continue {
            flow = running.tick();
        }
        if flow == Flow::Stop {
            handler.take();
            drop(handler);
            self.end(None);
            return false;
        }
        if closed {
            let outcome = handler.take().and_then(H::finish);
            drop(handler);
            self.end(outcome);
            return false;
        }
        drop(handler);
        let mut inbox = lock(&self.inbox);
        inbox.scheduled = inbox.has_work();
        inbox.scheduled
    }

    fn tick_due(&self) -> bool {
        let mut inbox = lock(&self.inbox);
        inbox.tick_due = inbox.state == InboxState::Open;
        inbox.claim()
    }

    fn finished(&self) -> bool {
        lock(&self.inbox).state == InboxState::Done
    }
}

/// Sends messages to an actor. The actor finishes once every sender is dropped and its inbox
/// is drained.
pub(crate) struct Sender<M: Send + 'static> {
    actor: Arc<dyn Mailbox<M>>,
}

/// The sending side of an actor, whatever its handler.
trait Mailbox<M>: Send + Sync {
    fn send(self: Arc<Self>, message: M) -> Result<(), Closed>;
    fn add_sender(&self);
    fn drop_sender(self: Arc<Self>);
}

impl<H: Handler> Mailbox<H::Message> for Actor<H> {
    fn send(self: Arc<Self>, message: H::Message) -> Result<(), Closed> {
        let mut inbox = lock(&self.inbox);
        while inbox.state == InboxState::Open && inbox.messages.len() >= inbox.capacity {
            inbox = self.room.wait(inbox).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if inbox.state != InboxState::Open {
            return Err(Closed);
        }
        inbox.messages.push_back(message);
        let claimed = inbox.claim();
        drop(inbox);
        // Nobody runs the actor: the sender runs the turn itself. Handing the message to a
        // worker would cost a wake-up, and the worker would find the points it reads in the
        // other core's cache and free their memory into another thread's heap: measured, a
        // fifth of a served task's CPU time. Should more be waiting after the turn, a worker
        // takes over, so a sender runs at most one turn for another.
        if claimed && self.turn() {
            self.shared.schedule(self.clone());
        }
        Ok(())
    }

    fn add_sender(&self) {
        lock(&self.inbox).senders += 1;
    }

    fn drop_sender(self: Arc<Self>) {
        let claimed = {
            let mut inbox = lock(&self.inbox);
            inbox.senders -= 1;
            inbox.claim()
        };
        if claimed {
            self.shared.clone().schedule(self);
        }
    }
}

impl<M: Send + 'static> Sender<M> {
    /// Puts `message` in the inbox, waiting while it is full.
    pub(crate) fn send(&self, message: M) -> Result<(), Closed> {
        self.actor.clone().send(message)
    }
}

impl<M: Send + 'static> Clone for Sender<M> {
    fn clone(&self) -> Self {
        self.actor.add_sender();
        Sender { actor: self.actor.clone() }
    }
}

impl<M: Send + 'static> Drop for Sender<M> {
    fn drop(&mut self) {
        self.actor.clone().drop_sender();
    }
}

/// Waits for an actor to be done.
pub(crate) struct Joiner<H: Handler> {
    actor: Arc<Actor<H>>,
}

impl<H: Handler> Joiner<H> {
    /// Blocks until the actor finished (every sender gone, its inbox drained) or failed;
    /// returns its outcome (`None` when it failed).
    pub(crate) fn join(self) -> Option<H::Outcome> {
        let mut outcome = lock(&self.actor.outcome);
        loop {
            if let Some(outcome) = outcome.take() {
                return outcome;
            }
            outcome = self.actor.done.wait(outcome).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    const PATIENCE: Duration = Duration::from_secs(10);

    /// Records what it is handed; a message `u32::MAX` makes it fail, and while `gate` is set
    /// each message waits for a go-ahead on it.
    struct Recorder {
        seen: Vec<u32>,
        ticks: Arc<Mutex<u32>>,
        /// Messages handled on a worker thread rather than on their sender's.
        on_workers: Arc<Mutex<u32>>,
        /// Told of each message as the handler takes it, before the gate.
        entered: Option<mpsc::Sender<u32>>,
        gate: Option<mpsc::Receiver<()>>,
        handled: Option<mpsc::Sender<u32>>,
    }

    impl Recorder {
        fn new() -> Recorder {
            Recorder {
                seen: Vec::new(),
                ticks: Arc::default(),
                on_workers: Arc::default(),
                entered: None,
                gate: None,
                handled: None,
            }
        }
    }

    impl Handler for Recorder {
        type Message = u32;
        type Outcome = Vec<u32>;

        fn handle(&mut self, message: u32) -> Flow {
            if std::thread::current().name().is_some_and(|name| name.starts_with("tasks ")) {
                *lock(&self.on_workers) += 1;
            }
            if let Some(entered) = &self.entered {
                let _ = entered.send(message);
            }
            if let Some(gate) = &self.gate {
                // A test that ends with the gate shut lets the handler go.
                let _ = gate.recv_timeout(PATIENCE);
            }
            if message == u32::MAX {
                return Flow::Stop;
            }
            self.seen.push(message);
            if let Some(handled) = &self.handled {
                let _ = handled.send(message);
            }
            Flow::Continue
        }

        fn tick(&mut self) -> Flow {
            *lock(&self.ticks) += 1;
            Flow::Continue
        }

        fn finish(self) -> Option<Vec<u32>> {
            Some(self.seen)
        }
    }

    /// A recorder whose messages each wait for a go-ahead on the returned sender; the
    /// receiver returned hears of each message as the handler takes it.
    fn gated() -> (mpsc::Sender<()>, mpsc::Receiver<u32>, Recorder) {
        let (open, gate) = mpsc::channel();
        let (entered, entering) = mpsc::channel();
        (open, entering, Recorder { entered: Some(entered), gate: Some(gate), ..Recorder::new() })
    }

    /// Sends `message` from another thread; the result arrives once the send returns.
    fn send_elsewhere(sender: &Sender<u32>, message: u32) -> mpsc::Receiver<Result<(), Closed>> {
        let (sent, result) = mpsc::channel();
        let sender = sender.clone();
        std::thread::spawn(move || sent.send(sender.send(message)));
        result
    }

    /// Runs `f` on a thread and returns its result, failing the test if it takes too long.
    fn within_patience<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, result) = mpsc::channel();
        std::thread::spawn(move || done.send(f()));
        result.recv_timeout(PATIENCE).expect("finished in time")
    }

    #[test]
    fn an_actor_sees_every_message_in_order_and_finishes_when_its_senders_are_gone() {
        let executor = Executor::new(2);
        let (sender, joiner) = executor.spawn(3, Some(Recorder::new())).unwrap();
        let second = sender.clone();
        for n in 0..100 {
            sender.send(n).unwrap();
        }
        drop(sender);
        second.send(100).unwrap();
        drop(second);
        let seen = within_patience(move || joiner.join());
        assert_eq!(seen, Some((0..=100).collect::<Vec<u32>>()));
    }

    #[test]
    fn many_actors_share_two_workers_and_lose_nothing() {
        let executor = Executor::new(2);
        let actors: Vec<_> = (0..50).map(|_| executor.spawn(2, Some(Recorder::new())).unwrap()).collect();
        for round in 0..40 {
            for (sender, _) in &actors {
                sender.send(round).unwrap();
            }
        }
        let joiners: Vec<_> = actors
            .into_iter()
            .map(|(sender, joiner)| {
                drop(sender);
                joiner
            })
            .collect();
        let outcomes = within_patience(move || joiners.into_iter().map(Joiner::join).collect::<Vec<_>>());
        for outcome in outcomes {
            assert_eq!(outcome, Some((0..40).collect::<Vec<u32>>()));
        }
    }

    #[test]
    fn an_idle_actor_handles_a_message_on_the_senders_thread() {
        let executor = Executor::new(2);
        let recorder = Recorder::new();
        let on_workers = recorder.on_workers.clone();
        let (sender, joiner) = executor.spawn(4, Some(recorder)).unwrap();
        for n in 0..20 {
            sender.send(n).unwrap();
        }
        // Only a tick that happens to run the actor as a message arrives sends it to a worker.
        assert!(*lock(&on_workers) < 20, "handled on the sender's thread");
        drop(sender);
        assert_eq!(within_patience(move || joiner.join()), Some((0..20).collect::<Vec<u32>>()));
    }

    #[test]
    fn a_full_inbox_makes_the_sender_wait_until_there_is_room() {
        let executor = Executor::new(2);
        let (open, entered, recorder) = gated();
        let on_workers = recorder.on_workers.clone();
        let (sender, joiner) = executor.spawn(1, Some(recorder)).unwrap();
        // The first message is taken at once, on its sender's thread, and held at the gate;
        // the inbox holds the second.
        let first = send_elsewhere(&sender, 1);
        assert_eq!(entered.recv_timeout(PATIENCE), Ok(1));
        sender.send(2).unwrap();
        let third = send_elsewhere(&sender, 3);
        assert!(third.recv_timeout(Duration::from_millis(100)).is_err(), "the third send waits");
        open.send(()).unwrap();
        assert_eq!(first.recv_timeout(PATIENCE), Ok(Ok(())));
        assert_eq!(third.recv_timeout(PATIENCE), Ok(Ok(())));
        open.send(()).unwrap();
        open.send(()).unwrap();
        drop(sender);
        assert_eq!(within_patience(move || joiner.join()), Some(vec![1, 2, 3]));
        // What waited in the inbox was handled by a worker, not by the first sender.
        assert!(*lock(&on_workers) >= 2);
    }

    #[test]
    fn a_failed_actor_refuses_senders_including_those_waiting_for_room() {
        let executor = Executor::new(2);
        let (open, entered, recorder) = gated();
        let (sender, joiner) = executor.spawn(1, Some(recorder)).unwrap();
        let failing = send_elsewhere(&sender, u32::MAX);
        assert_eq!(entered.recv_timeout(PATIENCE), Ok(u32::MAX));
        sender.send(1).unwrap();
        let waiting = send_elsewhere(&sender, 2);
        assert!(waiting.recv_timeout(Duration::from_millis(100)).is_err(), "the send waits for room");
        open.send(()).unwrap();
        assert_eq!(waiting.recv_timeout(PATIENCE), Ok(Err(Closed)));
        // Taken before the failure.
        assert_eq!(failing.recv_timeout(PATIENCE), Ok(Ok(())));
        assert_eq!(sender.send(3), Err(Closed));
        assert_eq!(within_patience(move || joiner.join()), None);
    }

    #[test]
    fn a_handler_that_could_not_start_refuses_every_message() {
        let executor = Executor::new(1);
        let (sender, joiner) = executor.spawn::<Recorder>(4, None).unwrap();
        assert_eq!(sender.send(1), Err(Closed));
        drop(sender);
        assert_eq!(within_patience(move || joiner.join()), None);
    }

    #[test]
    fn a_stuck_actor_holds_up_only_its_own_senders() {
        let executor = Executor::new(2);
        let (_open, entered, stuck) = gated();
        let (stuck_sender, _stuck_joiner) = executor.spawn(1, Some(stuck)).unwrap();
        let _held = send_elsewhere(&stuck_sender, 1);
        assert_eq!(entered.recv_timeout(PATIENCE), Ok(1));
        stuck_sender.send(2).unwrap();
        let waiting = send_elsewhere(&stuck_sender, 3);
        let (handled, handled_rx) = mpsc::channel();
        let free = Recorder {
            handled: Some(handled),
            ..Recorder::new()
        };
        let (sender, _joiner) = executor.spawn(1, Some(free)).unwrap();
        for n in 0..10 {
            sender.send(n).unwrap();
            assert_eq!(handled_rx.recv_timeout(PATIENCE), Ok(n));
        }
        assert!(waiting.try_recv().is_err(), "the stuck actor's sender still waits");
    }

    #[test]
    fn an_idle_actor_is_told_the_clock_ticked() {
        let executor = Executor::new(1);
        let recorder = Recorder::new();
        let ticks = recorder.ticks.clone();
        let (_sender, _joiner) = executor.spawn(1, Some(recorder)).unwrap();
        let deadline = Instant::now() + PATIENCE;
        while *lock(&ticks) < 2 {
            assert!(Instant::now() < deadline, "no tick");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn the_workers_finish_the_actors_left_when_the_executor_is_dropped() {
        let executor = Executor::new(2);
        let (sender, joiner) = executor.spawn(4, Some(Recorder::new())).unwrap();
        drop(executor);
        sender.send(7).unwrap();
        drop(sender);
        assert_eq!(within_patience(move || joiner.join()), Some(vec![7]));
    }
}
