//! The widget's memory allocator, in place of the standard library's dlmalloc: blocks in
//! power-of-two sizes, each size with a list of the blocks given back, and new blocks cut
//! from the end of the wasm's memory, which grows as needed. That is a few hundred bytes of
//! code where dlmalloc was 2.4 KB of the gzipped widget, and every allocation and release
//! is a handful of instructions.
//!
//! What it gives up: a block keeps its size for good (released blocks are kept for the same
//! size, never merged or split, and memory is never given back to the browser), and each
//! request is rounded up to a power of two. A comment widget's memory is mostly its
//! thread, allocated while it is drawn and kept while it is shown, so this costs about
//! twice what is alive at the widest moment, more only where the sizes in use change over
//! time (a block kept for one size serves no other). Measured in a browser test's page
//! holding a thread of 3,000 comments at once: the wasm's memory grew to 48 MB, against
//! 30 MB with dlmalloc (the test's own JSON included in both). A reader's thread holds
//! far fewer: its first page is 20 conversations, and more come when asked for. Requests
//! aligned to more than 4 KiB (which nothing in the widget makes) are refused, and a
//! refused request aborts, as with any allocator that runs out.
//!
//! Only the wasm build allocates with it (`lib.rs`), and every browser test runs on it;
//! the host tests below check its bookkeeping over a region of their own, and the other
//! host tests of the widget's logic run on the system's allocator.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

/// The largest alignment a block is given (blocks of up to 4 KiB are aligned to their own
/// size, larger ones to 4 KiB): requests aligned more strictly are refused.
const MAX_ALIGN: usize = 4096;
const PAGE: usize = 65536;

/// The allocator: see the module's documentation.
pub struct Heap {
    state: UnsafeCell<State>,
}

struct State {
    /// For each power of two, the first released block of that size (0: none); each
    /// released block holds the address of the next in its first word.
    released: [usize; usize::BITS as usize],
    /// Where the next new block may start, and the end of the memory grown so far.
    next: usize,
    end: usize,
}

// The widget's wasm has one thread: nothing reaches the state from two places at once.
// (Only there is a `Heap` shared, as the global allocator; the host tests each make their
// own.)
#[cfg(target_arch = "wasm32")]
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap {
            state: UnsafeCell::new(State {
                released: [0; usize::BITS as usize],
                next: 0,
                end: 0,
            }),
        }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// The power of two a request's block has (its exponent), `None` for one too large or too
/// strictly aligned to serve.
fn size_class(layout: Layout) -> Option<usize> {
    if layout.align() > MAX_ALIGN {
        return None;
    }
    // At least a word, for the link of a released block.
    let size = layout.size().max(layout.align()).max(size_of::<usize>());
    Some(size.checked_next_power_of_two()?.trailing_zeros() as usize)
}

impl State {
    /// A block of `1 << class` bytes: a released one, else a new one from the end.
    ///
    /// # Safety
    /// A released block's first word is the link written by [`State::release`].
    unsafe fn take(&mut self, class: usize) -> *mut u8 {
        let first = self.released[class];
        if first != 0 {
            // SAFETY: `first` is a block released earlier, whose first word is the link.
            self.released[class] = unsafe { *(first as *const usize) };
            return first as *mut u8;
        }
        let size = 1usize << class;
        let align = size.min(MAX_ALIGN);
        if self.end == 0 {
            // The first request: new blocks start after what the wasm was given at start
            // (its data and its stack).
            self.end = memory_size() * PAGE;
            self.next = self.end;
        }
        let Some(start) = self.next.checked_add(align - 1).map(|n| n & !(align - 1)) else {
            return std::ptr::null_mut();
        };
        let Some(stop) = start.checked_add(size) else {
            return std::ptr::null_mut();
        };
        if stop > self.end {
            let pages = (stop - self.end).div_ceil(PAGE);
            if !memory_grow(pages) {
                return std::ptr::null_mut();
            }
            self.end += pages * PAGE;
        }
        self.next = stop;
        start as *mut u8
    }

