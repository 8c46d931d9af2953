//! [`use_effect_with`] with one body in the wasm for every effect of the widget.
//!
//! Yew's hook is generic over its dependencies, its effect and the effect's clean-up, so
//! each of the widget's twenty effects compiled to a copy of Yew's bookkeeping (compare,
//! clean up, run, drop) around its own code. Here the dependencies are kept as `dyn Any`
//! with a function that compares two of them, and the effect and its clean-up are boxed
//! closures: Yew's hook is instantiated once, and each call site keeps only its own code.

use std::any::Any;

use yew::functional::{Hook, TearDown};
use yew::prelude::*;

/// A clean-up, whatever the effect returned (`()` boxes nothing).
type CleanUp = Box<dyn FnOnce()>;

/// Dependencies of any type, equal when they are of one type and equal as such.
struct Deps {
    value: Box<dyn Any>,
    same: fn(&dyn Any, &dyn Any) -> bool,
}

impl PartialEq for Deps {
    fn eq(&self, other: &Self) -> bool {
        (self.same)(&*self.value, &*other.value)
    }
}

fn same_as<T: PartialEq + 'static>(one: &dyn Any, other: &dyn Any) -> bool {
    match (one.downcast_ref::<T>(), other.downcast_ref::<T>()) {
        (Some(one), Some(other)) => one == other,
        _ => false,
    }
}

/// Runs `effect` after a render whose `deps` differ from the last ones (and after the
/// first), and what it returned when they change again or the component goes: exactly
/// what [`use_effect_with`] does.
pub fn use_effect_when<T, F, R>(deps: T, effect: F) -> impl Hook<Output = ()>
where
    T: PartialEq + 'static,
    F: FnOnce(&T) -> R + 'static,
    R: TearDown,
{
    let deps = Deps {
        value: Box::new(deps),
        same: same_as::<T>,
    };
    let effect: Box<dyn FnOnce(&Deps) -> CleanUp> = Box::new(move |deps: &Deps| {
        // Always a `T`: the box above is the only one made here.
        match deps.value.downcast_ref::<T>() {
            Some(deps) => {
                let clean_up = effect(deps);
                Box::new(move || clean_up.tear_down()) as CleanUp
            }
            None => Box::new(|| {}),
        }
    });
    use_effect_with(deps, effect)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps<T: PartialEq + 'static>(value: T) -> Deps {
        Deps {
            value: Box::new(value),
            same: same_as::<T>,
        }
    }

    #[test]
    fn dependencies_compare_as_their_own_type() {
        assert!(deps((3u32, "a")) == deps((3u32, "a")));
        assert!(deps((3u32, "a")) != deps((4u32, "a")));
        assert!(deps(Some(7i64)) != deps(None::<i64>));
        // Another type never counts as the same dependencies, whatever its value.
        assert!(deps(1u32) != deps(1u64));
    }
}
