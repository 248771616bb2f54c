//! `Remote<T>`: what a page loads from the API, as a Leptos `LocalResource` with its value
//! type-erased.
//!
//! Leptos compiles its resource machinery (the async-derived signal, its futures, its
//! subscribers) once per value type: eleven resources of eleven types were about a sixth of
//! the optimized wasm. Behind `Remote` there is one `LocalResource<Loaded>` for them all;
//! per type only the boxed fetch and a downcast remain.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use crate::client::ApiError;

type Loaded = Result<Rc<dyn Any>, ApiError>;
type Fetch = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Loaded>>>>;

/// Use it as a `LocalResource`: `.await` it in a `Suspend`, `.refetch()` it to load again.
pub struct Remote<T> {
    inner: LocalResource<Loaded>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Remote<T> {}

impl<T: Clone + 'static> Remote<T> {
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let fetch: Fetch = Rc::new(move || {
            let answer = fetch();
            Box::pin(async move { answer.await.map(|v| Rc::new(v) as Rc<dyn Any>) })
        });
        Self {
            inner: erased(fetch),
            value: PhantomData,
        }
    }

    pub fn refetch(&self) {
        self.inner.refetch();
    }

    /// The value once loaded (tracked, like `LocalResource::get`).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.inner.get().map(typed)
    }
}

impl<T: Clone + 'static> IntoFuture for Remote<T> {
    type Output = Result<T, ApiError>;
    // `Suspend` wants a `Send` future; like `LocalResource`'s own, this one never leaves the
    // browser's one thread (SendWrapper panics if it did).
    type IntoFuture = SendWrapper<Pin<Box<dyn Future<Output = Self::Output>>>>;

    fn into_future(self) -> Self::IntoFuture {
        SendWrapper::new(Box::pin(async move { typed(self.inner.await) }))
    }
}

/// The one place a `LocalResource` is created, so it is compiled once.
fn erased(fetch: Fetch) -> LocalResource<Loaded> {
    LocalResource::new(move || fetch())
}

fn typed<T: Clone + 'static>(loaded: Loaded) -> Result<T, ApiError> {
    // `Remote<T>::new` is the only way in, and it stores a `T`.
    loaded.map(|any| {
        any.downcast_ref::<T>()
            .cloned()
            .expect("a Remote<T> holds a T")
    })
}
