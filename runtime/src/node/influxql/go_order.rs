//! The orderings of Go's `sort.Sort` (Go 1.13) and `container/heap`, reproduced.
//!
//! Kapacitor's selectors sort candidates by value with Go's unstable sort and then pick one by
//! rank (percentile) or by run (mode), and top/bottom pop candidates off a Go heap. When values
//! tie, *which* point wins (and so which tags and fields leave the node) depends on exactly how
//! those algorithms move elements, so any other sort would give visibly different results.

/// Sorts `v` the way Go 1.13's `sort.Sort` does, with `less` as the `Less` method.
pub(super) fn go_sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    quick_sort(v, 0, v.len(), max_depth(v.len()), &less);
}

/// Puts in `v[k]` what [`go_sort_by`] would put there, in linear time on average.
///
/// Go's quicksort only ever moves elements within the range it is sorting, and splits a range
/// into disjoint parts: what ends up at `k` depends only on the ranges that contain `k`. So
/// this takes the steps of the full sort on those ranges, in the same order with the same
/// depth budget, and skips the others.
pub(super) fn go_select_by<T>(v: &mut [T], k: usize, less: impl Fn(&T, &T) -> bool) {
    if k >= v.len() {
        return;
    }
    let (mut a, mut b) = (0, v.len());
    let mut max_depth = max_depth(v.len());
    while b - a > 12 {
        if max_depth == 0 {
            heap_sort(v, a, b, &less);
            return;
        }
        max_depth -= 1;
        let (mlo, mhi) = do_pivot(v, a, b, &less);
        if k < mlo {
            b = mlo;
        } else if k >= mhi {
            a = mhi;
        } else {
            // Equal to the pivot, in place for good.
            return;
        }
    }
    sort_small(v, a, b, &less);
}

/// Go's depth limit before a range falls back to heapsort: twice the bits of its length.
fn max_depth(len: usize) -> u32 {
    2 * (usize::BITS - len.leading_zeros())
}

fn quick_sort<T>(
    v: &mut [T],
    mut a: usize,
    mut b: usize,
    mut max_depth: u32,
    less: &impl Fn(&T, &T) -> bool,
) {
    while b - a > 12 {
        if max_depth == 0 {
            heap_sort(v, a, b, less);
            return;
        }
        max_depth -= 1;
        let (mlo, mhi) = do_pivot(v, a, b, less);
        // Recurse into the smaller side, loop on the larger one.
        if mlo - a < b - mhi {
            quick_sort(v, a, mlo, max_depth, less);
            a = mhi;
        } else {
            quick_sort(v, mhi, b, max_depth, less);
            b = mlo;
        }
    }
    sort_small(v, a, b, less);
}

/// How Go finishes a range of at most 12: one shell-sort pass with gap 6, then insertion sort.
fn sort_small<T>(v: &mut [T], a: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    if b - a > 1 {
        for i in a + 6..b {
            if less(&v[i], &v[i - 6]) {
                v.swap(i, i - 6);
            }
        }
        insertion_sort(v, a, b, less);
    }
}