    /// Keeps `block` (of `1 << class` bytes) for the next request of its size.
    ///
    /// # Safety
    /// `block` came from [`State::take`] for `class` and is no longer used.
    unsafe fn release(&mut self, block: *mut u8, class: usize) {
        // SAFETY: the block is at least a word long and aligned to one, and unused.
        unsafe { *(block as *mut usize) = self.released[class] };
        self.released[class] = block as usize;
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = size_class(layout) else {
            return std::ptr::null_mut();
        };
        // SAFETY: one thread (see `Sync` above), and no reference to the state outlives
        // this call.
        unsafe { (*self.state.get()).take(class) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if let Some(class) = size_class(layout) {
            // SAFETY: as in `alloc`; the caller gives back a block this allocator made for
            // the same layout, hence the same class.
            unsafe { (*self.state.get()).release(block, class) }
        }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller promises a valid new layout of the same alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // A block already large enough (the same power of two) stays where it is.
        if size_class(new_layout).is_some() && size_class(new_layout) == size_class(layout) {
            return block;
        }
        // SAFETY: as for `alloc` and `dealloc`; the old block holds `layout.size()` bytes
        // and the new one at least `new_size`, and they do not overlap.
        unsafe {
            let moved = self.alloc(new_layout);
            if !moved.is_null() {
                std::ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
            moved
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn memory_size() -> usize {
    core::arch::wasm32::memory_size(0)
}

#[cfg(target_arch = "wasm32")]
fn memory_grow(pages: usize) -> bool {
    core::arch::wasm32::memory_grow(0, pages) != usize::MAX
}

// Natively (the host tests below) the "memory" is a region taken from the system's
// allocator once, which grows into nothing: enough to test the bookkeeping.
#[cfg(not(target_arch = "wasm32"))]
fn memory_size() -> usize {
    native::START.with(|start| *start) / PAGE
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_grow(pages: usize) -> bool {
    // As `memory.grow`: all the pages or none.
    native::GROWN.with(|grown| {
        let now = grown.get() + pages;
        let fits = now <= native::PAGES;
        if fits {
            grown.set(now);
        }
        fits
    })
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::cell::Cell;

    pub const PAGES: usize = 64;

    thread_local! {
        /// A page-aligned region of `PAGES` pages, from the test's own allocator.
        pub static START: usize = {
            let layout = std::alloc::Layout::from_size_align(PAGES * super::PAGE + super::PAGE, super::PAGE).unwrap();
            // SAFETY: a non-zero size; the region is never freed (a test's lifetime).
            let region = unsafe { std::alloc::alloc(layout) } as usize;
            assert!(region != 0);
            region
        };
        pub static GROWN: Cell<usize> = const { Cell::new(0) };
    }
}

// On the host, over the region above; in the browser every test of the widget runs on it.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    const WORD: usize = size_of::<usize>().trailing_zeros() as usize;

    #[test]
    fn sizes_round_up_to_powers_of_two() {
        assert_eq!(size_class(layout(0, 1)), Some(WORD), "a word at least");
        assert_eq!(size_class(layout(1, 1)), Some(WORD));
        assert_eq!(size_class(layout(100, 8)), Some(7));
        assert_eq!(size_class(layout(128, 8)), Some(7));
        assert_eq!(size_class(layout(129, 8)), Some(8));
        assert_eq!(
            size_class(layout(8, 64)),
            Some(6),
            "the alignment counts as size"
        );
        assert_eq!(size_class(layout(1, 8192)), None, "aligned past 4 KiB");
    }

    #[test]
    fn blocks_are_aligned_apart_and_keep_what_is_written() {
        let heap = Heap::new();
        let sizes = [1, 3, 8, 24, 100, 4096, 5000, 70_000, 16, 1];
        let blocks: Vec<(*mut u8, Layout)> = sizes
            .iter()
            .enumerate()
            .map(|(n, &size)| {
                let layout = layout(size, if n % 2 == 0 { 8 } else { 16 });
                let block = unsafe { heap.alloc(layout) };
                assert!(!block.is_null());
                assert_eq!(block as usize % layout.align(), 0, "aligned");
                unsafe { std::ptr::write_bytes(block, n as u8, size) };
                (block, layout)
            })
            .collect();
        for (n, (block, layout)) in blocks.iter().enumerate() {
            let bytes = unsafe { std::slice::from_raw_parts(*block, layout.size()) };
            assert!(
                bytes.iter().all(|&b| b == n as u8),
                "block {n} kept its bytes"
            );
        }
        for (block, layout) in blocks {
            unsafe { heap.dealloc(block, layout) };
        }
    }

    #[test]
    fn a_released_block_serves_the_next_request_of_its_size() {
        let heap = Heap::new();
        let small = layout(40, 8);
        let first = unsafe { heap.alloc(small) };
        let second = unsafe { heap.alloc(small) };
        assert_ne!(first, second);
        unsafe { heap.dealloc(first, small) };
        assert_eq!(
            unsafe { heap.alloc(layout(60, 8)) },
            first,
            "same power of two"
        );
        let other = unsafe { heap.alloc(small) };
        assert!(
            other != first && other != second,
            "a new one once none is left"
        );
    }

    #[test]
    fn realloc_stays_within_its_size_and_moves_past_it_with_the_bytes() {
        let heap = Heap::new();
        let start = layout(20, 8);
        let block = unsafe { heap.alloc(start) };
        unsafe { std::ptr::copy_nonoverlapping(b"twenty bytes of text".as_ptr(), block, 20) };
        let same = unsafe { heap.realloc(block, start, 32) };
        assert_eq!(same, block, "32 bytes fit the same block");
        let moved = unsafe { heap.realloc(same, layout(32, 8), 1000) };
        assert_ne!(moved, block);
        let bytes = unsafe { std::slice::from_raw_parts(moved, 20) };
        assert_eq!(bytes, b"twenty bytes of text");
        assert_eq!(
            unsafe { heap.alloc(layout(32, 8)) },
            block,
            "the old block was released"
        );
    }

    #[test]
    fn a_request_past_the_memory_is_refused() {
        let heap = Heap::new();
        let too_big = layout(native::PAGES * PAGE + 1, 8);
        assert!(unsafe { heap.alloc(too_big) }.is_null());
        assert!(unsafe { heap.alloc(layout(1, 8192)) }.is_null());
        assert!(
            !unsafe { heap.alloc(layout(64, 8)) }.is_null(),
            "smaller ones still fit"
        );
    }
}