fn insertion_sort<T>(v: &mut [T], a: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T>(v: &mut [T], lo: usize, hi: usize, first: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && less(&v[first + child], &v[first + child + 1]) {
            child += 1;
        }
        if !less(&v[first + root], &v[first + child]) {
            return;
        }
        v.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T>(v: &mut [T], a: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    let hi = b - a;
    for i in (0..hi / 2).rev() {
        sift_down(v, i, hi, a, less);
    }
    for i in (0..hi).rev() {
        v.swap(a, a + i);
        sift_down(v, 0, i, a, less);
    }
}

/// Moves the median of `v[m0], v[m1], v[m2]` into `v[m1]`.
fn median_of_three<T>(
    v: &mut [T],
    m1: usize,
    m0: usize,
    m2: usize,
    less: &impl Fn(&T, &T) -> bool,
) {
    if less(&v[m1], &v[m0]) {
        v.swap(m1, m0);
    }
    if less(&v[m2], &v[m1]) {
        v.swap(m2, m1);
        if less(&v[m1], &v[m0]) {
            v.swap(m1, m0);
        }
    }
}

fn do_pivot<T>(
    v: &mut [T],
    lo: usize,
    hi: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> (usize, usize) {
    let m = lo + (hi - lo) / 2;
    if hi - lo > 40 {
        // Tukey's ninther.
        let s = (hi - lo) / 8;
        median_of_three(v, lo, lo + s, lo + 2 * s, less);
        median_of_three(v, m, m - s, m + s, less);
        median_of_three(v, hi - 1, hi - 1 - s, hi - 1 - 2 * s, less);
    }
    median_of_three(v, lo, m, hi - 1, less);

    // v[lo] is the pivot; v[lo+1..a] < pivot, v[a..b] <= pivot, v[c..hi-1] > pivot.
    let pivot = lo;
    let mut a = lo + 1;
    let mut c = hi - 1;
    while a < c && less(&v[a], &v[pivot]) {
        a += 1;
    }
    let mut b = a;
    loop {
        while b < c && !less(&v[pivot], &v[b]) {
            b += 1;
        }
        while b < c && less(&v[pivot], &v[c - 1]) {
            c -= 1;
        }
        if b >= c {
            break;
        }
        v.swap(b, c - 1);
        b += 1;
        c -= 1;
    }
    // Few elements above the pivot suggests many equal to it: gather those in the middle.
    let mut protect = hi - c < 5;
    if !protect && hi - c < (hi - lo) / 4 {
        let mut dups = 0;
        if !less(&v[pivot], &v[hi - 1]) {
            v.swap(c, hi - 1);
            c += 1;
            dups += 1;
        }
        if !less(&v[b - 1], &v[pivot]) {
            b -= 1;
            dups += 1;
        }
        if !less(&v[m], &v[pivot]) {
            v.swap(m, b - 1);
            b -= 1;
            dups += 1;
        }
        protect = dups > 1;
    }
    if protect {
        loop {
            while a < b && !less(&v[b - 1], &v[pivot]) {
                b -= 1;
            }
            while a < b && less(&v[a], &v[pivot]) {
                a += 1;
            }
            if a >= b {
                break;
            }
            v.swap(a, b - 1);
            a += 1;
            b -= 1;
        }
    }
    v.swap(pivot, b - 1);
    (b - 1, c)
}

/// The first `n` elements that Go's `heap.Init` followed by `n` calls to `heap.Pop` yield, in
/// pop order, where `less` orders the heap (the least pops first).
pub(super) fn go_heap_pop_n<T>(mut v: Vec<T>, n: usize, less: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let len = v.len();
    for i in (0..len / 2).rev() {
        heap_down(&mut v, i, len, &less);
    }
    let mut popped = Vec::with_capacity(n.min(len));
    while popped.len() < n {
        let Some(last) = v.len().checked_sub(1) else {
            break;
        };
        v.swap(0, last);
        heap_down(&mut v, 0, last, &less);
        if let Some(top) = v.pop() {
            popped.push(top);
        }
    }
    popped
}

fn heap_down<T>(v: &mut [T], start: usize, n: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut i = start;
    loop {
        let left = 2 * i + 1;
        if left >= n {
            return;
        }
        let mut j = left;
        if left + 1 < n && less(&v[left + 1], &v[left]) {
            j = left + 1;
        }
        if !less(&v[j], &v[i]) {
            return;
        }
        v.swap(i, j);
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn go_sort_sorts(mut v in proptest::collection::vec(-50i32..50, 0..200)) {
            let mut expected = v.clone();
            expected.sort();
            go_sort_by(&mut v, |a, b| a < b);
            prop_assert_eq!(v, expected);
        }

        /// The element selected is the very one the full sort puts there, ties included
        /// (elements carry their arrival index; values are few, so most tie).
        #[test]
        fn selecting_picks_what_sorting_puts_at_the_index(
            values in proptest::collection::vec(0i32..8, 0..400),
            k in 0usize..400,
        ) {
            let v: Vec<(i32, usize)> = values.into_iter().enumerate().map(|(i, x)| (x, i)).collect();
            let mut sorted = v.clone();
            go_sort_by(&mut sorted, |a, b| a.0 < b.0);
            let mut selected = v;
            go_select_by(&mut selected, k, |a, b| a.0 < b.0);
            prop_assert_eq!(selected.get(k), sorted.get(k));
        }

        #[test]
        fn heap_pops_in_order(v in proptest::collection::vec(-50i32..50, 0..100), n in 0usize..120) {
            let mut expected = v.clone();
            expected.sort();
            expected.truncate(n);
            prop_assert_eq!(go_heap_pop_n(v, n, |a, b| a < b), expected);
        }
    }

    /// Ties keep the arrangement Go leaves them in: the gap-6 pass moves the later of two
    /// equal keys ahead of an earlier one when something smaller sits six places on.
    #[test]
    fn small_slices_are_not_stable() {
        // (key, arrival index); the shell pass swaps index 0 and 6 because 0 < 1.
        let mut v = vec![(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (0, 6)];
        go_sort_by(&mut v, |a, b| a.0 < b.0);
        assert_eq!(
            v,
            vec![(0, 6), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 0)]
        );
    }
}
